# Shapes-world NLVR2: the demo model fine-tuned from its pre-training
# checkpoint on 2 CPU cores (a few minutes):
#   python tools/train.py configs/demo/e2evlp_shapes_nlvr2.py \
#       --cfg-options load_from=work_dirs/demo/iter_900.pth
# The paper's recipe (configs/e2evlp_r152_nlvr2.py) at demo scale: same
# model type, head and loss; an iteration schedule instead of 12 epochs.
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/datasets/shapes_world_nlvr2.py',
    'mmdet::_base_/default_runtime.py',
]
model = dict(
    type='E2EVLPNLVR2',
    # flattens each pair into two images of one batch
    data_preprocessor=dict(type='E2EVLPNLVR2DataPreprocessor'),
    # the encoder only (Sec. 1: understanding tasks fine-tune the encoder)
    decoder=None,
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    train_cfg=None,
    test_cfg=None,
    nlvr2_head=dict(type='E2EVLPNLVR2Head'))

max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0,
         end=30),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=30, end=max_iters,
         eta_min=2e-5),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
