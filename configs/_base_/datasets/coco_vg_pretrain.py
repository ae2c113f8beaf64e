# COCO (instances + captions) + Visual Genome (objects, attributes, region
# descriptions): the pre-training corpus of Sec. 4.1 (6.01M pairs, 180K
# images). Layout and converters: README, "Data preparation".
data_root = 'data/'
# A local BERT-base-uncased WordPiece folder (no hub access at run time).
tokenizer_path = data_root + 'bert-base-uncased'
# One object / attribute vocabulary for both sources, written by
# tools/dataset_converters/vg_to_det.py (VG's 1600/400 + COCO's names).
metainfo = dict(
    classes=data_root + 'vg/annotations/objects_vocab.txt',
    attributes=data_root + 'vg/annotations/attributes_vocab.txt')
max_text_length = 40  # Sec. 4.2
backend_args = None

text_transforms = [
    dict(type='E2EVLPSampleITMNegative', prob=0.5),  # Sec. 3.1.2, ITM
    # Flipping also swaps "left"/"right" in the text, so the pair stays true.
    dict(type='E2EVLPRandomFlip', prob=0.5),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length),
    dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path,
         mask_prob=0.15),  # Sec. 3.1.2, MLM as in BERT
]
train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    # Scale augmentation of Sec. 4.2 (DETR's): shorter side 480..800,
    # longer side at most 1333.
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
    *text_transforms,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'caption')),
]

coco_train = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=data_root + 'coco/',
    ann_file='annotations/instances_train2017.json',
    caption_file='annotations/captions_train2017.json',
    data_prefix=dict(img='train2017/'),
    metainfo=metainfo,
    pipeline=train_pipeline,
    backend_args=backend_args)
vg_train = dict(
    type='E2EVLPPretrainDataset',
    source='vg',
    data_root=data_root + 'vg/',
    ann_file='annotations/vg_det_train.json',
    data_prefix=dict(img=''),  # file names hold VG_100K/
    metainfo=metainfo,
    pipeline=train_pipeline,
    backend_args=backend_args)

train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = the paper's total batch of 32 (Sec. 4.2)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(type='ConcatDataset', datasets=[coco_train, vg_train]))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='E2EVLPPretrainDataset',
        source='coco',
        data_root=data_root + 'coco/',
        ann_file='annotations/instances_val2017.json',
        caption_file='annotations/captions_val2017.json',
        data_prefix=dict(img='val2017/'),
        metainfo=metainfo,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'coco/annotations/instances_val2017.json',
         metric='bbox',
         backend_args=backend_args),
    dict(type='E2EVLPPretrainMetric'),
]
test_evaluator = val_evaluator
