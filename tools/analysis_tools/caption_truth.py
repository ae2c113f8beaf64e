# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Judge captions against the shapes-world scene records; show false ones.

    python tools/analysis_tools/caption_truth.py WORK_DIR_OR_PREDICTIONS

The argument is one of:

- a ``tools/train.py`` work dir (``work_dirs/demo``,
  ``work_dirs/demo_caption``): its model captions each image of its
  config's test set (as ``demo_pictures.py`` loads it: dumped config and
  last checkpoint);
- what ``tools/test.py --out results.json`` wrote for a captioning
  config: COCO caption results (``[{"image_id", "caption"}]``);
- reference captions: a COCO ``captions_*.json`` (every caption) or a
  Karpathy ``dataset_coco.json`` (the ``--split`` images' sentences).

Scenes are read from ``--scenes`` (default: the work dir config's
``E2EVLPCaptionTruthMetric`` file, else
``data/shapes_world/vg/annotations/vg_det_val.json``). Prints the share of
captions true of their scene, the share true and naming a shape, the share
with each kind of error (an absent object, a wrong count, one object named
as two, a colour, a relation, a position) and ``--examples`` false
captions with why (see ``e2evlp_mm/evaluation/caption_truth.py``).
"""
import argparse
import json
import os.path as osp
from typing import List, Optional, Tuple

from mmdet.registry import DATASETS

from e2evlp_mm.evaluation.caption_truth import (
    error_shares,
    judge_caption,
    load_scenes,
    summarize,
)

DEFAULT_SCENES = 'data/shapes_world/vg/annotations/vg_det_val.json'
Captions = List[Tuple[int, str]]  # (image id, caption)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('source', help='work dir, results or captions file')
    parser.add_argument('--scenes', help='vg_det_*.json scene records')
    parser.add_argument('--split', default='test',
                        help='Karpathy split of a dataset_coco.json')
    parser.add_argument('--examples', type=int, default=5,
                        help='false captions shown')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch-size', type=int, default=16)
    return parser.parse_args()


def file_captions(path: str, split: str) -> Captions:
    """Captions of a results or captions ``.json`` (json only: a pickle
    could run code when loaded)."""
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict) and 'annotations' in data:  # COCO captions
        data = data['annotations']
    elif isinstance(data, dict):  # Karpathy
        return [(img['cocoid'], s['raw']) for img in data['images']
                if img['split'] == split for s in img['sentences']]
    return [(int(d['image_id']), d['caption']) for d in data]


def model_captions(work_dir: str, device: str,
                   batch_size: int) -> Tuple[Captions, Optional[str]]:
    """Caption a work dir's test images with its model.

    Returns:
        tuple: ``(image id, caption)`` per test image, and the scene file
        of the config's ``E2EVLPCaptionTruthMetric`` (None if it has none).
    """
    from e2evlp_mm.apis import E2EVLPInferencer
    from e2evlp_mm.engine import exit_on_data_error
    with exit_on_data_error(work_dir):  # e.g. a pickle with code
        inferencer = E2EVLPInferencer(work_dir, device=device)
    cfg = inferencer.cfg
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    paths = {}  # image id -> path, one per image
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        paths.setdefault(int(info['img_id']), info['img_path'])
    preds = inferencer(list(paths.values()), task='caption',
                       batch_size=batch_size)['predictions']
    evaluators = cfg.test_evaluator
    if not isinstance(evaluators, (list, tuple)):
        evaluators = [evaluators]
    scenes = next((m['ann_file'] for m in evaluators
                   if m.get('type') == 'E2EVLPCaptionTruthMetric'), None)
    return [(i, p['caption']) for i, p in zip(paths, preds)], scenes


def main() -> None:
    args = parse_args()
    scenes_file = args.scenes
    if osp.isdir(args.source):
        captions, from_config = model_captions(args.source, args.device,
                                               args.batch_size)
        scenes_file = scenes_file or from_config
    else:
        captions = file_captions(args.source, args.split)
    scenes = load_scenes(scenes_file or DEFAULT_SCENES)
    missing = sorted({i for i, _ in captions if i not in scenes})
    if missing:
        raise SystemExit(f'no scene for images {missing[:5]} in '
                         f'{scenes_file or DEFAULT_SCENES}; pass --scenes')
    verdicts = [(i, judge_caption(c, scenes[i])) for i, c in captions]
    scores = summarize(v for _, v in verdicts)
    false = [(i, v) for i, v in verdicts if not v.true]
    print(f'{len(verdicts)} captions of '
          f'{len({i for i, _ in captions})} images: '
          f'{scores["true"]:.1f}% true, {scores["true_shape"]:.1f}% true '
          'and naming a shape')
    print('captions with an error of each kind: ' + ', '.join(
        f'{kind} {share:.1f}%'
        for kind, share in error_shares(v for _, v in verdicts).items()))
    shown = false[:args.examples]
    print(f'false captions ({len(shown)} of {len(false)}):')
    for img_id, verdict in shown:
        print(f'  image {img_id}: "{verdict.caption}" -- '
              + '; '.join(verdict.errors))


if __name__ == '__main__':
    main()
