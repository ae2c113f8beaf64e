# COCO detection with paired text (Sec. 5.8, Table 7): E2E-VLP R152 / 12
# layers reads the image and one of its captions in the encoder; the
# decoder detects as DETR. Start from the pre-trained model:
# bash tools/dist_train.sh configs/e2evlp_r152_coco_det.py 8 \
#     --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
_base_ = [
    './_base_/models/e2evlp_r50.py',  # the pre-training model
    './_base_/datasets/coco_det_text.py',
    './_base_/e2evlp_runtime.py',
]
model = dict(
    # at the size of e2evlp_r152_pretrain.py, whose weights it loads:
    # load_from=...
    backbone=dict(depth=152, init_cfg=None),
    encoder=dict(num_layers=12),
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    # COCO's 80 classes (the annotation file's, checked before the run by
    # E2EVLPPreflightHook), no attributes; a new classifier is learned
    # (classes named as in VG start from their VG rows)
    bbox_head=dict(num_classes=80, num_attributes=0),
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    test_cfg=dict(_delete_=True, max_per_img=100))
# The pre-trained checkpoint knows VG's classes; learning COCO's instead is
# intended (loading it is refused otherwise; docs/inference.md)
new_vocabularies = ['classes']

# The paper gives no schedule; DETR's 150-epoch one (mmdet
# detr_r50_8xb2-150e_coco: lr 1e-4, backbone x0.1, drop x0.1 at 100 of 150
# epochs). An epoch visits every image once with one of its captions.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
max_epochs = 150
train_cfg = dict(
    type='E2EVLPEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[100], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=32)  # 8 GPUs x 4 images
default_hooks = dict(checkpoint=dict(save_best='coco/bbox_mAP'))
