# `make demo`'s pre-training for 1.5x the iterations, for hosts where it
# fits the minutes (`DEMO_CONFIG=configs/demo/e2evlp_shapes_pretrain_2100it.py
# make demo`): the same model, data and lr, flat until 1500, then cosine
# decay to 2100. Seeds 0 / 1, 2-core AMD EPYC: AP 70.2 / 71.2 vs 66.4 /
# 65.9, MLM 80.3 / 80.6 vs 73.0 / 73.3 over three mask draws; ITM and
# caption truth within their spreads; 16.5 instead of 11.5 minutes of
# training
# (docs/results.md, "Longer, deeper or smaller-batch").
_base_ = ['./e2evlp_shapes_pretrain.py']

max_iters = 2100
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0,
         end=100),
    dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=100,
         end=1500),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=1500,
         end=max_iters, eta_min=2e-5),
]
train_cfg = dict(max_iters=max_iters)
