# The shapes world's COCO captioning (Karpathy-format split of the scenes):
# one training sample per sentence, one test sample per scene with its
# reference sentences.
_base_ = './shapes_world_common.py'

train_pipeline = [
    _base_.load_image,
    _base_.resize,
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=40, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [_base_.load_image, _base_.resize,
                 dict(type='PackE2EVLPInputs')]
karpathy = dict(
    type='E2EVLPCaptionDataset',
    ann_file=_base_.data_root + 'karpathy/dataset_coco.json',
    data_prefix=dict(img=_base_.data_root + 'coco/'))
train_dataloader = dict(
    batch_size=16,
    dataset=dict(karpathy, split=('train', 'restval'),
                 pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    dataset=dict(karpathy, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = [
    dict(type='E2EVLPCaptionMetric'),
    # are the captions true of their scenes? (Karpathy test = COCO val ids)
    dict(type='E2EVLPCaptionTruthMetric',
         ann_file=_base_.data_root + 'vg/annotations/vg_det_val.json'),
]
