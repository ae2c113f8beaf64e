# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Write a whole shapes world: images, published formats, tokenizer."""
import json
import os
import os.path as osp
import random

from ..converters import convert_vg_to_det, split_det
from ..converters.vqa_answers import build_answer_vocab
from ..tokenizer_training import train_wordpiece
from .formats import (
    ImageRecord,
    coco_captions,
    coco_instances,
    coco_name,
    karpathy_split,
    vg_files,
    vqa_files,
)
from .language import make_captions, make_regions
from .questions import human_answers, make_questions
from .render import encode_image, render_scene
from .scene import (
    COLOURS,
    MAX_SIZE_FRAC,
    MIN_SIZE_FRAC,
    SHAPES,
    Scene,
    sample_scene,
)
from .statements import make_nlvr2_pairs


def _write(path: str, data: bytes | str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def _dump(path: str, obj) -> None:
    _write(path, json.dumps(obj))


def _coco_records(out: str, num: int, seed: int, size: int,
                  val_fraction: float, num_questions: int) -> list:
    """Sample, draw and write the COCO (= VG = VQA) images."""
    num_val = max(1, round(num * val_fraction)) if num > 1 else 0
    records = []
    for image_id in range(1, num + 1):
        rng = random.Random(f'{seed}/coco/{image_id}')
        split = 'train' if image_id <= num - num_val else 'val'
        rec = ImageRecord(image_id, split, sample_scene(rng, size))
        rec.captions = make_captions(rng, rec.scene)
        rec.regions = make_regions(rng, rec.scene)
        rec.questions = make_questions(rng, rec.scene, num_questions)
        for q in rec.questions:
            q['answers'] = human_answers(rng, q['answer'], q['answer_type'])
        jpg = encode_image(render_scene(rec.scene))
        for path in (f'coco/{split}2017/{coco_name(image_id, split, 2017)}',
                     f'coco/{split}2014/{coco_name(image_id, split, 2014)}',
                     f'vg/VG_100K/{image_id}.jpg'):
            _write(osp.join(out, path), jpg)
        records.append(rec)
    return records


def flickr_scene(seed: int, index: int,
                 size: int = 128) -> tuple[Scene, random.Random]:
    """The scene of Flickr30k image ``index`` (``1000000 + index``.jpg)
    of the world made with ``seed`` (no annotation file records it), and
    the generator's random state after it, which then draws its captions.
    """
    rng = random.Random(f'{seed}/flickr/{index}')
    return sample_scene(rng, size), rng


def _flickr(out: str, num: int, seed: int, size: int) -> tuple[list, list]:
    """Flickr30k images and their Karpathy items (train/val/test)."""
    items, texts = [], []
    num_test = num_val = max(1, num // 10) if num >= 3 else 0
    for i in range(num):
        scene, rng = flickr_scene(seed, i, size)
        caps = make_captions(rng, scene)
        name = f'{1000000 + i}.jpg'
        _write(osp.join(out, 'flickr30k/flickr30k-images', name),
               encode_image(render_scene(scene)))
        split = 'test' if i >= num - num_test else \
            'val' if i >= num - num_test - num_val else 'train'
        items.append((dict(filename=name), split, caps))
        texts += caps
    return items, texts


def _nlvr2(out: str, num: int, seed: int, size: int) -> list[str]:
    """NLVR2 json-lines and PNG images; returns the sentences."""
    texts = []
    num_dev = num_test = max(2, num // 10)
    for split, n in (('train', max(2, num - num_dev - num_test)),
                     ('dev', num_dev), ('test1', num_test)):
        lines = []
        for pair in make_nlvr2_pairs(seed, split, n, size):
            set_id = int(pair.stem.split('-')[1])
            folder = f'images/train/{set_id % 100}' if split == 'train' \
                else split
            for k, scene in enumerate((pair.left, pair.right)):
                _write(osp.join(out, 'nlvr2', folder,
                                f'{pair.stem}-img{k}.png'),
                       encode_image(render_scene(scene), 'PNG'))
            for identifier, sentence, label in pair.examples:
                entry = dict(identifier=identifier, sentence=sentence,
                             label=str(label), synset='shape.n.02',
                             query='shapes')
                if split == 'train':
                    entry['directory'] = set_id % 100
                lines.append(json.dumps(entry) + '\n')
                texts.append(sentence)
        _write(osp.join(out, 'nlvr2', f'{split}.json'), ''.join(lines))
    return texts


def make_shapes_world(out_dir: str, num_images: int = 2000, seed: int = 0,
                      image_size: int = 128, num_nlvr2: int = 5000,
                      num_flickr: int = 300, val_fraction: float = 0.15,
                      questions_per_image: int = 5,
                      tokenizer: bool = True) -> dict[str, int]:
    """Generate a shapes world under ``out_dir`` (layout: package doc).

    Args:
        out_dir (str): Output root.
        num_images (int): COCO train + val images (also the VG / VQA
            images). Defaults to 2000.
        seed (int): Seed; equal seeds give byte-identical outputs.
        image_size (int): Image side in pixels. Defaults to 128.
        num_nlvr2 (int): NLVR2 statements over train/dev/test1 (80/10/10,
            two statements per image pair). Defaults to 5000: with 800
            training statements the demo model learnt them by heart
            (docs/results.md, `make demo-downstream`).
        num_flickr (int): Flickr30k images. Defaults to 300.
        val_fraction (float): COCO val share. Defaults to 0.15.
        questions_per_image (int): VQA questions per image. Defaults to 5.
        tokenizer (bool): Train ``tokenizer/`` on all texts. Defaults to
            True.

    Returns:
        dict[str, int]: Counts of what was written.
    """
    out = out_dir
    recs = _coco_records(out, num_images, seed, image_size, val_fraction,
                         questions_per_image)
    by_split = {s: [r for r in recs if r.split == s] for s in ('train', 'val')}
    num_caps, vqa_anns = 1, []
    for split, rs in by_split.items():
        ann = osp.join(out, 'coco/annotations')
        _dump(f'{ann}/instances_{split}2017.json', coco_instances(rs))
        _dump(f'{ann}/captions_{split}2017.json', coco_captions(rs, num_caps))
        num_caps += 5 * len(rs)
        qs, anns = vqa_files(rs, split)
        vqa_anns += anns['annotations']
        _dump(f'{out}/vqa/v2_OpenEnded_mscoco_{split}2014_questions.json', qs)
        _dump(f'{out}/vqa/v2_mscoco_{split}2014_annotations.json', anns)
    vg = vg_files(recs)
    for name, obj in vg.items():
        _dump(f'{out}/vg/{name}.json', obj)
    det = convert_vg_to_det(vg)
    for split, rs in by_split.items():
        ids = {r.image_id for r in rs}
        _dump(f'{out}/vg/annotations/vg_det_{split}.json',
              split_det(det, ids))
    all_q = [q for r in recs for q in r.questions]
    vqa_vocab = build_answer_vocab(vqa_anns)
    _dump(f'{out}/vqa/answer_list.json', vqa_vocab)

    n_val = len(by_split['val'])
    karpathy = []
    for r in recs:
        # COCO val -> Karpathy val / test / restval (40 / 40 / 20 %).
        j = r.image_id - len(by_split['train']) - 1
        split = 'train' if r.split == 'train' else 'val' \
            if j < 0.4 * n_val else 'test' if j < 0.8 * n_val else 'restval'
        fields = dict(filepath=f'{r.split}2014',
                      filename=coco_name(r.image_id, r.split, 2014),
                      cocoid=r.image_id)
        karpathy.append((fields, split, r.captions))
    _dump(f'{out}/karpathy/dataset_coco.json',
          karpathy_split(karpathy, 'coco'))
    flickr, flickr_texts = _flickr(out, num_flickr, seed, image_size)
    _dump(f'{out}/karpathy/dataset_flickr30k.json',
          karpathy_split(flickr, 'flickr30k'))
    nlvr_texts = _nlvr2(out, num_nlvr2, seed, image_size)

    texts = [t for r in recs for t in r.captions + [p for p, _ in r.regions]]
    texts += [q['question'] for q in all_q]
    texts += [a['answer'] for q in all_q for a in q['answers']]
    texts += flickr_texts + nlvr_texts
    if tokenizer:
        train_wordpiece(osp.join(out, 'tokenizer'), texts=texts,
                        min_frequency=1, whole_words_only=True)
    counts = dict(coco_train=len(by_split['train']), coco_val=n_val,
                  objects=sum(len(r.scene.objects) for r in recs),
                  vqa_questions=len(all_q), vqa_answers=len(vqa_vocab),
                  flickr=num_flickr, nlvr2=len(nlvr_texts),
                  texts=len(texts))
    readme = [
        'Shapes world: synthetic stand-in for COCO, Visual Genome, VQA v2,',
        'NLVR2, Karpathy COCO / Flickr30k splits (e2evlp-mm).',
        f'seed={seed} image_size={image_size} object side '
        f'{MIN_SIZE_FRAC:.0%}-{MAX_SIZE_FRAC:.0%} of the image',
        f'shapes: {", ".join(SHAPES)}', f'colours: {", ".join(COLOURS)}'
    ] + [f'{k}: {v}' for k, v in counts.items()]
    _write(osp.join(out, 'README.txt'), '\n'.join(readme) + '\n')
    return counts
