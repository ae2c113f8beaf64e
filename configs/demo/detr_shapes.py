# Table 7 in miniature (tools/analysis_tools/paper_table7.py): mmdet's plain
# DETR at the size of the demo E2E-VLP (configs/_base_/models/
# e2evlp_shapes.py: ResNet-18 stem + 2 stages, d = 128, 4 heads, 3 + 3
# layers, 10 queries, 64 px scenes), trained from scratch on the shapes
# world's COCO scenes, with no text. paper_table7.py trains it and the
# detection-with-text model on the demo pre-training schedule.
_base_ = 'mmdet::detr/detr_r50_8xb2-150e_coco.py'
# mmdet's own modules only; the project is imported like every config's
custom_imports = dict(imports=['e2evlp_mm'], allow_failed_imports=False)
data_root = 'data/shapes_world/coco/'
image_size = 64  # as the demo E2E-VLP
classes = ('circle', 'square', 'triangle', 'star', 'diamond', 'hexagon',
           'cross', 'heart')

d = 128
# mmcv's deprecated `dropout=0.0` spelled out (attention and residual)
attn = dict(embed_dims=d, num_heads=4, attn_drop=0.0, batch_first=True,
            dropout_layer=dict(type='Dropout', drop_prob=0.0))
ffn = dict(embed_dims=d, feedforward_channels=4 * d, ffn_drop=0.0)
model = dict(
    num_queries=10,
    backbone=dict(
        depth=18,
        num_stages=2,
        strides=(1, 2),
        dilations=(1, 1),
        out_indices=(1, ),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),  # from scratch
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[128], out_channels=d),
    encoder=dict(num_layers=3, layer_cfg=dict(self_attn_cfg=attn,
                                              ffn_cfg=ffn)),
    decoder=dict(
        num_layers=3,
        layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn,
                       ffn_cfg=ffn)),
    positional_encoding=dict(num_feats=d // 2),
    bbox_head=dict(num_classes=len(classes), embed_dims=d),
    test_cfg=dict(max_per_img=10))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
coco = dict(
    type='CocoDataset',
    data_root=data_root,
    metainfo=dict(classes=classes),
    backend_args=None)
train_dataloader = dict(
    batch_size=16,  # as configs/demo/e2evlp_shapes_det.py
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        coco,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=False),  # as the E2E-VLP dataset
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        coco,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        pipeline=test_pipeline))
test_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    metric='bbox',
    backend_args=None)
val_dataloader = None
val_cfg = None
val_evaluator = None

# The demo pre-training recipe (configs/demo/e2evlp_shapes_pretrain.py);
# paper_table7.py copies it from that file onto both from-scratch runs.
max_iters = 1400
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters,
         eta_min=2e-5),
]
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
