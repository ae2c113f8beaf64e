# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Does the model find the region a held-out description names?

    python tools/analysis_tools/grounding_accuracy.py \\
        configs/demo/e2evlp_shapes_pretrain.py CHECKPOINT \\
        --cfg-options model.grounding_head.type=E2EVLPGroundingHead

For a checkpoint pre-trained with ``E2EVLPGroundingHead``: every region
description of the test images (``--scenes``, the VG-format records of the
same images) is read by the caption decoder over the image-only encoding
(the box of its last word's state) and by the joint encoder with the image
(the mean box of its tokens after ``[CLS]``, those trained). Prints the
share of boxes at IoU >= 0.5 with the region's box and the mean IoU,
beside what picking one of the scene's objects at random gets (the share
of its objects at IoU >= 0.5): a model that knows the objects but not
which one the text names.
"""
import argparse
from collections import defaultdict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmengine.fileio import load
from torchvision.ops import box_iou

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.apis.predict_test_set import (
    VAL_SCENES,
    build_test_runner,
    load_config,
    test_set_parser,
)

Regions = Dict[int, List[Tuple[str, List[float]]]]


def scene_regions(scenes_file: str) -> Tuple[Regions, Dict]:
    """``image id -> [(phrase, xyxy / image size)]`` and ``image id ->
    object boxes (n, 4)``, the same way normalized."""
    data = load(scenes_file)
    size = {img['id']: (img['width'], img['height'])
            for img in data['images']}

    def norm(image_id: int, xywh: List[float]) -> List[float]:
        w, h = size[image_id]
        x, y, bw, bh = xywh
        return [x / w, y / h, (x + bw) / w, (y + bh) / h]

    regions, objects = defaultdict(list), defaultdict(list)
    for r in data['region_descriptions']:
        regions[int(r['image_id'])].append(
            (r['phrase'].strip(), norm(r['image_id'], r['bbox'])))
    for a in data['annotations']:
        objects[int(a['image_id'])].append(norm(a['image_id'], a['bbox']))
    return regions, {k: torch.tensor(v) for k, v in objects.items()}


@torch.no_grad()
def ground_batch(model, batch: dict, regions: Regions) -> Dict[str, list]:
    """``caption`` / ``encoder`` boxes (xyxy in [0, 1]) and ``truth`` of
    the regions of a batch's images, with their ``img_id``."""
    data = model.data_preprocessor(batch, False)
    samples = data['data_samples']
    feats = model.extract_feat(data['inputs'])
    memory = model.encode_image(feats, samples)
    head = model.grounding_head
    out = defaultdict(list)
    for b, sample in enumerate(samples):
        wanted = regions.get(int(sample.metainfo['img_id']), [])
        if not wanted:
            continue
        enc = model.tokenizer([p for p, _ in wanted], padding=True,
                              return_tensors='pt')
        ids = enc['input_ids'].to(memory['memory'].device)
        rows = torch.arange(len(ids))
        if 'caption' in head.sources:
            one = {k: v[b:b + 1] if torch.is_tensor(v) else v
                   for k, v in memory.items()}
            states = model.caption_decode_fn(None, None, one)(ids[:, :-1])
            last = enc['attention_mask'].sum(1) - 2  # the last word
            out['caption'].append(head(states, 'caption')[rows, last])
        if 'encoder' in head.sources:
            texts = []
            for row in ids:
                text = DetDataSample(metainfo=sample.metainfo)
                text.text_ids = row[row != model.text_embedding.pad_id]
                texts.append(text)
            joint = model.forward_transformer(
                tuple(f[b:b + 1].expand(len(ids), -1, -1, -1)
                      for f in feats), texts)
            words = enc['attention_mask'][:, 1:, None].to(ids.device)
            boxes = head(joint['text_feats'][:, 1:], 'encoder')
            out['encoder'].append((boxes * words).sum(1) / words.sum(1))
        out['truth'].append(torch.tensor([box for _, box in wanted]))
        out['img_id'] += [int(sample.metainfo['img_id'])] * len(wanted)
    return out


def summarize(boxes: Dict[str, torch.Tensor], truth: torch.Tensor,
              img_ids: List[int], objects: Dict) -> Dict[str, float]:
    """Acc@0.5 and mean IoU (percent) of each source's boxes (cx, cy, w,
    h), and Acc@0.5 of a random object of the scene."""
    out = {}
    for source, pred in boxes.items():
        iou = box_iou(bbox_cxcywh_to_xyxy(pred), truth).diag()
        out[f'{source}/acc50'] = 100.0 * float((iou >= 0.5).float().mean())
        out[f'{source}/miou'] = 100.0 * float(iou.mean())
    chance = [float((box_iou(objects[i], t[None])[:, 0] >= 0.5).float()
                    .mean()) if i in objects else 0.0
              for i, t in zip(img_ids, truth)]
    out['random_object/acc50'] = 100.0 * float(np.mean(chance))
    return out


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = test_set_parser(__doc__, 'work_dirs/grounding')
    parser.add_argument('--scenes', default=VAL_SCENES)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    """Returns:
        dict[str, float]: ``{caption,encoder}/{acc50,miou}`` (the sources
        the head grounds), ``random_object/acc50`` and ``regions``.
    """
    args = parse_args(argv)
    cfg = load_config(args)
    if not cfg.model.get('grounding_head'):
        raise SystemExit(f'{args.config} has no model.grounding_head: add '
                         'it with --cfg-options as the checkpoint was '
                         'trained')
    regions, objects = scene_regions(args.scenes)
    runner = build_test_runner(cfg, args.checkpoint, args.work_dir)
    model = runner.model.eval()
    parts = defaultdict(list)
    for batch in runner.test_dataloader:
        for key, value in ground_batch(model, batch, regions).items():
            parts[key] += value
    if not parts['truth']:
        raise SystemExit(f'no region description of the test images in '
                         f'{args.scenes}')
    truth = torch.cat(parts['truth'])
    boxes = {s: torch.cat(parts[s]).cpu().float()
             for s in ('caption', 'encoder') if parts[s]}
    out = summarize(boxes, truth, parts['img_id'], objects)
    for key, value in out.items():
        print(f'{key:22s} {value:5.1f}%')
    out['regions'] = len(truth)
    print(f'{len(truth)} region descriptions')
    return out


if __name__ == '__main__':
    main()
