# The toy regression with every random source of a real run (dropout,
# NumPy and Python draws per sample) under the E2E-VLP loop, checkpoint
# and preemption hooks: tests of preemption and exact resume.
_base_ = './toy_regression.py'
model = dict(dropout=0.5)
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler', shuffle=True, seed=0),
    dataset=dict(noise=0.1, with_index=True))
train_cfg = dict(type='E2EVLPIterBasedTrainLoop', max_iters=9)
default_hooks = dict(
    checkpoint=dict(
        type='E2EVLPCheckpointHook', interval=3, by_epoch=False,
        max_keep_ckpts=1))
custom_hooks = [
    dict(type='E2EVLPDumpRankWeights'),
    dict(type='E2EVLPRecordTraining'),
    dict(type='E2EVLPPreemptionHook'),
]
