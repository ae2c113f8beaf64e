# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Does the caption decoder know where the object it names is?

    python tools/analysis_tools/caption_positions.py \\
        configs/demo/e2evlp_shapes_pretrain.py work_dirs/demo/iter_1400.pth

For every held-out region description that says where its object is ("red
star in the top left corner"), the checkpoint's caption decoder scores the
description with each of the nine position phrases of the shapes world in
its place (teacher-forced log-probability of the whole text, over the
image-only encoding, as in training) and picks the best. Prints how often
the pick is the scene's own phrase, how often its left / right and its
top / bottom part are right, and the same for always naming the commonest
phrase. The images are the config's test set, the descriptions those of
``--scenes`` (the VG-format records of the same images).
"""
import argparse
import re
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.fileio import load

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.apis.predict_test_set import (
    VAL_SCENES,
    build_test_runner,
    load_config,
    test_set_parser,
)
from e2evlp_mm.datasets.shapes_world.language import POSITION_PHRASES

POSITION = re.compile(r'^(.+?) (' + '|'.join(POSITION_PHRASES) + r')\.?$')


def axes(phrase: str) -> Tuple[str, str]:
    """``(left|right|'', top|bottom|'')`` of a position phrase."""
    words = phrase.split()
    return (next((w for w in ('left', 'right') if w in words), ''),
            next((w for w in ('top', 'bottom') if w in words), ''))


def positioned_regions(scenes_file: str) -> Dict[int, List[Tuple[str, str]]]:
    """``image id -> [(words before the position, position phrase)]`` of
    the region descriptions that state a position."""
    regions = defaultdict(list)
    for region in load(scenes_file)['region_descriptions']:
        match = POSITION.match(region['phrase'].strip())
        if match:
            regions[int(region['image_id'])].append(match.groups())
    return regions


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = test_set_parser(__doc__, 'work_dirs/caption_positions')
    parser.add_argument('--scenes', default=VAL_SCENES)
    return parser.parse_args(argv)


@torch.no_grad()
def pick_positions(model, batch: dict,
                   regions: Dict[int, List[Tuple[str, str]]]
                   ) -> List[Tuple[str, str]]:
    """``(scene's phrase, decoder's pick)`` for the regions of a batch."""
    data = model.data_preprocessor(batch, False)
    samples = data['data_samples']
    memory = model.encode_image(model.extract_feat(data['inputs']), samples)
    pairs = []
    for b, sample in enumerate(samples):
        wanted = regions.get(int(sample.metainfo['img_id']), [])
        if not wanted:
            continue
        texts = [f'{head} {p}' for head, _ in wanted
                 for p in POSITION_PHRASES]
        enc = model.tokenizer(texts, padding=True, return_tensors='pt')
        ids = enc['input_ids'].to(memory['memory'].device)
        one = {k: v[b:b + 1] if torch.is_tensor(v) else v
               for k, v in memory.items()}
        states = model.caption_decode_fn(None, None, one)(ids[:, :-1])
        logp = model.caption_head(states).log_softmax(-1)
        token_logp = logp.gather(-1, ids[:, 1:, None])[..., 0]
        keep = enc['attention_mask'][:, 1:].to(token_logp)
        scores = (token_logp * keep).sum(1).view(len(wanted), -1)
        pairs += [(truth, POSITION_PHRASES[int(i)])
                  for (_, truth), i in zip(wanted, scores.argmax(1))]
    return pairs


def summarize(pairs: List[Tuple[str, str]]) -> Dict[str, float]:
    """Percent right: whole phrase, left / right part, top / bottom part,
    for the picks and for always the commonest phrase."""
    commonest = Counter(t for t, _ in pairs).most_common(1)[0][0]
    out = {}
    for name, guess in (('decoder', None), ('commonest', commonest)):
        picks = [(t, guess or p) for t, p in pairs]
        out[f'{name}/phrase'] = sum(t == p for t, p in picks)
        out[f'{name}/left_right'] = sum(
            axes(t)[0] == axes(p)[0] for t, p in picks)
        out[f'{name}/top_bottom'] = sum(
            axes(t)[1] == axes(p)[1] for t, p in picks)
    return {k: 100.0 * v / len(pairs) for k, v in out.items()}


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    """Returns:
        dict[str, float]: ``decoder/{phrase,left_right,top_bottom}`` and
        ``commonest/...`` in percent, and ``regions`` (their number).
    """
    args = parse_args(argv)
    cfg = load_config(args)
    regions = positioned_regions(args.scenes)
    runner = build_test_runner(cfg, args.checkpoint, args.work_dir)
    model = runner.model.eval()
    pairs = []
    for batch in runner.test_dataloader:
        pairs += pick_positions(model, batch, regions)
    if not pairs:
        raise SystemExit(f'no region description of the test images in '
                         f'{args.scenes} states a position')
    out = summarize(pairs)
    for key, value in out.items():
        print(f'{key:22s} {value:5.1f}%')
    print(f'{len(pairs)} region descriptions; commonest confusions '
          '(scene -> pick): ' + ', '.join(
              f'{t} -> {p} {n}' for (t, p), n in Counter(
                  (t, p) for t, p in pairs if t != p).most_common(4)))
    out['regions'] = len(pairs)
    return out


if __name__ == '__main__':
    main()
