# COCO captioning fine-tuning of E2E-VLP R152 / 12 layers (Table 1):
# label-smoothed seq2seq loss, beam 4 with GNMT length penalty 0.9
# (Sec. 5.1). Start from the pre-trained model:
# bash tools/dist_train.sh configs/e2evlp_r152_caption.py 8 \
#     --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
# mmengine forbids duplicate keys among _base_ files, so the trunk of
# e2evlp_r152_pretrain.py (R152, 12 encoder layers) is restated below
# instead of inheriting that file together with a dataset base.
_base_ = [
    './_base_/models/e2evlp_r50.py',
    './_base_/datasets/coco_caption.py',
    'mmdet::_base_/default_runtime.py',
]
model = dict(
    type='E2EVLPCaptioner',
    backbone=dict(depth=152),  # as e2evlp_r152_pretrain.py (Table 5)
    encoder=dict(num_layers=12),  # as e2evlp_r152_pretrain.py
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=dict(
        loss_cap=dict(  # label smoothing (Sec. 5.1; 0.1 as Szegedy et al.)
            _delete_=True,
            type='mmpretrain.LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original'),
        beam_size=4,  # Sec. 5.1
        length_penalty=0.9),  # alpha of Wu et al. (Sec. 5.1)
    train_cfg=None,
    test_cfg=None)

# Sec. 5.1: batch 32, lr 1e-4 decayed x0.1 after epochs 6 and 9, 12 epochs
# (AdamW, weight decay and the 0.1 backbone factor as in pre-training).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 12
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[6, 9], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=32)
