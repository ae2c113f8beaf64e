# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Table 3 in miniature: which pre-training task helps understanding.

    python tools/analysis_tools/paper_table3.py [--seeds 0 1]
        [--pretrain-scale 1] [--finetune-scale 1] [--rows full none ...]

Pre-trains the demo model (configs/demo/e2evlp_shapes_pretrain.py) on the
shapes world four ways (full; without captioning, attributes or detection:
the ``*_no_{caption,attr,det}.py`` configs beside it), then fine-tunes each,
and a model with no pre-training, on the shapes VQA and captioning configs
(every row starts from the same pre-trained backbone, the demo's ImageNet)
with the same schedule and seed, and prints VQA accuracy (overall and per
question type), BLEU-4, CIDEr and caption truth as mean ± sample std over
the seeds. Run from the repository root (the configs read
``data/shapes_world``, generated here when missing).
"""
import argparse

import paper_runs as R

# row key -> (row label, pre-training config or None)
ROWS = {
    'full': ('E2E-VLP (all tasks)', 'e2evlp_shapes_pretrain'),
    'no_caption': ('w/o image captioning',
                   'e2evlp_shapes_pretrain_no_caption'),
    'no_attr': ('w/o attribute prediction', 'e2evlp_shapes_pretrain_no_attr'),
    'no_det': ('w/o object detection', 'e2evlp_shapes_pretrain_no_det'),
    'none': ('no pre-training', None),
}
# task -> (fine-tuning config, {column: (metric key, scale)})
TASKS = {
    # by question type too: which kind of question a pre-training task helps
    'vqa': ('e2evlp_shapes_vqa', {
        'VQA acc': ('VQA/acc', 1.0),
        'yes/no': ('VQA/acc_yes_no', 1.0),
        'number': ('VQA/acc_number', 1.0),
        'other': ('VQA/acc_other', 1.0)
    }),
    # caption truth (percent): true of the scene / true and naming a shape
    # (a caption that states nothing checkable counts as true)
    'caption': ('e2evlp_shapes_caption', {
        'BLEU-4': ('caption/Bleu_4', 100.0),
        'CIDEr': ('caption/CIDEr', 100.0),
        'true': ('caption_truth/true', 1.0),
        'true + shape': ('caption_truth/true_shape', 1.0)
    }),
}


def run_row(key: str, seed: int, args: argparse.Namespace) -> dict:
    """Pre-train (unless ``none``), fine-tune and test every task."""
    pretrain = ROWS[key][1]
    ckpt = backbone = R.pretrained_backbone(args, seed)
    if pretrain is not None:
        ckpt = R.train(R.demo_config(pretrain), args.work_dir,
                       f'pretrain_{key}', seed, args.pretrain_scale,
                       load_from=backbone, options=args.cfg_options)
    metrics = {}
    for task, (config, _) in TASKS.items():
        config = R.demo_config(config)
        # the work dir names the checkpoint's run, so a rerun at another
        # pre-training length does not reuse this fine-tuning
        parent = ckpt.split('/')[-2] if pretrain else 'scratch'
        task_ckpt = R.train(config, args.work_dir, f'{task}_from_{parent}',
                            seed, args.finetune_scale, load_from=ckpt,
                            options=args.cfg_options)
        metrics.update(R.test(config, task_ckpt, args.cfg_options))
    return metrics


def main() -> None:
    columns = {c: km for _, cols in TASKS.values() for c, km in cols.items()}
    R.run_table('table3', __doc__.splitlines()[0], 'pre-training',
                {key: label for key, (label, _) in ROWS.items()}, columns,
                run_row)


if __name__ == '__main__':
    main()
