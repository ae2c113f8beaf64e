# The trunk of the tiny model (e2evlp_tiny.py without its pre-training
# parts, plus its shared `decoder`): tiny task models add their head.
_base_ = './e2evlp_tiny.py'
model = dict(
    _delete_=True,
    **{
        part: _base_.model[part]
        for part in ('data_preprocessor', 'backbone', 'neck', 'encoder',
                     'positional_encoding', 'text_cfg')
    })
