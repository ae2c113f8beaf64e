# COCO captioning on the Karpathy split (113K train+restval images, 5K
# test): one training sample per sentence, one test sample per image with
# its reference sentences. Layout: README, "Data preparation".
data_root = 'data/'
tokenizer_path = data_root + 'bert-base-uncased'
max_text_length = 40  # Sec. 4.2
backend_args = None

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    # the pre-training scale augmentation (Sec. 4.2, DETR's)
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='PackE2EVLPInputs'),
]
karpathy = dict(
    type='E2EVLPCaptionDataset',
    ann_file=data_root + 'karpathy/dataset_coco.json',
    data_prefix=dict(img=data_root + 'coco/'))  # + train2014/ or val2014/
train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = 32 (Sec. 5.1)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # no AspectRatioBatchSampler: these records carry no width / height
    dataset=dict(karpathy, split=('train', 'restval'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(karpathy, split='val', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(karpathy, split='test', test_mode=True,
                 pipeline=test_pipeline))
# references from each sample's gt_captions (the Karpathy sentences)
val_evaluator = dict(type='E2EVLPCaptionMetric')
test_evaluator = val_evaluator
