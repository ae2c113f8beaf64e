# Tiny E2EVLPNLVR2 for unit tests: the tiny trunk, encoder only.
_base_ = './e2evlp_tiny.py'
model = dict(
    type='E2EVLPNLVR2',
    data_preprocessor=dict(type='E2EVLPNLVR2DataPreprocessor'),
    decoder=None,
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    train_cfg=None,
    test_cfg=None,
    nlvr2_head=dict(type='E2EVLPNLVR2Head'))
