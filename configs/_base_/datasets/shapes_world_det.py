# The shapes world's COCO detection with paired text (Sec. 5.8, Table 7
# analogue): training takes one caption of each scene, the test its first;
# no attributes, ITM negatives or masking; scored by mmdet's CocoMetric.
_base_ = './shapes_world_common.py'

load_boxes = dict(type='E2EVLPLoadAnnotations', with_bbox=True,
                  with_attr=False)
tokenize = dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
                max_length=40, keys=('text', ))
train_pipeline = [
    _base_.load_image,
    load_boxes,
    _base_.resize,
    dict(type='E2EVLPRandomFlip', prob=0.5),  # swaps left/right in text
    tokenize,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.resize,
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
    metainfo=None)  # the 8 shapes, from the annotation file
train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        coco,
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    dataset=dict(
        coco,
        ann_file='annotations/instances_val2017.json',
        caption_file='annotations/captions_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,  # one sample per scene, with its first caption
        pipeline=test_pipeline))
test_evaluator = dict(
    type='CocoMetric',
    ann_file=_base_.data_root + 'coco/annotations/instances_val2017.json',
    metric='bbox')
