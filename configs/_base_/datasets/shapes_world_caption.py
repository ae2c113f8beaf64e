# The shapes world's COCO captioning (Karpathy-format split of the scenes):
# one training sample per sentence, one test sample per scene with its
# reference sentences.
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as pre-training (shapes_world_pretrain.py)

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
karpathy = dict(
    type='E2EVLPCaptionDataset',
    ann_file=data_root + 'karpathy/dataset_coco.json',
    data_prefix=dict(img=data_root + 'coco/'))
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(karpathy, split=('train', 'restval'),
                 pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(karpathy, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPCaptionMetric')
