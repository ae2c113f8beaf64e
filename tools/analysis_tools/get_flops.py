# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""FLOPs and parameters of a config's model (mmdet's ``get_flops.py``,
mmengine's ``get_model_complexity_info``).

One image of ``--shape H W`` (default: the paper's 800 x 1333) with a
``--text-length``-token text, random weights, no file read (paper configs
build without their vocabulary files); counts the forward in tensor mode
(backbone, encoder over image and text tokens, decoder and heads without
caption generation). Example (paper Table 6 sizes)::

    python tools/analysis_tools/get_flops.py \\
        configs/e2evlp_r50_6l_pretrain.py --shape 448 448
"""
import argparse
from functools import partial

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from torch import nn

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.testing import build_model_without_files, make_e2evlp_batch


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--shape', type=int, nargs='+', default=[800, 1333],
        help='input size: H W (several: H W H W ...), or one side for H = W')
    parser.add_argument('--text-length', type=int, default=20,
                        help='[CLS] text [SEP] tokens')
    parser.add_argument('--show-table', action='store_true',
                        help='print the per-module table')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def complexity(model: nn.Module, shape: tuple,
               text_length: int = 20) -> dict:
    """``get_model_complexity_info`` of a model on one random sample.

    Args:
        model (nn.Module): An E2E-VLP model.
        shape (tuple[int, int]): Input ``(H, W)``.
        text_length (int): Tokens of the text.

    Returns:
        dict: mmengine's result (``flops``, ``flops_str``, ``params``,
        ``params_str``, ``out_table``).
    """
    inputs, samples = make_e2evlp_batch(
        1, image_sizes=(shape, ), vocab_size=model.head_args['vocab_size'],
        text_lengths=(text_length, ), training=False)
    forward = partial(type(model).forward, model, data_samples=samples,
                      mode='tensor')
    model.forward = forward  # what the trace calls with the images
    try:
        with torch.no_grad():
            return get_model_complexity_info(
                model, inputs=(inputs, ), show_table=True, show_arch=False)
    finally:
        del model.forward


def main() -> None:
    args = parse_args()
    MMLogger.get_instance('get_flops', log_level='WARNING')
    init_default_scope('mmdet')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    sides = args.shape * 2 if len(args.shape) == 1 else args.shape
    if len(sides) % 2:
        raise SystemExit(f'--shape: H W pairs, got {args.shape}')
    model = build_model_without_files(cfg).eval()
    if isinstance(model.test_cfg, dict) or hasattr(model.test_cfg, 'get'):
        model.test_cfg['with_caption'] = False
    split = '=' * 30
    for shape in zip(sides[0::2], sides[1::2]):
        result = complexity(model, shape, args.text_length)
        if args.show_table:
            print(result['out_table'])
        print(f'{split}\nInput shape: {shape[0]}x{shape[1]}, text of '
              f'{args.text_length} tokens\nFlops: {result["flops_str"]}\n'
              f'Params: {result["params_str"]}\n{split}', flush=True)


if __name__ == '__main__':
    main()
