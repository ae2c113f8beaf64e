# toy_long.py epoch-based: 2 epochs of 4 batches, loaded by 2 workers,
# with a mid-epoch checkpoint every 3 iterations. The per-sample noise is
# drawn in the workers (seeded per sample, so a resume redraws it alike).
_base_ = './toy_long.py'
train_dataloader = dict(
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
    dataset=dict(length=16))
train_cfg = dict(
    _delete_=True, type='E2EVLPEpochBasedTrainLoop', max_epochs=2,
    val_interval=1000)
default_hooks = dict(
    checkpoint=dict(by_epoch=True, interval=1, iter_interval=3))
