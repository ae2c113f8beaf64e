# Shapes-world detection with paired text (Sec. 5.8, Table 7 analogue): the
# demo model's detector fine-tuned while its encoder reads one caption of
# the scene; no attributes, ITM negatives or masking; mmdet's CocoMetric.
#   python tools/train.py configs/demo/e2evlp_shapes_det.py \
#       --cfg-options load_from=work_dirs/demo/iter_1400.pth
_base_ = [
    '../_base_/models/e2evlp_shapes.py',
    '../_base_/datasets/shapes_world_det.py',
    '../_base_/schedules/shapes_world_finetune.py',
]
model = dict(
    bbox_head=dict(num_attributes=0),  # COCO-style: classes and boxes only
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    test_cfg=dict(_delete_=True, max_per_img=10, nms={{_base_.nms}}))

max_iters = 150
train_cfg = dict(max_iters=max_iters)
# The detector is already trained by pre-training: fine-tune gently. From
# the ITC 0.25 checkpoint (52.1 / 87.5 / 59.3 without fine-tuning) AP /
# AP50 / AP75 53.2 / 88.1 / 61.2 at 2e-5 with the backbone at 0.1x, 50.2 /
# 86.6 at 1e-4 and 0.1x, 48.1 / 84.8 / 49.3 at 1e-4 (docs/results.md,
# fine-tuning from a trained model)
optim_wrapper = dict(
    optimizer=dict(lr=2e-5),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
