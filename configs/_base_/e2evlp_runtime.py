# Runtime of every paper config: mmdet's, plus the pre-run checks and a
# bounded number of checkpoints (an R152 checkpoint with AdamW state is
# about 1.1 GB). `python tools/train.py CONFIG --resume` finds the latest.
_base_ = 'mmdet::_base_/default_runtime.py'
custom_hooks = [
    # head size vs vocabulary, dead frozen-BN backbone
    # (docs/data_preparation.md, "Backbone weights")
    dict(type='E2EVLPPreflightHook'),
]
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=2,  # the latest two, plus the best (save_best)
        rule='greater'))
