# Table 3 in miniature (tools/analysis_tools/paper_table3.py): the demo
# pre-training without the image captioning task (L = L_mlm + L_itm + L_v,
# plus the demo's ITC as in every row),
# as configs/e2evlp_r50_6l_pretrain_no_caption.py at paper scale.
_base_ = './e2evlp_shapes_pretrain.py'
model = dict(caption_head=None)
