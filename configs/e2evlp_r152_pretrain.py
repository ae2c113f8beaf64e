# E2E-VLP, ResNet-152, 12 encoder layers: the paper's main model (94M
# parameters, Tables 1-5), pre-trained on COCO + VG (Sec. 4).
# 8 GPUs x 4 images: bash tools/dist_train.sh configs/e2evlp_r152_pretrain.py 8
_base_ = [
    './_base_/models/e2evlp_r152.py',
    './_base_/datasets/coco_vg_pretrain.py',
    './_base_/schedules/pretrain_200e.py',
    './_base_/e2evlp_runtime.py',
]
model = dict(
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    # as many outputs as the vocabulary files have names (vg_to_det.py)
    bbox_head=dict(
        num_classes={{_base_.metainfo.classes}},
        num_attributes={{_base_.metainfo.attributes}}))
default_hooks = dict(checkpoint=dict(save_best='coco/bbox_mAP'))
