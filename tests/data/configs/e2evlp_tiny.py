# Tiny E2E-VLP for unit tests: ResNet-18 at 1/8 width, d=64, 2+2 layers.
custom_imports = dict(imports=['e2evlp_mm'], allow_failed_imports=False)
default_scope = 'mmdet'

d = 64
attn = dict(embed_dims=d, num_heads=4, dropout=0.0, batch_first=True)
ffn = dict(
    embed_dims=d,
    feedforward_channels=2 * d,
    num_fcs=2,
    ffn_drop=0.0,
    act_cfg=dict(type='ReLU', inplace=True))
model = dict(
    type='E2EVLP',
    num_queries=8,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=8,
        num_stages=4,
        out_indices=(3, ),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='pytorch'),
    neck=dict(
        type='ChannelMapper',
        in_channels=[64],
        kernel_size=1,
        out_channels=d,
        act_cfg=None,
        norm_cfg=None,
        num_outs=1),
    encoder=dict(num_layers=2, layer_cfg=dict(self_attn_cfg=attn,
                                              ffn_cfg=ffn)),
    decoder=dict(
        num_layers=2,
        layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn),
        return_intermediate=True),
    positional_encoding=dict(num_feats=d // 2, normalize=True),
    text_cfg=dict(
        vocab_size=50,
        pad_id=0,
        bos_id=1,
        eos_id=2,
        max_position_embeddings=64,
        dropout=0.0),
    bbox_head=dict(type='E2EVLPHead', num_classes=5, num_attributes=4),
    mlm_head=dict(type='E2EVLPMLMHead'),
    itm_head=dict(type='E2EVLPITMHead'),
    caption_head=dict(type='E2EVLPCaptionHead', max_length=6, beam_size=2),
    train_cfg=dict(
        assigner=dict(
            type='HungarianAssigner',
            match_costs=[
                dict(type='ClassificationCost', weight=1.),
                dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
                dict(type='IoUCost', iou_mode='giou', weight=2.0)
            ])),
    test_cfg=dict(max_per_img=5, with_caption=True))
