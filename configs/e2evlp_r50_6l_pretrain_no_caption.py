# Table 3 ablation: E2E-VLP R50, 6 layers, without the image captioning
# pre-training task (L = L_mlm + L_itm + L_v).
_base_ = './e2evlp_r50_6l_pretrain.py'
model = dict(caption_head=None)
