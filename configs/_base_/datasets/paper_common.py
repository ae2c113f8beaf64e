# What the paper's datasets share: the data folder
# (docs/data_preparation.md), the local BERT tokenizer, the text length,
# the image scales and the loaders (8 GPUs x 4 images = the paper's
# total batch of 32, Sec. 4.2 and 5.1). Each dataset base inherits it and
# adds its datasets, pipelines and metrics.
data_root = 'data/'
# A local BERT-base-uncased WordPiece folder (no hub access at run time).
tokenizer_path = data_root + 'bert-base-uncased'
max_text_length = 40  # Sec. 4.2
backend_args = None

load_image = dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args)
# Scale augmentation of Sec. 4.2 (DETR's): shorter side 480..800, longer
# side at most 1333; fine-tuning keeps it (Sec. 5.1 gives none).
train_resize = dict(
    type='RandomChoiceResize',
    scales=[(1333, s) for s in range(480, 801, 32)],
    keep_ratio=True)
# shorter side 800, longer at most 1333: Table 6's default size
test_resize = dict(type='Resize', scale=(1333, 800), keep_ratio=True)

# pin_memory: page-locked batches copy to the GPU asynchronously (without
# a GPU PyTorch warns once and ignores it)
train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = 32
    # one worker feeds a GPU at >= 24 ms a step (170 images/s), doubled:
    # docs/data_preparation.md, "At the real corpus size"
    num_workers=2,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    pin_memory=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
