# E2E-VLP pre-training with an mmdet Swin-T backbone (the paper has only
# ResNets): e2evlp_r50_6l_pretrain.py with the backbone and neck swapped.
# The last stage (stride 32, 768 channels) goes through the 1x1 conv to d,
# as C5 of the ResNet does (Sec. 3.1.1). ImageNet weights: the official
# Swin-T checkpoint (swin_tiny_patch4_window7_224.pth) as a local file;
# convert_weights maps its keys to mmdet's (docs/model.md, "Other backbones").
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        embed_dims=96,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        window_size=7,
        mlp_ratio=4,
        qkv_bias=True,
        drop_path_rate=0.2,  # mmdet's Swin-T detection configs
        patch_norm=True,
        out_indices=(3, ),
        convert_weights=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='data/pretrained/swin_tiny_patch4_window7_224.pth')),
    neck=dict(in_channels=[768]))
