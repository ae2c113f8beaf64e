# `make demo`: the full E2E-VLP (MLM + ITM + detection with attributes +
# captioning, one shared decoder) pre-trained from scratch on the shapes
# world on 2 CPU cores. The paper-scale settings live in the configs/
# e2evlp_*_pretrain.py files; everything here that differs is chosen for
# fast convergence on tiny data (see README, "The demo").
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    'mmdet::_base_/default_runtime.py',
]
data_root = {{_base_.data_root}}
tokenizer_path = {{_base_.tokenizer_path}}
image_size = {{_base_.image_size}}
metainfo = {{_base_.metainfo}}

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPSampleITMNegative', prob=0.5),
    dict(type='E2EVLPRandomFlip', prob=0.5),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40),
    dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path),
    dict(type='PackE2EVLPInputs'),
]
# Held-out images; one text each, half of them mismatched (ITM) and 15% of
# tokens masked (MLM), so every pre-training task is scored.
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPSampleITMNegative', prob=0.5),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40),
    dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'caption')),
]
coco = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=data_root + 'coco/',
    metainfo=metainfo)
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(coco,
                 ann_file='annotations/instances_train2017.json',
                 caption_file='annotations/captions_train2017.json',
                 data_prefix=dict(img='train2017/'),
                 pipeline=train_pipeline),
            dict(type='E2EVLPPretrainDataset',
                 source='vg',
                 data_root=data_root + 'vg/',
                 ann_file='annotations/vg_det_train.json',
                 data_prefix=dict(img=''),
                 metainfo=metainfo,
                 pipeline=train_pipeline),
        ]))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        coco,
        ann_file='annotations/instances_val2017.json',
        caption_file='annotations/captions_val2017.json',
        data_prefix=dict(img='val2017/'),
        max_texts_per_image=1,  # one sample per image for CocoMetric
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'coco/annotations/instances_val2017.json',
         metric='bbox'),
    dict(type='E2EVLPPretrainMetric'),
    dict(type='E2EVLPCaptionMetric',
         ann_file=data_root + 'coco/annotations/captions_val2017.json'),
]
test_evaluator = val_evaluator

max_iters = 900
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=50, end=max_iters,
         eta_min=2e-5),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=300,
                    max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
