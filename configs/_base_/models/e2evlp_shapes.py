# The small E2E-VLP of `make demo` (the shapes world, 2 CPU cores): the
# paper's pre-training model (e2evlp_r50.py) at demo scale. The demo
# pre-training and detection configs inherit it, the downstream task
# configs its trunk (e2evlp_shapes_trunk.py); their data settings live in
# configs/_base_/datasets/shapes_world_*.py.
_base_ = ['./e2evlp_r50.py']

d = 128
# mmcv's deprecated `dropout=0.0` spelled out (attention and residual)
attn = dict(embed_dims=d, num_heads=4, attn_drop=0.0, batch_first=True,
            dropout_layer=dict(type='Dropout', drop_prob=0.0))
ffn = dict(embed_dims=d, feedforward_channels=4 * d, ffn_drop=0.0)
decoder = dict(  # the trunk's shared `decoder`, for the captioner too
    num_layers=3,
    layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn))
# Not the paper's (DETR has no NMS): at test a lower-scored box of the same
# class on an object is dropped. The demo detector leaves duplicates (575
# boxes over 0.3 on the 767 held-out objects): AP50 78.8 -> 86.9, AP
# 50.5 -> 53.8, image alone (docs/results.md, `make demo`: duplicates)
nms = dict(type='nms', iou_threshold=0.5)
model = dict(
    num_queries=10,  # at most 4 objects per scene
    # Group DETR (3 groups of the queries in training, one at test): with
    # the pre-trained backbone AP50 43.7 vs 13.7 at 700 iterations
    # (docs/results.md); inference is the paper's DETR
    num_query_groups=3,
    backbone=dict(
        depth=18,
        num_stages=2,  # stride-8 features: 8x8 tokens for a 64 px image
        strides=(1, 2),
        dilations=(1, 1),
        out_indices=(1, ),
        frozen_stages=-1,
        # From scratch (no ImageNet weights offline), so BN must learn;
        # the paper freezes BN of a pre-trained ResNet.
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[128], out_channels=d),
    encoder=dict(num_layers=3, layer_cfg=dict(self_attn_cfg=attn,
                                              ffn_cfg=ffn)),
    decoder=decoder,
    positional_encoding=dict(num_feats=d // 2),
    text_cfg=dict(
        tokenizer_path='data/shapes_world/tokenizer',  # its own WordPiece
        max_position_embeddings=48,
        dropout=0.0),
    bbox_head=dict(num_classes=8, num_attributes=8),
    # Sec. 5.1's caption decoding: beam 4, GNMT length penalty 0.9
    caption_head=dict(max_length=24, beam_size=4, length_penalty=0.9),
    test_cfg=dict(max_per_img=10, with_caption=True, nms=nms))
