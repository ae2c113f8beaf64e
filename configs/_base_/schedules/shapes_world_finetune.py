# Short CPU fine-tuning on the shapes world (`make demo-downstream`): the
# paper's optimiser (AdamW, Sec. 4.2) on an iteration schedule. The test
# loop runs once after training, so there is no validation loop.
_base_ = 'mmdet::_base_/default_runtime.py'
max_iters = 200
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
# Warm-up, then a constant lr, so a leaf may change max_iters alone.
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False,
                    interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
