# E2E-VLP pre-training model, ResNet-50, 6 encoder / 6 decoder layers: the
# trunk (e2evlp_r50_trunk.py) with the shared decoder and the heads of the
# four pre-training tasks (Sec. 3.1.2-3.1.3, Eq. 3).
_base_ = './e2evlp_r50_trunk.py'

model = dict(
    type='E2EVLP',
    num_queries=100,  # DETR's N (Sec. 3.1.3 follows DETR)
    decoder=_base_.decoder,
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
            type='E2EVLPBatchHungarianAssigner',
            match_costs=[
                dict(type='ClassificationCost', weight=1.),
                dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
                dict(type='IoUCost', iou_mode='giou', weight=2.0)
            ])),
    test_cfg=dict(
        max_per_img=100, with_mlm=True, with_itm=True, with_caption=False))
