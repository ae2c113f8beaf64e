# Flickr30K image-text retrieval on the Karpathy split of Lee et al. (29K
# train, 1K val, 1K test images, 5 sentences each). Training: one matched
# pair per sentence (negatives come from the batch, in the model). Test:
# one sample per image; the loop ranks all 5K sentences for each image and
# all images for each sentence, with an optional dual-encoder pre-filter.
data_root = 'data/'
tokenizer_path = data_root + 'bert-base-uncased'
max_text_length = 40  # Sec. 4.2
backend_args = None

text_pipeline = [  # applied by the loop to each gallery sentence
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length),
]
train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
    *text_pipeline,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
flickr = dict(
    type='E2EVLPRetrievalDataset',
    ann_file=data_root + 'karpathy/dataset_flickr30k.json',
    data_prefix=data_root + 'flickr30k/flickr30k-images/')
train_dataloader = dict(
    batch_size=8,  # x 8 GPUs = 64 (Sec. 5.1)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(flickr, split='val', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
val_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))
test_evaluator = val_evaluator
# 5M image-text pairs on the test split: the cross encoder only scores each
# query's 128 best candidates of the dual-encoder pre-filter (BLIP: 256)
val_cfg = dict(type='E2EVLPRetrievalValLoop', text_pipeline=text_pipeline,
               prefilter_topk=128)
test_cfg = dict(type='E2EVLPRetrievalTestLoop', text_pipeline=text_pipeline,
                prefilter_topk=128)
