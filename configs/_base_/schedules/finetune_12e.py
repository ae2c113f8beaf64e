# Fine-tuning schedule of Sec. 5.1 (VQA, NLVR2, captioning): batch 32 for
# 12 epochs, lr 1e-4 decayed x0.1 at the end of epochs 6 and 9. Optimizer
# as in pre-training (Sec. 4.2): AdamW, weight decay 1e-4, the ResNet at
# 0.1x the Transformer's lr.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),  # DETR's, as pre-training
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 12
train_cfg = dict(
    type='E2EVLPEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[6, 9], gamma=0.1)
]
# The lr above is for a total batch of 32; --auto-scale-lr rescales it.
auto_scale_lr = dict(base_batch_size=32)
