# The shapes world's NLVR2 (statements about counts, colours and shapes
# across two scenes, about half true): 800 train pairs, 100 dev pairs.
_base_ = './shapes_world_common.py'

pipeline = [
    dict(type='E2EVLPApplyToImagePair',
         transforms=[_base_.load_image, _base_.resize]),
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=40, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
nlvr2 = dict(type='E2EVLPNLVR2Dataset', data_root=_base_.data_root + 'nlvr2/')
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        nlvr2, ann_file='train.json', data_prefix='images/train',
        pipeline=pipeline))
test_dataloader = dict(
    batch_size=50,
    dataset=dict(
        nlvr2, ann_file='dev.json', data_prefix='dev', test_mode=True,
        pipeline=pipeline))
test_evaluator = dict(type='E2EVLPNLVR2Acc')
