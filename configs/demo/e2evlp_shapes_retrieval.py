# Shapes-world image-text retrieval (Flickr30k-format split: 240 train, 30
# test scenes, 5 sentences each): the demo model fine-tuned as
# E2EVLPRetriever (circle loss, Sec. 5.1) with the dual-encoder pre-filter.
#   python tools/train.py configs/demo/e2evlp_shapes_retrieval.py \
#       --cfg-options load_from=work_dirs/demo/iter_900.pth
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    'mmdet::_base_/default_runtime.py',
]
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as the demo pre-training

model = dict(
    type='E2EVLPRetriever',
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    retrieval_head=dict(
        type='E2EVLPRetrievalHead',
        num_negatives=1,  # 3 joint passes per pair keeps CPU steps short
        margin=0.25,
        gamma=64.0,
        itc_dims=64,
        itc_weight=1.0),
    train_cfg=None,
    test_cfg=dict(_delete_=True, text_batch_size=256))

text_pipeline = [
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
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=30,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))
test_evaluator = val_evaluator

max_iters = 100  # about 4 min on 2 shared cores
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
# 30 x 150 pairs: full ranking is cheap here; tools/analysis_tools/
# retrieval_prefilter_benchmark.py compares it with the pre-filter
val_cfg = dict(type='E2EVLPRetrievalValLoop', text_pipeline=text_pipeline)
test_cfg = dict(type='E2EVLPRetrievalTestLoop', text_pipeline=text_pipeline)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
