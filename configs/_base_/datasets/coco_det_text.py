# COCO 2017 detection where the encoder also reads a caption of the image
# (Sec. 5.8, Table 7). Training: one sample per image and epoch with one of
# its captions; test: one per image with its first caption. No ITM
# negatives, no masking. Scored by mmdet's CocoMetric.
_base_ = './paper_common.py'

load_boxes = dict(type='E2EVLPLoadAnnotations', with_bbox=True,
                  with_attr=False)
tokenize = dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
                max_length=_base_.max_text_length, keys=('text', ))
train_pipeline = [
    _base_.load_image,
    load_boxes,
    _base_.train_resize,  # DETR's scale augmentation
    dict(type='E2EVLPRandomFlip', prob=0.5),  # swaps left/right in text
    tokenize,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.test_resize,
    load_boxes,
    tokenize,
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text')),
]
coco = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=_base_.data_root + 'coco/',
    metainfo=None,  # the 80 classes of the annotation file, in its order
    backend_args=_base_.backend_args)
train_dataloader = dict(
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        coco,
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True),
        text_sampling='image',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    dataset=dict(
        coco,
        ann_file='annotations/instances_val2017.json',
        caption_file='annotations/captions_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='CocoMetric',
    ann_file=_base_.data_root + 'coco/annotations/instances_val2017.json',
    metric='bbox',
    backend_args=_base_.backend_args)
test_evaluator = val_evaluator
