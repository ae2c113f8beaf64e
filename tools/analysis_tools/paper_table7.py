# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Table 7 in miniature: does paired text (and pre-training) help DETR?

    python tools/analysis_tools/paper_table7.py [--seeds 0 1]
        [--pretrain-scale 1] [--finetune-scale 1]

Three detectors tested with COCO AP / AP50 on the shapes world's val2017
scenes: mmdet's plain DETR of the demo model's size
(configs/demo/detr_shapes.py) and the detection-with-text model
(configs/demo/e2evlp_shapes_det.py), both without vision-language
pre-training on the demo pre-training recipe and iterations; and the
detection-with-text model fine-tuned (its own schedule) from the full
demo pre-training, which is shared with paper_table3.py under the same
``--work-dir``. Every row starts from the same pre-trained backbone (the
demo's ImageNet, as the paper's detectors start from an ImageNet ResNet).
"""
import argparse

import paper_runs as R

PRETRAIN = R.demo_config('e2evlp_shapes_pretrain')
DET = R.demo_config('e2evlp_shapes_det')
COLUMNS = {'AP': ('coco/bbox_mAP', 100.0), 'AP50': ('coco/bbox_mAP_50',
                                                    100.0)}
# Every row is decoded as DETR decodes (mmdet's DETRHead has no NMS): the
# demo detection config's duplicate suppression is turned off here.
DETR_DECODING = {'model.test_cfg.nms': None}
ROWS = {
    'detr': 'DETR (mmdet), no text, from scratch',
    'det_text': 'E2E-VLP det + text, from scratch',
    'det_text_pretrained': 'E2E-VLP det + text, fine-tuned from '
    'pre-training',
}


def run_row(key: str, seed: int, args: argparse.Namespace) -> dict:
    """Train and test one detector."""
    opts = args.cfg_options
    backbone = R.pretrained_backbone(args, seed)
    if key == 'det_text_pretrained':
        ckpt = R.train(PRETRAIN, args.work_dir, 'pretrain_full', seed,
                       args.pretrain_scale, load_from=backbone, options=opts)
        ckpt = R.train(DET, args.work_dir,
                       'det_from_' + ckpt.split('/')[-2], seed,
                       args.finetune_scale, load_from=ckpt, options=opts)
        return R.test(DET, ckpt, {**DETR_DECODING, **(opts or {})})
    config = R.demo_config('detr_shapes') if key == 'detr' else DET
    ckpt = R.train(config, args.work_dir, f'{key}_scratch', seed,
                   args.pretrain_scale, load_from=backbone,
                   schedule_from=PRETRAIN, options=opts)
    return R.test(config, ckpt, {**DETR_DECODING, **(opts or {})})


def main() -> None:
    R.run_table('table7', __doc__.splitlines()[0], 'detector', ROWS, COLUMNS,
                run_row)


if __name__ == '__main__':
    main()
