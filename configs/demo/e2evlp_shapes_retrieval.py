# Shapes-world image-text retrieval (Flickr30k-format split: 240 train, 30
# test scenes, 5 sentences each): the demo model fine-tuned as
# E2EVLPRetriever (circle loss, Sec. 5.1) with the dual-encoder pre-filter.
#   python tools/train.py configs/demo/e2evlp_shapes_retrieval.py \
#       --cfg-options load_from=work_dirs/demo/iter_900.pth
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/schedules/shapes_world_finetune.py',
]
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # as the demo pre-training

model = dict(
    type='E2EVLPRetriever',
    decoder=None,  # the encoder alone ranks
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    retrieval_head=dict(
        type='E2EVLPRetrievalHead',
        num_negatives=1,  # 3 joint passes per pair keeps CPU steps short
        loss_retrieval=dict(
            type='E2EVLPCircleLoss', margin=0.25, gamma=64.0,
            loss_weight=1.0),
        itc_dims=64,
        loss_itc=dict(type='E2EVLPITCLoss', temperature=0.07,
                      loss_weight=1.0)),
    train_cfg=None,
    test_cfg=dict(_delete_=True, text_batch_size=256))

text_pipeline = [
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40),
]
train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    *text_pipeline,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
flickr = dict(
    type='E2EVLPRetrievalDataset',
    ann_file=data_root + 'karpathy/dataset_flickr30k.json',
    data_prefix=data_root + 'flickr30k/flickr30k-images/')
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))

max_iters = 600
train_cfg = dict(max_iters=max_iters)
test_cfg = dict(type='E2EVLPRetrievalTestLoop', text_pipeline=text_pipeline)
