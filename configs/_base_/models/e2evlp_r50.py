# E2E-VLP pre-training model, ResNet-50, 6 encoder / 6 decoder layers.
# Paper: Xu et al., ACL 2021, Sec. 3 (architecture) and Sec. 4.2 (sizes).
custom_imports = dict(imports=['e2evlp_mm'], allow_failed_imports=False)

d = 256  # Transformer hidden size (Sec. 4.2)
# Sec. 4.2 says 12 heads, which cannot divide d = 256: we use DETR's 8.
attn = dict(embed_dims=d, num_heads=8, dropout=0.1, batch_first=True)
ffn = dict(
    embed_dims=d,
    feedforward_channels=1024,  # intermediate size (Sec. 4.2)
    num_fcs=2,
    ffn_drop=0.1,
    act_cfg=dict(type='ReLU', inplace=True))

model = dict(
    type='E2EVLP',
    num_queries=100,  # DETR's N (Sec. 3.1.3 follows DETR)
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
        # torchvision state dict (README, "Backbone weights"); mmdet's
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
    decoder=dict(  # fixed at 6 layers, shared by detection and captioning
        num_layers=6,
        layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn),
        return_intermediate=True),
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
        init_from=None),
    bbox_head=dict(
        type='E2EVLPHead',
        # Visual Genome objects / attributes (BUTD vocabulary: 1600 / 400);
        # the pre-training configs give the vocabulary files instead, so
        # the head has exactly the dataset's classes.
        num_classes=1600,
        num_attributes=400,
        loss_cls=dict(
            type='CrossEntropyLoss',
            bg_cls_weight=0.1,
            use_sigmoid=False,
            loss_weight=1.0,
            class_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0),
        loss_attr=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    # Eq. 3 sums the four losses with weight 1
    mlm_head=dict(
        type='E2EVLPMLMHead',
        loss_mlm=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    itm_head=dict(
        type='E2EVLPITMHead',
        loss_itm=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    caption_head=dict(
        type='E2EVLPCaptionHead',
        loss_cap=dict(type='CrossEntropyLoss', loss_weight=1.0),
        max_length=40,  # max text length (Sec. 4.2)
        beam_size=1,
        length_penalty=0.0),
    train_cfg=dict(  # DETR's matching costs
        assigner=dict(
            type='HungarianAssigner',
            match_costs=[
                dict(type='ClassificationCost', weight=1.),
                dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
                dict(type='IoUCost', iou_mode='giou', weight=2.0)
            ])),
    test_cfg=dict(
        max_per_img=100, with_mlm=True, with_itm=True, with_caption=False))
