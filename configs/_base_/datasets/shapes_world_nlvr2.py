# The shapes world's NLVR2 (statements about counts, colours and shapes
# across two scenes, about half true): 800 train pairs, 100 dev pairs.
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as pre-training (shapes_world_pretrain.py)

image_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
]
pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=image_pipeline),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='E2EVLPNLVR2Dataset',
        data_root=data_root + 'nlvr2/',
        ann_file='train.json',
        data_prefix='images/train',
        pipeline=pipeline))
test_dataloader = dict(
    batch_size=50,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='E2EVLPNLVR2Dataset',
        data_root=data_root + 'nlvr2/',
        ann_file='dev.json',
        data_prefix='dev',
        test_mode=True,
        pipeline=pipeline))
test_evaluator = dict(type='E2EVLPNLVR2Acc')
