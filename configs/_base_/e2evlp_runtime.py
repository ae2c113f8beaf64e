# Runtime of every paper config: mmdet's, plus the pre-run checks, a
# bounded number of checkpoints (an R152 checkpoint with AdamW state is
# about 1.1 GB) and preemption safety (docs/long_runs.md).
# `python tools/train.py CONFIG --resume` finds the newest complete one.
_base_ = 'mmdet::_base_/default_runtime.py'
custom_hooks = [
    # head size vs vocabulary, dead frozen-BN backbone
    # (docs/data_preparation.md, "Backbone weights")
    dict(type='E2EVLPPreflightHook'),
    # SIGTERM / SIGUSR1: finish the iteration, save, exit with status 75
    dict(type='E2EVLPPreemptionHook'),
]
default_hooks = dict(
    checkpoint=dict(
        type='E2EVLPCheckpointHook',  # atomic writes, exact resume
        interval=1,
        # plus iter_N.pth every 1000 iterations, only the newest kept: a
        # pre-training epoch is ~7K iterations (224K images / batch 32,
        # Sec. 4.2), so a kill -9 loses at most 1/7 epoch instead of one
        iter_interval=1000,
        max_keep_ckpts=2,  # the latest two, plus the best (save_best)
        rule='greater'))
