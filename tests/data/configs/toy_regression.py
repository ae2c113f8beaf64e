# A toy regression trained by the real Runner: tests of train/resume/dist.
custom_imports = dict(
    imports=['e2evlp_mm', 'e2evlp_mm.testing.toy'],
    allow_failed_imports=False)
default_scope = 'mmdet'
model = dict(type='E2EVLPToyRegressor', in_features=4)
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='E2EVLPToyRegression', length=32))
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=0.05))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=6, val_interval=1000)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False),
    logger=dict(type='LoggerHook', interval=1))
custom_hooks = [dict(type='E2EVLPDumpRankWeights')]
randomness = dict(seed=0)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
log_level = 'WARNING'
