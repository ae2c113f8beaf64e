# Table 6: the fine-tuned model tested at shorter / longer side
# 448 / 448 (5x faster than 800 / 1333). Training is unchanged: the paper
# reports inference speed-ups, so the size is varied at test time only.
_base_ = './e2evlp_r152_nlvr2.py'
test_image_pipeline = [
    dict(t, scale=(448, 448)) if t['type'] == 'Resize' else t
    for t in _base_.test_image_pipeline
]
test_pipeline = [
    dict(type='E2EVLPApplyToImagePair', transforms=test_image_pipeline),
    *_base_.text_pipeline,
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
