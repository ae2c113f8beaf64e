# Table 3 ablation: E2E-VLP R50, 6 layers, without the object detection
# pre-training task (L = L_mlm + L_itm + L_dec).
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(bbox_head=None)
