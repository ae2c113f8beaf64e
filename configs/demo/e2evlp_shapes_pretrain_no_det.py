# Table 3 in miniature (tools/analysis_tools/paper_table3.py): the demo
# pre-training without object detection (L = L_mlm + L_itm + L_dec, plus
# the demo's ITC as in every row), as
# configs/e2evlp_r50_6l_pretrain_no_det.py at paper scale.
_base_ = './e2evlp_shapes_pretrain.py'
model = dict(bbox_head=None)
