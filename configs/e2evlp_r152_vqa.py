# VQA v2 fine-tuning of the main E2E-VLP (R152, 12 encoder layers; Tables
# 1, 4-6): 8 GPUs x 4 = batch 32, 12 epochs (Sec. 5.1). Start from the
# pre-trained model:
#   bash tools/dist_train.sh configs/e2evlp_r152_vqa.py 8 \
#       --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
_base_ = [
    './_base_/models/e2evlp_r152_trunk.py',
    './_base_/datasets/vqa_v2.py',
    './_base_/schedules/finetune_12e.py',
    './_base_/e2evlp_runtime.py',
]
model = dict(
    type='E2EVLPVQA',
    # weights come from the pre-trained model: load_from=...
    backbone=dict(init_cfg=None),
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    # on the encoder (Sec. 1: understanding tasks fine-tune the encoder)
    vqa_head=dict(
        type='E2EVLPVQAHead',
        answer_list_path={{_base_.answer_list_path}}))
default_hooks = dict(checkpoint=dict(save_best='VQA/acc'))
