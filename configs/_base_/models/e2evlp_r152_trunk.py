# The trunk of the paper's main E2E-VLP: ResNet-152, 12 encoder layers, the
# shared 6-layer `decoder` (94M parameters with the heads, Tables 1-5). The
# downstream task configs of this size inherit it; pre-training is
# configs/e2evlp_r152_pretrain.py.
_base_ = './e2evlp_r50_trunk.py'
model = dict(
    backbone=dict(
        depth=152,
        init_cfg=dict(checkpoint='data/pretrained/resnet152.pth')),
    encoder=dict(num_layers=12))
