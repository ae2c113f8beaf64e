# The paper's main E2E-VLP: ResNet-152, 12 encoder layers, 6 decoder layers
# (94M parameters, Tables 1-5). Pre-training and every downstream task
# config of this size inherit it.
_base_ = './e2evlp_r50.py'
model = dict(
    backbone=dict(
        depth=152,
        init_cfg=dict(checkpoint='data/pretrained/resnet152.pth')),
    encoder=dict(num_layers=12))
