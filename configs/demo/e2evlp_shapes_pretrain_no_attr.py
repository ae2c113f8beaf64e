# Table 3 in miniature (tools/analysis_tools/paper_table3.py): the demo
# pre-training with detection but no attribute prediction (L_v = class +
# box terms), as configs/e2evlp_r50_6l_pretrain_no_attr.py at paper scale.
_base_ = './e2evlp_shapes_pretrain.py'
model = dict(bbox_head=dict(num_attributes=0))
