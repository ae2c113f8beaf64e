# The shapes world's image-text retrieval (Flickr30k-format split: 240
# train, 30 test scenes, 5 sentences each): one matched pair per training
# sentence; the test loop (E2EVLPRetrievalTestLoop, given text_pipeline
# by the config) ranks every sentence against every scene.
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as pre-training (shapes_world_pretrain.py)

text_pipeline = [  # applied by the loop to each gallery sentence
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40),
]
train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    *text_pipeline,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
flickr = dict(
    type='E2EVLPRetrievalDataset',
    ann_file=data_root + 'karpathy/dataset_flickr30k.json',
    data_prefix=data_root + 'flickr30k/flickr30k-images/')
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))
