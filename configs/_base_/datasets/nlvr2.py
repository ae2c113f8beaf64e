# NLVR2 (Sec. 5.1): is a statement true of an image pair? Trained on train
# (86K), scored on dev (7K). Layout: README, "Data preparation". Each image
# goes through the per-image pipeline; E2EVLPNLVR2DataPreprocessor (set in
# the model) batches the pairs.
data_root = 'data/'
# A local BERT-base-uncased WordPiece folder (no hub access at run time).
tokenizer_path = data_root + 'bert-base-uncased'
max_text_length = 40  # Sec. 4.2
backend_args = None

train_image_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    # Sec. 4.2's scale augmentation, kept for fine-tuning (Sec. 5.1 gives
    # none); no flip: statements speak of left and right images.
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
]
# shorter side 800, longer at most 1333: Table 6's default size
test_image_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
]
text_pipeline = [
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
train_pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=train_image_pipeline),
    *text_pipeline,
]
test_pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=test_image_pipeline),
    *text_pipeline,
]
train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = the paper's batch of 32 (Sec. 5.1)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='E2EVLPNLVR2Dataset',
        data_root=data_root + 'nlvr2/',
        ann_file='train.json',
        data_prefix='images/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='E2EVLPNLVR2Dataset',
        data_root=data_root + 'nlvr2/',
        ann_file='dev.json',
        data_prefix='dev',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader  # test1.json / test1/ for Test-P
val_evaluator = dict(type='E2EVLPNLVR2Acc')
test_evaluator = val_evaluator
