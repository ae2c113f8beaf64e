# E2E-VLP pre-training with an mmpretrain ConvNeXt-T backbone (the paper has
# only ResNets): e2evlp_r50_6l_pretrain.py with the backbone and neck
# swapped. The last stage (stride 32, 768 channels, as a feature map:
# gap_before_final_norm=False) goes through the 1x1 conv to d, as C5 of the
# ResNet does (Sec. 3.1.1). ImageNet weights: an mmpretrain ConvNeXt-T
# classifier checkpoint as a local file, its 'backbone.' keys
# (docs/model.md, "Other backbones").
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='tiny',
        out_indices=(3, ),
        gap_before_final_norm=False,
        drop_path_rate=0.1,  # mmpretrain's ConvNeXt-T ImageNet recipe
        init_cfg=dict(
            type='Pretrained',
            checkpoint='data/pretrained/convnext-tiny_in1k.pth',
            prefix='backbone.')),
    neck=dict(in_channels=[768]))
