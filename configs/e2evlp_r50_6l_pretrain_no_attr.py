# Table 3 ablation: E2E-VLP R50, 6 layers, detection without the attribute
# prediction of Visual Genome objects (L_v = class + box terms only).
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(bbox_head=dict(num_attributes=0))
