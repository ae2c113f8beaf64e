# Flickr30K image-text retrieval fine-tuning of E2E-VLP R152 / 12 layers
# (Table 2): h_CLS -> linear score, circle loss over in-batch negatives
# (Sec. 5.1, following UNITER / ERNIE-ViL). Start from the pre-trained
# model: bash tools/dist_train.sh configs/e2evlp_r152_retrieval_flickr30k.py
#     8 --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/epoch_200.pth
# Testing runs on any number of processes (tools/dist_test.sh).
_base_ = [
    './_base_/models/e2evlp_r152_trunk.py',
    './_base_/datasets/flickr30k_retrieval.py',
    './_base_/e2evlp_runtime.py',
]
model = dict(
    type='E2EVLPRetriever',  # the encoder alone ranks
    # weights come from the pre-trained model: load_from=...
    backbone=dict(init_cfg=None),
    text_cfg=dict(tokenizer_path={{_base_.tokenizer_path}}),
    retrieval_head=dict(
        type='E2EVLPRetrievalHead',
        num_negatives=3,  # per pair and direction; the paper gives none
        loss_retrieval=dict(
            type='E2EVLPCircleLoss',
            margin=0.25,  # Sun et al.'s m
            gamma=64.0,  # Sun et al.'s re-ID scale
            loss_weight=1.0),
        itc_dims=256,  # dual-encoder pre-filter for test-time ranking
        loss_itc=dict(type='E2EVLPITCLoss', temperature=0.07,
                      loss_weight=1.0)),
    test_cfg=dict(text_batch_size=128))

# Sec. 5.1: batch 64, lr 5e-5, 4 epochs (no decay given: constant).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-5, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
train_cfg = dict(type='E2EVLPEpochBasedTrainLoop', max_epochs=4, val_interval=4)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(checkpoint=dict(save_best='retrieval/r_mean'))
