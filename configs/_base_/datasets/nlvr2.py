# NLVR2 (Sec. 5.1): is a statement true of an image pair? Trained on train
# (86K), scored on dev (7K). Layout: docs/data_preparation.md. Each image
# goes through the per-image pipeline; E2EVLPNLVR2DataPreprocessor (set in
# the model) batches the pairs.
_base_ = './paper_common.py'

# no flip: statements speak of left and right images
train_image_pipeline = [_base_.load_image, _base_.train_resize]
test_image_pipeline = [_base_.load_image, _base_.test_resize]
text_pipeline = [
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=_base_.max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
train_pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=train_image_pipeline),
    *text_pipeline,
]
test_pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=test_image_pipeline),
    *text_pipeline,
]
nlvr2 = dict(type='E2EVLPNLVR2Dataset', data_root=_base_.data_root + 'nlvr2/')
train_dataloader = dict(
    dataset=dict(
        nlvr2,
        ann_file='train.json',
        data_prefix='images/train',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        nlvr2,
        ann_file='dev.json',
        data_prefix='dev',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader  # test1.json / test1/ for Test-P
val_evaluator = dict(type='E2EVLPNLVR2Acc')
test_evaluator = val_evaluator
