# E2E-VLP, ResNet-50, 6 encoder layers (Table 5): pre-training on COCO + VG.
_base_ = [
    './_base_/models/e2evlp_r50.py',
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
