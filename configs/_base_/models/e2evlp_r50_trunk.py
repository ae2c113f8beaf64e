# The trunk of E2E-VLP, ResNet-50, 6 encoder layers: image (backbone, 1x1
# conv), text embedding and cross-modal encoder, plus the shared 6-layer
# decoder as the top-level `decoder`, for the models that decode.
# Paper: Xu et al., ACL 2021, Sec. 3 (architecture) and Sec. 4.2 (sizes).
# The pre-training model (e2evlp_r50.py) adds the decoder and its heads;
# task configs give `type` and add their one head.
custom_imports = dict(imports=['e2evlp_mm'], allow_failed_imports=False)

d = 256  # Transformer hidden size (Sec. 4.2)
# Sec. 4.2 says 12 heads, which cannot divide d = 256: we use DETR's 8.
# mmcv's deprecated `dropout=0.1` spelled out (attention and residual)
attn = dict(embed_dims=d, num_heads=8, attn_drop=0.1, batch_first=True,
            dropout_layer=dict(type='Dropout', drop_prob=0.1))
ffn = dict(
    embed_dims=d,
    feedforward_channels=1024,  # intermediate size (Sec. 4.2)
    num_fcs=2,
    ffn_drop=0.1,
    act_cfg=dict(type='ReLU', inplace=True))
decoder = dict(  # fixed at 6 layers, shared by detection and captioning
    num_layers=6,
    layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn),
    return_intermediate=True)

model = dict(
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1),
    backbone=dict(
        type='ResNet',
        depth=50,  # 101 / 152 in Table 5
        num_stages=4,
        out_indices=(3, ),
        frozen_stages=1,
        # torchvision ResNet with frozen batchnorm (Sec. 4.2): frozen BN
        # needs the ImageNet weights (a from-scratch ResNet has zero BN
        # scales in every residual block), read from a local file, the
        # torchvision state dict (docs/data_preparation.md, "Backbone
        # weights"); mmdet's
        # 'torchvision://resnet50' works too where the hub is reachable.
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(
            type='Pretrained', checkpoint='data/pretrained/resnet50.pth')),
    neck=dict(  # the 1x1 conv from C = 2048 to d (Sec. 3.1.1)
        type='ChannelMapper',
        in_channels=[2048],
        kernel_size=1,
        out_channels=d,
        act_cfg=None,
        norm_cfg=None,
        num_outs=1),
    encoder=dict(  # 6 or 12 layers (Sec. 4.2, Table 5)
        num_layers=6,
        layer_cfg=dict(self_attn_cfg=attn, ffn_cfg=ffn)),
    positional_encoding=dict(num_feats=d // 2, normalize=True),
    text_cfg=dict(
        # BERT-base uncased WordPiece ids; with tokenizer_path set they are
        # read from the tokenizer instead.
        vocab_size=30522,
        pad_id=0,
        bos_id=101,  # [CLS]
        eos_id=102,  # [SEP]
        tokenizer_path=None,
        max_position_embeddings=512,
        dropout=0.1,
        init_from=None))
