# COCO 2017 detection where the encoder also reads a caption of the image
# (Sec. 5.8, Table 7). Training: one sample per image and epoch with one of
# its captions; test: one per image with its first caption. No ITM
# negatives, no masking. Scored by mmdet's CocoMetric.
data_root = 'data/'
tokenizer_path = data_root + 'bert-base-uncased'
max_text_length = 40  # Sec. 4.2
backend_args = None

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=False),
    dict(type='RandomChoiceResize',  # DETR's scale augmentation
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
    dict(type='E2EVLPRandomFlip', prob=0.5),  # swaps left/right in text
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=False),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text')),
]
coco = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=data_root + 'coco/',
    metainfo=None,  # the 80 classes of the annotation file, in its order
    backend_args=backend_args)
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
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
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
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
    ann_file=data_root + 'coco/annotations/instances_val2017.json',
    metric='bbox',
    backend_args=backend_args)
test_evaluator = val_evaluator
