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
# the base's warm-up, flat lr and cosine decay, the last two stretched
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], end=1500),
    dict(_base_.param_scheduler[2], begin=1500, end=max_iters),
]
train_cfg = dict(max_iters=max_iters)
