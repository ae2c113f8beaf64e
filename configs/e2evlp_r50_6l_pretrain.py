# E2E-VLP, ResNet-50, 6 encoder layers (Table 5): pre-training on COCO + VG.
_base_ = [
    './_base_/models/e2evlp_r50.py',
    './_base_/datasets/coco_vg_pretrain.py',
    './_base_/schedules/pretrain_200e.py',
    'mmdet::_base_/default_runtime.py',
]
model = dict(text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}))
