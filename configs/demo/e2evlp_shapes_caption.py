# Shapes-world captioning (Karpathy-format COCO scenes): the demo model
# fine-tuned as E2EVLPCaptioner with the paper's loss and search (label
# smoothing 0.1, beam 4, alpha 0.9; Sec. 5.1) on a short CPU schedule.
#   python tools/train.py configs/demo/e2evlp_shapes_caption.py \
#       --cfg-options load_from=work_dirs/demo/iter_900.pth
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/schedules/shapes_world_finetune.py',
]
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as the demo pre-training

model = dict(
    type='E2EVLPCaptioner',
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=dict(
        loss_cap=dict(
            _delete_=True,
            type='mmpretrain.LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original'),
        beam_size=4,
        length_penalty=0.9),
    train_cfg=None,
    test_cfg=None)

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
karpathy = dict(
    type='E2EVLPCaptionDataset',
    ann_file=data_root + 'karpathy/dataset_coco.json',
    data_prefix=dict(img=data_root + 'coco/'))
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(karpathy, split=('train', 'restval'),
                 pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(karpathy, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPCaptionMetric')

max_iters = 150
train_cfg = dict(max_iters=max_iters)
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[75, 112], gamma=0.1)
]
