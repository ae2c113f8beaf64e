# Pre-training schedule of Sec. 4.2: AdamW, lr 1e-4 for the Transformer and
# 1e-5 for the ResNet, weight decay 1e-4, total batch 32, 200 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),  # DETR's clipping
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 200
train_cfg = dict(
    type='E2EVLPEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# The paper gives no decay; we follow DETR and drop the lr x0.1 after 2/3.
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[134], gamma=0.1)
]
# The lr above is for 8 GPUs x 4 images; --auto-scale-lr rescales it.
auto_scale_lr = dict(base_batch_size=32)
