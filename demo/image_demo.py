# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Run an E2E-VLP checkpoint on your own images (mmdet's image_demo.py).

Examples (from the repository root)::

    # pre-training model: boxes + attributes + caption (+ ITM with --texts)
    python demo/image_demo.py scene.png work_dirs/demo --print-result
    # VQA / NLVR2 / retrieval
    python demo/image_demo.py scene.png configs/demo/e2evlp_shapes_vqa.py \\
        --weights work_dirs/demo_vqa/iter_900.pth \\
        --texts "what color is the circle?"
    python demo/image_demo.py left.png right.png work_dirs/demo_nlvr2 \\
        --texts "There are two circles."
    python demo/image_demo.py scene.png work_dirs/demo_retrieval \\
        --gallery "a red circle" "two blue squares"
    # every image of a folder ranked per text, encoded once into a cache
    python demo/image_demo.py work_dirs/demo_retrieval --gallery-dir DIR \\
        --texts "a red circle" --gallery-cache DIR.gallery.pth
"""
import json
import os.path as osp
from argparse import ArgumentParser, Namespace
from typing import Union

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.apis.gallery_search import FROM_CONFIG
from e2evlp_mm.engine import E2EVLPCheckpointError


def prefilter_topk(value: str) -> Union[int, None, str]:
    """``--prefilter-topk``: a number, ``all`` (None) or ``config``."""
    if value in ('all', FROM_CONFIG):
        return None if value == 'all' else value
    return int(value)


def parse_args() -> Namespace:
    parser = ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'inputs',
        nargs='*',
        help='image file(s) or a folder; NLVR2 takes pairs (left right '
        '...); retrieval with --texts ranks these images')
    parser.add_argument(
        'model', help='config file, or a tools/train.py work dir')
    parser.add_argument(
        '--weights', help="checkpoint (default: the work dir's last)")
    parser.add_argument(
        '--texts',
        nargs='+',
        help='question (VQA), statement (NLVR2) or text (ITM): one for all '
        'inputs or one per input; retrieval: text queries')
    parser.add_argument(
        '--gallery', nargs='+', help='retrieval: texts ranked per image')
    parser.add_argument(
        '--gallery-dir',
        help='retrieval: rank all images of this folder for each of '
        '--texts (instead of the inputs)')
    parser.add_argument(
        '--gallery-cache',
        help='retrieval: read the encoded gallery from this file, or '
        'write it there (refused if another checkpoint encoded it)')
    parser.add_argument(
        '--prefilter-topk',
        type=prefilter_topk,
        default=FROM_CONFIG,
        help="retrieval: joint passes per query ('all': every pair; "
        "default: the config's test_cfg.prefilter_topk)")
    parser.add_argument(
        '--task',
        help='detect, caption, itm, vqa, nlvr2, retrieve, or several '
        'joined by "+" (default: the model\'s tasks)')
    parser.add_argument(
        '--topk', type=int, default=5, help='retrieval: items per query')
    parser.add_argument(
        '--out-dir', default='outputs', help='writes vis/*.png and '
        'preds/*.json here')
    parser.add_argument(
        '--device', default=None, help='cpu, cuda:0, ... (default: auto)')
    parser.add_argument(
        '--pred-score-thr',
        type=float,
        default=0.3,
        help='minimum score of a drawn box')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='inference batch size')
    parser.add_argument(
        '--show', action='store_true', help='show the pictures in a window')
    parser.add_argument(
        '--no-save-vis', action='store_true', help='do not write pictures')
    parser.add_argument(
        '--no-save-pred', action='store_true', help='do not write json')
    parser.add_argument(
        '--print-result',
        action='store_true',
        help='print the predictions as JSON')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        run(args)
    except E2EVLPCheckpointError as error:  # e.g. a pickle with code
        raise SystemExit(str(error)) from None


def run(args: Namespace) -> None:
    """Load the model, predict, print and save."""
    if args.gallery_dir:
        if args.inputs or not args.texts:
            raise SystemExit('--gallery-dir ranks its images for --texts; '
                             'give no input images')
        args.inputs = [args.gallery_dir]
    if not args.inputs:
        raise SystemExit('give input images (or --gallery-dir)')
    missing = [p for p in args.inputs if not osp.exists(p)]
    if missing:
        raise SystemExit(f'no such image or folder: {", ".join(missing)}')
    inferencer = E2EVLPInferencer(
        args.model, weights=args.weights, device=args.device)
    texts = args.texts
    if texts is not None and len(texts) == 1:
        texts = texts[0]
    inputs = args.inputs[0] if len(args.inputs) == 1 else args.inputs
    if inferencer.tasks == ('nlvr2', ) or args.task == 'nlvr2':
        if len(args.inputs) % 2:
            raise SystemExit('NLVR2 takes pairs of images (left right ...)')
        inputs = list(zip(args.inputs[0::2], args.inputs[1::2]))
    results = inferencer(
        inputs,
        texts=texts,
        gallery=args.gallery,
        task=args.task,
        topk=args.topk,
        prefilter_topk=args.prefilter_topk,
        gallery_cache=args.gallery_cache,
        batch_size=args.batch_size,
        show=args.show,
        no_save_vis=args.no_save_vis,
        pred_score_thr=args.pred_score_thr,
        no_save_pred=args.no_save_pred,
        out_dir=args.out_dir)
    if args.print_result:
        for result in results['predictions']:
            print(json.dumps(result))
    if args.out_dir and not (args.no_save_vis and args.no_save_pred):
        print(f'results have been saved at {args.out_dir}')


if __name__ == '__main__':
    main()
