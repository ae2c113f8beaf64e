# The trunk of the demo model: e2evlp_shapes.py (the one place for the
# demo's sizes) without its pre-training parts, plus its shared `decoder`.
# The shapes-world task configs inherit it, give `type` and add their head.
_base_ = './e2evlp_shapes.py'
model = dict(
    _delete_=True,
    **{
        part: _base_.model[part]
        for part in ('data_preprocessor', 'backbone', 'neck', 'encoder',
                     'positional_encoding', 'text_cfg')
    })
