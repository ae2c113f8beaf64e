# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Visual Genome raw files -> attribute-aware detection json(s).

Example::

    python tools/dataset_converters/vg_to_det.py data/vg \
        --out-dir data/vg/annotations --val-fraction 0.05

writes ``vg_det_train.json`` and ``vg_det_val.json`` (or ``vg_det.json``
without a split). The input files are read as streams and the outputs
written record by record: all of VG 1.2 converts in under 3 GB of memory
(docs/data_preparation.md, "At the real corpus size").
"""
import argparse
import json
import os
import os.path as osp

from e2evlp_mm.datasets.converters import (
    VGDetConversion,
    locate_vg_images,
    map_coco_to_vg,
    pick_val_ids,
)
from e2evlp_mm.datasets.json_stream import JsonStream


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('vg_dir', help='folder with image_data.json, '
                        'objects.json, attributes.json, '
                        'region_descriptions.json (and the image folders '
                        'VG_100K/, VG_100K_2/)')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--num-objects', type=int, default=1600)
    parser.add_argument('--num-attributes', type=int, default=400)
    parser.add_argument('--val-fraction', type=float, default=0.0,
                        help='random share of images for val')
    parser.add_argument('--val-ids', help='text file, one image id a line')
    parser.add_argument('--train-ids', help='text file, one image id a '
                        'line (default: every image not in val)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--coco-instances',
        help='COCO instances json: its category names are mapped onto '
        'the VG vocabulary (coco_to_vg.json), so COCO and VG share one '
        'class list')
    return parser.parse_args()


def _read_ids(path: str) -> set[int]:
    with open(path) as f:
        return {int(line) for line in f if line.strip()}


def coco_category_names(path: str) -> list[str]:
    """The ``categories`` names of a COCO instances json, read as a
    stream (the file is 450 MB for train2017)."""
    for key, value in JsonStream(path).members():
        if key == 'categories':
            return [c['name'] for _, c in value]
    return []


def write_vocabs(det: VGDetConversion, out_dir: str,
                 coco_instances: str = None) -> None:
    """Write ``objects_vocab.txt`` / ``attributes_vocab.txt``, one name a
    line, for the configs' ``metainfo`` (mmengine reads such files) and,
    given COCO, ``coco_to_vg.json``: each COCO category name -> its class
    in the joint vocabulary (``COCO_TO_VG``; docs/data_preparation.md).
    """
    classes = [c['name'] for c in det.categories]
    if coco_instances:
        coco = coco_category_names(coco_instances)
        aliases, appended = map_coco_to_vg(coco, classes)
        renamed = {k: v for k, v in aliases.items() if k != v}
        print(f'COCO -> VG: {len(coco) - len(appended)} of {len(coco)} '
              f'COCO classes are VG classes ({len(renamed)} renamed, e.g. '
              f'{dict(list(renamed.items())[:3])})')
        if appended:
            print(f'WARNING: {len(appended)} COCO classes have no VG '
                  f'counterpart and are appended to objects_vocab.txt, '
                  f'so the detection head has {len(classes) + len(appended)}'
                  f' classes: {appended}')
        classes += appended
        with open(osp.join(out_dir, 'coco_to_vg.json'), 'w') as f:
            json.dump(aliases, f, indent=1)
    attributes = [a['name'] for a in det.attribute_categories]
    for name, vocab in (('objects_vocab.txt', classes),
                        ('attributes_vocab.txt', attributes)):
        with open(osp.join(out_dir, name), 'w') as f:
            f.write('\n'.join(vocab) + '\n')


def main() -> None:
    args = parse_args()
    folders = locate_vg_images(args.vg_dir)
    det = VGDetConversion(args.vg_dir, num_objects=args.num_objects,
                          num_attributes=args.num_attributes,
                          image_folders=folders)
    if folders:
        print(f'images found on disk: {len(folders)} (VG_100K/ and '
              'VG_100K_2/); the others keep the folder of their url')
    os.makedirs(args.out_dir, exist_ok=True)
    all_ids = [i['id'] for i in det.images]
    if args.val_ids:
        val = _read_ids(args.val_ids)
    elif args.val_fraction > 0:
        val, note = pick_val_ids(all_ids, args.val_fraction, args.seed)
        print(note)
    else:
        val = None
    if val is None:
        outputs = {'vg_det.json': None}
    else:
        train = _read_ids(args.train_ids) if args.train_ids else \
            set(all_ids) - val
        outputs = {'vg_det_train.json': train, 'vg_det_val.json': val}
    write_vocabs(det, args.out_dir, args.coco_instances)
    counts = det.write({osp.join(args.out_dir, name): ids
                        for name, ids in outputs.items()})
    for path, (images, objects, regions) in counts.items():
        print(f'{osp.basename(path)}: {images} images, {objects} objects, '
              f'{regions} regions')


if __name__ == '__main__':
    main()
