# E2E-VLP, ResNet-50, 12 encoder layers (Table 5).
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(encoder=dict(num_layers=12))
