# COCO captioning on the Karpathy split (113K train+restval images, 5K
# test): one training sample per sentence, one test sample per image with
# its reference sentences. Layout: docs/data_preparation.md.
_base_ = './paper_common.py'

train_pipeline = [
    _base_.load_image,
    _base_.train_resize,
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=_base_.max_text_length, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.test_resize,
    dict(type='PackE2EVLPInputs'),
]
karpathy = dict(
    type='E2EVLPCaptionDataset',
    ann_file=_base_.data_root + 'karpathy/dataset_coco.json',
    # + train2014/ or val2014/
    data_prefix=dict(img=_base_.data_root + 'coco/'))
# no AspectRatioBatchSampler: these records carry no width / height
train_dataloader = dict(
    dataset=dict(karpathy, split=('train', 'restval'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(karpathy, split='val', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(karpathy, split='test', test_mode=True,
                 pipeline=test_pipeline))
# references from each sample's gt_captions (the Karpathy sentences)
val_evaluator = dict(type='E2EVLPCaptionMetric')
test_evaluator = val_evaluator
