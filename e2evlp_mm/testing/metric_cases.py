# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Fixed predictions for every metric of the project, to compare their
values on one process and on several (tests only)."""
import json
import os.path as osp
import random
from typing import Dict, List, NamedTuple

import torch

# Not a multiple of 2 or 3: a distributed sampler pads the split.
NUM_SAMPLES = 7
_WORDS = ('a red blue green circle square star left of right above below '
          'the small big').split()


class MetricCase(NamedTuple):
    """One evaluator's metric configs, dataset meta and data samples."""
    metrics: List[dict]
    dataset_meta: dict
    samples: List[dict]


def _write_json(path: str, data) -> None:
    """Write ``data`` unless ``path`` exists (the cases are fixed, and
    ranks that read the file must not see it half-written)."""
    if not osp.exists(path):
        with open(path, 'w') as f:
            json.dump(data, f)


def _box(rng: random.Random, size: int = 64) -> List[float]:
    x, y = rng.uniform(0, size / 2), rng.uniform(0, size / 2)
    return [x, y, x + rng.uniform(8, size / 2), y + rng.uniform(8, size / 2)]


def _coco_file(path: str, categories: List[str], num_images: int,
               rng: random.Random) -> Dict[int, List[tuple]]:
    """Write a COCO json with 1-2 boxes per image; return them by image."""
    gts: Dict[int, List[tuple]] = {}
    anns = []
    for img_id in range(1, num_images + 1):
        gts[img_id] = []
        for _ in range(rng.randint(1, 2)):
            x1, y1, x2, y2 = _box(rng)
            cat = rng.randrange(len(categories))
            gts[img_id].append((cat, [x1, y1, x2, y2]))
            anns.append(dict(id=len(anns) + 1, image_id=img_id,
                             category_id=cat + 1, iscrowd=0,
                             area=(x2 - x1) * (y2 - y1),
                             bbox=[x1, y1, x2 - x1, y2 - y1]))
    _write_json(path, dict(
        images=[dict(id=i, width=64, height=64, file_name=f'{i}.jpg')
                for i in gts],
        annotations=anns,
        categories=[dict(id=i + 1, name=n)
                    for i, n in enumerate(categories)]))
    return gts


def _detections(gts: List[tuple], label_of: Dict[int, int],
                rng: random.Random) -> dict:
    """Jittered ground truth (some mislabelled) plus a confident miss."""
    boxes, labels, scores = [], [], []
    for cat, box in gts:
        boxes.append([v + rng.uniform(-4, 4) for v in box])
        wrong = rng.random() < 0.2
        labels.append(label_of[(cat + 1) % len(label_of) if wrong else cat])
        scores.append(rng.uniform(0.3, 0.9))
    boxes.append(_box(rng))
    labels.append(rng.choice(list(label_of.values())))
    scores.append(0.95)
    return dict(bboxes=torch.tensor(boxes), scores=torch.tensor(scores),
                labels=torch.tensor(labels))


def _pretrain_case(data_dir: str, rng: random.Random) -> MetricCase:
    """COCO AP and VG AP of a COCO + VG split, MLM and ITM accuracy."""
    classes = ('man', 'dog', 'tree')
    sources = ['coco', 'coco', 'vg', 'coco', 'vg', 'coco', 'vg']
    coco_file = osp.join(data_dir, 'coco_val.json')
    vg_file = osp.join(data_dir, 'vg_val.json')
    aliases = osp.join(data_dir, 'coco_to_vg.json')
    _write_json(aliases, {'person': 'man'})
    gts = dict(coco=_coco_file(coco_file, ['person', 'dog'],
                               sources.count('coco'), rng),
               vg=_coco_file(vg_file, list(classes), sources.count('vg'),
                             rng))
    label_of = dict(coco={0: 0, 1: 1}, vg={0: 0, 1: 1, 2: 2})
    samples, seen = [], dict(coco=0, vg=0)
    for source in sources:
        seen[source] += 1
        labels = torch.tensor([-100] * 6)
        labels[rng.sample(range(1, 6), 2)] = torch.tensor(
            [rng.randrange(20) for _ in range(2)])
        samples.append(dict(
            img_id=seen[source], ori_shape=(64, 64), source=source,
            pred_instances=_detections(gts[source][seen[source]],
                                       label_of[source], rng),
            mlm_labels=labels,
            pred_mlm_ids=torch.tensor([
                int(x) if rng.random() < 0.5 else rng.randrange(20)
                for x in labels]),
            itm_label=rng.randrange(2), pred_itm_score=rng.random()))
    return MetricCase([
        dict(type='E2EVLPCocoMetric', source='coco', class_aliases=aliases,
             ann_file=coco_file, metric='bbox'),
        dict(type='E2EVLPCocoMetric', source='vg', prefix='vg',
             ann_file=vg_file, metric='bbox'),
        dict(type='E2EVLPPretrainMetric'),
    ], dict(classes=classes), samples)


def _det_case(data_dir: str, rng: random.Random) -> MetricCase:
    """mmdet's CocoMetric, as the detection-with-text configs use it."""
    ann_file = osp.join(data_dir, 'det_val.json')
    gts = _coco_file(ann_file, ['person', 'dog'], NUM_SAMPLES, rng)
    samples = [dict(img_id=i, ori_shape=(64, 64),
                    pred_instances=_detections(gts[i], {0: 0, 1: 1}, rng))
               for i in gts]
    return MetricCase([dict(type='CocoMetric', ann_file=ann_file,
                            metric='bbox')],
                      dict(classes=('person', 'dog')), samples)


def _sentence(rng: random.Random) -> str:
    return ' '.join(rng.choice(_WORDS) for _ in range(rng.randint(4, 8)))


def _task_cases(rng: random.Random) -> Dict[str, MetricCase]:
    """VQA, NLVR2, captioning and retrieval."""
    answers = ['yes', 'no', '2', 'red', 'circle']
    vqa = [dict(pred_answer=rng.choice(answers),
                gt_answer=[rng.choice(answers) for _ in range(10)],
                answer_type=rng.choice(['yes/no', 'number', 'other']),
                question_id=i) for i in range(NUM_SAMPLES)]
    nlvr2 = [dict(pred_nlvr_label=rng.randrange(2),
                  nlvr_label=rng.randrange(2)) for _ in range(NUM_SAMPLES)]
    caption = []
    for i in range(NUM_SAMPLES):
        refs = [_sentence(rng) for _ in range(2)]
        words = refs[0].split()
        words[rng.randrange(len(words))] = rng.choice(_WORDS)
        caption.append(dict(img_id=i, pred_caption=' '.join(words),
                            gt_captions=refs))
    num_texts = 2 * NUM_SAMPLES
    retrieval = []
    for i in range(NUM_SAMPLES):
        score = torch.rand(num_texts,
                           generator=torch.Generator().manual_seed(i))
        score[2 * i] += rng.random()  # a positive ranked high, sometimes
        retrieval.append(dict(pred_i2t_score=score,
                              gt_text_id=[2 * i, 2 * i + 1]))
    return dict(
        vqa=MetricCase([dict(type='E2EVLPVQAAcc')], {}, vqa),
        nlvr2=MetricCase([dict(type='E2EVLPNLVR2Acc')], {}, nlvr2),
        caption=MetricCase([dict(type='E2EVLPCaptionMetric',
                                 tokenizer='basic')], {}, caption),
        retrieval=MetricCase([dict(type='E2EVLPRetrievalRecall')], {},
                             retrieval))


def metric_cases(data_dir: str) -> Dict[str, MetricCase]:
    """Every metric's case; annotation files are written to ``data_dir``.

    The same ``data_dir`` gives the same cases (fixed seeds).

    Args:
        data_dir (str): An existing folder.

    Returns:
        dict[str, MetricCase]: ``pretrain`` (COCO AP, VG AP, MLM and ITM
        accuracy in one evaluator, as the pre-training configs), ``det``
        (detection with text), ``vqa``, ``nlvr2``, ``caption``,
        ``retrieval``; each has :data:`NUM_SAMPLES` samples.
    """
    rng = random.Random(0)
    cases = dict(pretrain=_pretrain_case(data_dir, rng),
                 det=_det_case(data_dir, rng))
    cases.update(_task_cases(rng))
    return cases
