# COCO (instances + captions) + Visual Genome (objects, attributes, region
# descriptions): the pre-training corpus of Sec. 4.1 (6.01M pairs, 180K
# images). Layout and converters: README, "Data preparation". An epoch
# visits every image once with one of its texts (text_sampling='image'),
# so 200 epochs mean what the paper can mean; downstream val/test images
# are left out (exclude_file).
data_root = 'data/'
# A local BERT-base-uncased WordPiece folder (no hub access at run time).
tokenizer_path = data_root + 'bert-base-uncased'
# One object / attribute vocabulary for both sources, written by
# tools/dataset_converters/vg_to_det.py: VG's 1600 / 400, with COCO's names
# mapped onto VG's (coco_to_vg.json).
metainfo = dict(
    classes=data_root + 'vg/annotations/objects_vocab.txt',
    attributes=data_root + 'vg/annotations/attributes_vocab.txt')
class_aliases = data_root + 'vg/annotations/coco_to_vg.json'
# Karpathy val/test and VQA val/test images (build_exclusion_list.py)
exclude_file = data_root + 'exclusions/pretrain_exclude.json'
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
# Validation scores every pre-training task: half of the texts are another
# image's (ITM) and 15% of tokens are masked (MLM), fixed per sample.
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    dict(type='E2EVLPSampleITMNegative', prob=0.5),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length),
    dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path,
         mask_prob=0.15),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'caption', 'source')),
]

coco_train = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=data_root + 'coco/',
    ann_file='annotations/instances_train2017.json',
    caption_file='annotations/captions_train2017.json',
    data_prefix=dict(img='train2017/'),
    metainfo=metainfo,
    class_aliases=class_aliases,
    text_sampling='image',
    exclude_file=exclude_file,
    pipeline=train_pipeline,
    backend_args=backend_args)
vg_train = dict(
    type='E2EVLPPretrainDataset',
    source='vg',
    data_root=data_root + 'vg/',
    ann_file='annotations/vg_det_train.json',
    data_prefix=dict(img=''),  # file names hold VG_100K/
    metainfo=metainfo,
    text_sampling='image',
    exclude_file=exclude_file,  # by the images' coco_id
    pipeline=train_pipeline,
    backend_args=backend_args)

train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = the paper's total batch of 32 (Sec. 4.2)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(type='ConcatDataset', datasets=[coco_train, vg_train]))
# COCO val2017 (box AP on COCO's 80 classes) and the VG val split (box AP
# on the VG vocabulary), one sample per image.
coco_val = dict(
    coco_train,
    ann_file='annotations/instances_val2017.json',
    caption_file='annotations/captions_val2017.json',
    data_prefix=dict(img='val2017/'),
    text_sampling='pair',
    exclude_file=None,
    test_mode=True,
    pipeline=test_pipeline)
vg_val = dict(
    vg_train,
    ann_file='annotations/vg_det_val.json',
    text_sampling='pair',
    exclude_file=None,
    test_mode=True,
    pipeline=test_pipeline)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ConcatDataset', datasets=[coco_val, vg_val]))
test_dataloader = val_dataloader

val_evaluator = [
    # predicted VG classes mapped back to COCO's category ids
    dict(type='E2EVLPCocoMetric',
         source='coco',
         class_aliases=class_aliases,
         ann_file=data_root + 'coco/annotations/instances_val2017.json',
         metric='bbox',
         backend_args=backend_args),
    dict(type='E2EVLPCocoMetric',
         source='vg',
         prefix='vg',
         ann_file=data_root + 'vg/annotations/vg_det_val.json',
         metric='bbox',
         backend_args=backend_args),
    dict(type='E2EVLPPretrainMetric'),
]
test_evaluator = val_evaluator
