# `make demo`, step 1: pre-train the demo model's ResNet on the shapes
# world, the demo's stand-in for the paper's ImageNet weights (Sec. 4.2).
# mmpretrain's ImageClassifier with the detector's own backbone names the
# object in a window cut around each object of the training scenes (64
# classes: 8 shapes x 8 colours), at the scale the detector sees it;
# e2evlp_shapes_pretrain.py starts its backbone from the result. Measured in docs/results.md ("Backbone pre-training").
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/datasets/shapes_world_common.py',
    'mmdet::_base_/default_runtime.py',
]
data_root = _base_.data_root
num_labels = 64  # 8 shapes x 8 colours
model = dict(
    _delete_=True,
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor',
        mean=_base_.model.data_preprocessor.mean,
        std=_base_.model.data_preprocessor.std,
        to_rgb=True),
    # the detector's backbone, as mmdet builds it (same parameter names)
    backbone=dict(_base_.model.backbone, type='mmdet.ResNet'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(
        type='mmpretrain.LinearClsHead',
        num_classes=num_labels,
        in_channels=128,  # stage-2 channels of the 2-stage ResNet-18
        loss=dict(type='mmpretrain.CrossEntropyLoss')))

# 48 px windows of the 128 px scenes, halved as the detector halves its
# scenes (shapes_world_common.py): 24 px, 3 x 3 backbone features
window = 48
crop = dict(type='E2EVLPCropObject', window=window)
resize = dict(type='Resize', scale=(window // 2, window // 2),
              keep_ratio=True)

pack = dict(type='mmpretrain.PackInputs')
train_pipeline = [
    _base_.load_image,
    dict(crop, max_shift=4), resize,
    dict(type='RandomFlip', prob=0.5), pack
]
scenes = dict(
    type='E2EVLPSceneLabelDataset',
    data_root=data_root + 'vg/',
    data_prefix=dict(img_path=''),
    pipeline=[_base_.load_image, crop, resize, pack])
train_dataloader = dict(
    batch_size=128,
    dataset=dict(scenes, ann_file='annotations/vg_det_train.json',
                 pipeline=train_pipeline))
# 500 x 128 windows: ~13 passes over the 4990 training objects; val top-1
# 86.3% (docs/results.md, backbone pre-training)
max_iters = 500
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters,
         eta_min=1e-5),
]
# validated once, at the end: accuracy on the objects of the val scenes
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
val_dataloader = dict(
    batch_size=64,
    dataset=dict(scenes, ann_file='annotations/vg_det_val.json',
                 test_mode=True))
val_cfg = dict(type='ValLoop')
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
# tools/test.py scores a backbone checkpoint on the same val objects
test_dataloader = val_dataloader
test_cfg = dict(type='TestLoop')
test_evaluator = val_evaluator
