# Table 6: the fine-tuned model tested at shorter / longer side
# 448 / 746 (3x faster than 800 / 1333). Training is unchanged: the paper
# reports inference speed-ups, so the size is varied at test time only.
_base_ = './e2evlp_r152_vqa.py'
test_pipeline = [
    dict(t, scale=(746, 448)) if t['type'] == 'Resize' else t
    for t in _base_.test_pipeline
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
