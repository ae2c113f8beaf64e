# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Draw the samples a config's pipeline produces (mmdet's
``browse_dataset.py``).

Each picture shows the image (an NLVR2 pair side by side) as the pipeline
left it (resized, flipped), its ground-truth boxes named
``"<attribute> <class>"`` and a text panel: the text the encoder sees
(caption, region description, question with its answers, NLVR2 statement
with its label, a retrieval sentence), the ITM flag (matched pair or a
negative: another image's text), the paired caption and the tokens with
the MLM ``[MASK]`` s and their targets. Example::

    python tools/analysis_tools/browse_dataset.py \\
        configs/demo/e2evlp_shapes_pretrain.py --output-dir browse \\
        --show-number 20 --not-show
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmdet.registry import DATASETS, TRANSFORMS, VISUALIZERS
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement
from mmengine.utils import ProgressBar

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.apis.inference_pipeline import find_tokenize
from e2evlp_mm.visualization import gt_panel_lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', help='write the pictures here')
    parser.add_argument('--not-show', action='store_true',
                        help='do not show them in a window')
    parser.add_argument('--show-interval', type=float, default=2,
                        help='seconds each picture is shown')
    parser.add_argument('--phase', default='train',
                        choices=['train', 'val', 'test'],
                        help='whose dataloader (default: train)')
    parser.add_argument('--show-number', type=int,
                        help='the first N samples (default: all)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def to_rgb(inputs):
    """(3, H, W) BGR tensor(s) from ``PackE2EVLPInputs`` -> RGB arrays."""
    if isinstance(inputs, (list, tuple)):
        return [to_rgb(x) for x in inputs]
    return np.ascontiguousarray(inputs.permute(1, 2, 0).numpy()[..., ::-1])


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    dataset = DATASETS.build(cfg[f'{args.phase}_dataloader'].dataset)
    vis_cfg = dict(cfg.get('visualizer', {}), type='E2EVLPVisualizer',
                   name='browse_dataset')
    vis_cfg.pop('vis_backends', None)  # pictures go to --output-dir
    visualizer = VISUALIZERS.build(vis_cfg)
    visualizer.dataset_meta = dataset.metainfo
    tokenize = find_tokenize(cfg)
    tokenizer = TRANSFORMS.build(tokenize).tokenizer if tokenize else None
    show = not args.not_show
    if show and os.name != 'nt' and not os.environ.get('DISPLAY'):
        print('no display: pictures are not shown (--not-show)')
        show = False
    if args.output_dir:
        os.makedirs(args.output_dir, exist_ok=True)
    number = min(len(dataset), args.show_number or len(dataset))
    progress = ProgressBar(number)
    for index in range(number):
        item = dataset[index]
        sample = item['data_samples']
        gt = sample.get('gt_instances')
        if gt is not None and hasattr(gt.get('bboxes'), 'tensor'):
            gt.bboxes = gt.bboxes.tensor  # mmdet's box types -> tensor
        path = sample.get('img_path')
        paths = path if isinstance(path, (list, tuple)) else [path]
        stem = '+'.join(
            osp.splitext(osp.basename(p))[0] for p in paths if p)
        name = f'{index:05d}_{stem}'
        out_file = osp.join(args.output_dir, f'{name}.png') \
            if args.output_dir else None
        if not isinstance(sample, BaseDataElement):
            raise TypeError(f'sample {index}: the pipeline gave no '
                            'DetDataSample')
        visualizer.add_datasample(
            name, to_rgb(item['inputs']), sample, draw_gt=True,
            draw_pred=False, show=show, wait_time=args.show_interval,
            out_file=out_file, panel=gt_panel_lines(sample, tokenizer))
        progress.update()
    if args.output_dir:
        print(f'\nwrote {number} pictures to {args.output_dir}')


if __name__ == '__main__':
    main()
