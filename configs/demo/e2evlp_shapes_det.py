# Shapes-world detection with paired text (Sec. 5.8, Table 7 analogue): the
# demo model's detector fine-tuned while its encoder reads one caption of
# the scene; no attributes, ITM negatives or masking; mmdet's CocoMetric.
#   python tools/train.py configs/demo/e2evlp_shapes_det.py \
#       --cfg-options load_from=work_dirs/demo/iter_900.pth
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/schedules/shapes_world_finetune.py',
]
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as the demo pre-training

model = dict(
    bbox_head=dict(num_attributes=0),  # COCO-style: classes and boxes only
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    test_cfg=dict(_delete_=True, max_per_img=10))

tokenize = dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
                max_length=40, keys=('text', ))
train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=False),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPRandomFlip', prob=0.5),  # swaps left/right in text
    tokenize,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPLoadAnnotations', with_bbox=True, with_attr=False),
    tokenize,
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text')),
]
coco = dict(
    type='E2EVLPPretrainDataset',
    source='coco',
    data_root=data_root + 'coco/',
    metainfo=None)  # the 8 shapes, from the annotation file
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        coco,
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017/'),
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        coco,
        ann_file='annotations/instances_val2017.json',
        caption_file='annotations/captions_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,  # one sample per scene, with its first caption
        pipeline=test_pipeline))
test_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'coco/annotations/instances_val2017.json',
    metric='bbox')

max_iters = 150
train_cfg = dict(max_iters=max_iters)
# The detector is already trained by pre-training: fine-tune gently.
optim_wrapper = dict(optimizer=dict(lr=2e-5))
