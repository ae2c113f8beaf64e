# NLVR2 fine-tuning of the main E2E-VLP (R152, 12 encoder layers; Tables
# 1, 4-6): 8 GPUs x 4 = batch 32, 12 epochs (Sec. 5.1). Start from the
# pre-trained model:
#   bash tools/dist_train.sh configs/e2evlp_r152_nlvr2.py 8 \
#       --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
_base_ = [
    './_base_/models/e2evlp_r152_trunk.py',
    './_base_/datasets/nlvr2.py',
    './_base_/schedules/finetune_12e.py',
    './_base_/e2evlp_runtime.py',
]
model = dict(
    type='E2EVLPNLVR2',
    # flattens each pair into two images of one batch
    data_preprocessor=dict(type='E2EVLPNLVR2DataPreprocessor'),
    # weights come from the pre-trained model: load_from=...
    backbone=dict(init_cfg=None),
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    # on the encoder (Sec. 1: understanding tasks fine-tune the encoder)
    nlvr2_head=dict(type='E2EVLPNLVR2Head'))
default_hooks = dict(checkpoint=dict(save_best='NLVR2/acc'))
