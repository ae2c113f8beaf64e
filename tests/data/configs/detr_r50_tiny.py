# mmdet's own DETR-R50, inherited through `mmdet::`, shrunk for a CPU test.
_base_ = 'mmdet::detr/detr_r50_8xb2-150e_coco.py'
model = dict(
    backbone=dict(init_cfg=None),  # no download: random weights
    bbox_head=dict(num_classes=4),
    num_queries=10,
    test_cfg=dict(max_per_img=10))
