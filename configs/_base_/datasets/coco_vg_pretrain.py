# COCO (instances + captions) + Visual Genome (objects, attributes, region
# descriptions): the pre-training corpus of Sec. 4.1 (6.01M pairs, 180K
# images). Layout and converters: docs/data_preparation.md. An epoch
# visits every image once with one of its texts (text_sampling='image'),
# so 200 epochs mean what the paper can mean; downstream val/test images
# are left out (exclude_file).
_base_ = './paper_common.py'
# the shared settings, under short names
data_root = _base_.data_root
tokenizer_path = _base_.tokenizer_path
max_text_length = _base_.max_text_length
backend_args = _base_.backend_args
# One object / attribute vocabulary for both sources, written by
# tools/dataset_converters/vg_to_det.py: VG's 1600 / 400, with COCO's names
# mapped onto VG's (coco_to_vg.json).
metainfo = dict(
    classes=data_root + 'vg/annotations/objects_vocab.txt',
    attributes=data_root + 'vg/annotations/attributes_vocab.txt')
class_aliases = data_root + 'vg/annotations/coco_to_vg.json'
# Karpathy val/test and VQA val/test images (build_exclusion_list.py)
exclude_file = data_root + 'exclusions/pretrain_exclude.json'

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
    _base_.load_image,
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=True),
    _base_.train_resize,
    *text_transforms,
    dict(type='PackE2EVLPInputs'),
]
# Validation scores every pre-training task: half of the texts are another
# image's (ITM) and 15% of tokens are masked (MLM), fixed per sample.
test_pipeline = [
    _base_.load_image,
    _base_.test_resize,
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
