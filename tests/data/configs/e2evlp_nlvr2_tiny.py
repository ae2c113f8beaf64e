# Tiny E2EVLPNLVR2 for unit tests: the tiny trunk, encoder only.
_base_ = './e2evlp_tiny_trunk.py'
model = dict(
    type='E2EVLPNLVR2',
    data_preprocessor=dict(type='E2EVLPNLVR2DataPreprocessor'),
    nlvr2_head=dict(type='E2EVLPNLVR2Head'))
