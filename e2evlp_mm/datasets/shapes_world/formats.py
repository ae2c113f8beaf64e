# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Builders of the published annotation formats from generated records.

Each function returns the json object of one file (COCO 2017 instances /
captions, Visual Genome raw files, VQA v2 questions / annotations, Karpathy
splits), exactly as that dataset publishes it.
"""
import re
from dataclasses import dataclass, field

from .render import object_polygon
from .scene import SHAPES, Scene

INFO = dict(description='Shapes world (synthetic, e2evlp-mm)',
            version='1.0', year=2026, contributor='e2evlp-mm',
            date_created='2026-01-01')
VG_URL = 'https://cs.stanford.edu/people/rak248/VG_100K/{}.jpg'


@dataclass
class ImageRecord:
    """A generated COCO/VG/VQA image and all of its texts.

    Attributes:
        image_id (int): COCO id (also the VG id).
        split (str): ``'train'`` or ``'val'``.
        scene (Scene): What is drawn.
        captions (list[str]): 5 captions.
        regions (list[tuple]): ``(phrase, (x, y, w, h))`` descriptions.
        questions (list[dict]): VQA questions, see ``make_questions``,
            each with its ``answers`` (10 VQA answer dicts) added.
    """

    image_id: int
    split: str
    scene: Scene
    captions: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    questions: list = field(default_factory=list)


def coco_name(image_id: int, split: str, year: int) -> str:
    """COCO file name: ``000000000001.jpg`` (2017) or
    ``COCO_train2014_000000000001.jpg`` (2014)."""
    if year == 2017:
        return f'{image_id:012d}.jpg'
    return f'COCO_{split}2014_{image_id:012d}.jpg'


def _coco_image(rec: ImageRecord) -> dict:
    return dict(license=1, file_name=coco_name(rec.image_id, rec.split, 2017),
                height=rec.scene.height, width=rec.scene.width,
                id=rec.image_id)


def _coco_base() -> dict:
    return dict(info=INFO, licenses=[dict(id=1, name='CC0', url='')])


def _poly_area(poly: list[float]) -> float:
    xs, ys = poly[0::2], poly[1::2]
    n = len(xs)
    return round(abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i]
                         for i in range(n))) / 2, 2)


def coco_instances(records: list[ImageRecord]) -> dict:
    """``instances_<split>2017.json``."""
    anns = []
    for rec in records:
        for obj in rec.scene.objects:
            poly = object_polygon(obj)
            anns.append(dict(
                segmentation=[poly], area=_poly_area(poly), iscrowd=0,
                image_id=rec.image_id, bbox=[float(v) for v in obj.bbox],
                category_id=SHAPES.index(obj.shape) + 1,
                id=len(anns) + 1))
    cats = [dict(supercategory='shape', id=i + 1, name=s)
            for i, s in enumerate(SHAPES)]
    return dict(**_coco_base(), images=[_coco_image(r) for r in records],
                annotations=anns, categories=cats)


def coco_captions(records: list[ImageRecord], first_id: int = 1) -> dict:
    """``captions_<split>2017.json``; ids count up from ``first_id``."""
    anns = [dict(image_id=r.image_id, id=first_id + i * 5 + k, caption=c)
            for i, r in enumerate(records) for k, c in enumerate(r.captions)]
    return dict(**_coco_base(), images=[_coco_image(r) for r in records],
                annotations=anns)


def vg_files(records: list[ImageRecord]) -> dict[str, list]:
    """``image_data``, ``objects``, ``attributes``, ``region_descriptions``
    of Visual Genome (v1.4 layout); one colour attribute per object."""
    image_data, objects, attributes, regions = [], [], [], []
    obj_id = region_id = 0
    for rec in records:
        s, iid = rec.scene, rec.image_id
        image_data.append(dict(width=s.width, url=VG_URL.format(iid),
                               height=s.height, image_id=iid, coco_id=iid,
                               flickr_id=None))
        objs, attrs = [], []
        for o in s.objects:
            obj_id += 1
            x, y, w, h = o.bbox
            base = dict(synsets=[f'{o.shape}.n.01'], h=h, object_id=obj_id,
                        names=[o.shape], w=w, y=y, x=x)
            objs.append(base)
            attrs.append(dict(base, attributes=[o.colour]))
        objects.append(dict(image_id=iid, objects=objs))
        attributes.append(dict(image_id=iid, attributes=attrs))
        regs = []
        for phrase, (x, y, w, h) in rec.regions:
            region_id += 1
            regs.append(dict(region_id=region_id, width=w, height=h,
                             image_id=iid, phrase=phrase, y=y, x=x))
        regions.append(dict(regions=regs, id=iid))
    return dict(image_data=image_data, objects=objects,
                attributes=attributes, region_descriptions=regions)


def vqa_files(records: list[ImageRecord], split: str) -> tuple[dict, dict]:
    """VQA v2 ``v2_OpenEnded_mscoco_<split>2014_questions.json`` and
    ``v2_mscoco_<split>2014_annotations.json`` objects."""
    sub = f'{split}2014'
    qs, anns = [], []
    for rec in records:
        for k, q in enumerate(rec.questions):
            qid = rec.image_id * 1000 + k
            qs.append(dict(image_id=rec.image_id, question=q['question'],
                           question_id=qid))
            texts = [a['answer'] for a in q['answers']]
            best = max(sorted(set(texts)), key=texts.count)
            anns.append(dict(
                question_type=q['question_type'],
                multiple_choice_answer=best, answers=q['answers'],
                image_id=rec.image_id, answer_type=q['answer_type'],
                question_id=qid))
    questions = dict(info=INFO, task_type='Open-Ended', data_type='mscoco',
                     license={}, data_subtype=sub, questions=qs)
    annotations = dict(info=INFO, license={}, data_subtype=sub,
                       annotations=anns, data_type='mscoco')
    return questions, annotations


def karpathy_tokens(sentence: str) -> list[str]:
    """Karpathy-style tokens: lowercase words without punctuation."""
    return re.findall(r"[a-z0-9']+", sentence.lower())


def karpathy_split(items: list[tuple[dict, str, list[str]]],
                   dataset: str) -> dict:
    """``dataset_<name>.json`` from ``(image fields, split, sentences)``.

    The image fields are e.g. ``filepath``/``filename``/``cocoid`` (COCO)
    or ``filename`` (Flickr30k); ``imgid`` and ids are added here.
    """
    images, sent_id = [], 0
    for imgid, (fields, split, sentences) in enumerate(items):
        sents = []
        for raw in sentences:
            sents.append(dict(tokens=karpathy_tokens(raw), raw=raw,
                              imgid=imgid, sentid=sent_id + len(sents)))
        images.append(dict(
            fields, imgid=imgid, split=split,
            sentids=[s['sentid'] for s in sents], sentences=sents))
        sent_id += len(sents)
    return dict(images=images, dataset=dataset)

