# E2E-VLP, ResNet-101, 6 encoder layers (Table 5).
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(checkpoint='data/pretrained/resnet101.pth')))
