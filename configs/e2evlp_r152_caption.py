# COCO captioning fine-tuning of E2E-VLP R152 / 12 layers (Table 1):
# label-smoothed seq2seq loss, beam 4 with GNMT length penalty 0.9
# (Sec. 5.1). Start from the pre-trained model:
# bash tools/dist_train.sh configs/e2evlp_r152_caption.py 8 \
#     --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
_base_ = [
    './_base_/models/e2evlp_r152_trunk.py',
    './_base_/datasets/coco_caption.py',
    './_base_/schedules/finetune_12e.py',  # batch 32, 12 e, x0.1 at 6, 9
    './_base_/e2evlp_runtime.py',
]
model = dict(
    type='E2EVLPCaptioner',
    # weights come from the pre-trained model: load_from=...
    backbone=dict(init_cfg=None),
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    decoder=_base_.decoder,  # the pre-trained shared decoder
    caption_head=dict(
        type='E2EVLPCaptionHead',
        loss_cap=dict(  # label smoothing (Sec. 5.1; 0.1 as Szegedy et al.)
            type='mmpretrain.LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original'),
        max_length=40,  # max text length (Sec. 4.2)
        beam_size=4,  # Sec. 5.1
        length_penalty=0.9))  # alpha of Wu et al. (Sec. 5.1)
default_hooks = dict(checkpoint=dict(save_best='caption/CIDEr'))
