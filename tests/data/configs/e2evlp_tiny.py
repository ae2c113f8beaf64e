# Tiny E2E-VLP for unit tests: the paper's pre-training model with
# ResNet-18 at 1/8 width, d=64, 2+2 layers and a 50-word vocabulary.
_base_ = '../../../configs/_base_/models/e2evlp_r50.py'
default_scope = 'mmdet'

d = 64
# mmcv's deprecated `dropout=0.0` spelled out (attention and residual)
attn = dict(embed_dims=d, num_heads=4, attn_drop=0.0, batch_first=True,
            dropout_layer=dict(type='Dropout', drop_prob=0.0))
ffn = dict(embed_dims=d, feedforward_channels=2 * d, ffn_drop=0.0)
decoder = dict(
    num_layers=2,
    layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn))
model = dict(
    num_queries=8,
    backbone=dict(depth=18, base_channels=8, init_cfg=None),
    neck=dict(in_channels=[64], out_channels=d),
    encoder=dict(num_layers=2, layer_cfg=dict(self_attn_cfg=attn,
                                              ffn_cfg=ffn)),
    decoder=decoder,
    positional_encoding=dict(num_feats=d // 2),
    text_cfg=dict(
        vocab_size=50,
        bos_id=1,
        eos_id=2,
        max_position_embeddings=64,
        dropout=0.0),
    bbox_head=dict(num_classes=5, num_attributes=4),
    caption_head=dict(max_length=6, beam_size=2),
    test_cfg=dict(max_per_img=5, with_caption=True))
