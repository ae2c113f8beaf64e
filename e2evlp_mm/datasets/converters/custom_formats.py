# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Writing your own records (``custom_records``) in the formats the
configs read: a Karpathy split file (captioning), VQA v2 questions,
annotations and an answer list (VQA), COCO instances and captions
(detection with paired text).

Layout under ``out_dir``::

    images/<12-digit id><ext>     links to (or copies of) your images
    captions/dataset_custom.json  Karpathy format, splits train / test
    vqa/questions_{train,test}.json  annotations_{train,test}.json
    vqa/answer_list.json
    det/instances_{train,test}.json  captions_{train,test}.json
    det/classes.txt               one class name a line (head size)
    {captions,vqa,det}/texts.txt  every text, one a line (train_wordpiece)
"""
import json
import os
import os.path as osp
import shutil
from collections import Counter
from typing import Dict, List

from .vqa_answers import build_answer_vocab, normalize_vqa_answer

# VQA v2 has 10 human answers per question; a single given answer is
# written as ten, so it scores (and trains) as one every annotator gave
# (min(1, matches / 3) = 1).
VQA_HUMAN_ANSWERS = 10
SPLITS = ('train', 'test')


def image_file(image: dict) -> str:
    """``<12-digit id><ext>``: the VQA loader finds images by that id."""
    return f'{image["id"]:012d}{osp.splitext(image["path"])[1].lower()}'


def link_images(images: Dict[str, dict], out_dir: str,
                copy: bool = False) -> None:
    """Link (or copy) every image to ``out_dir/images/<id><ext>``."""
    folder = osp.join(out_dir, 'images')
    os.makedirs(folder, exist_ok=True)
    for image in images.values():
        dst = osp.join(folder, image_file(image))
        if osp.lexists(dst):
            os.remove(dst)
        if copy:
            shutil.copyfile(image['path'], dst)
        else:
            os.symlink(osp.relpath(osp.abspath(image['path']), folder), dst)


def _dump(obj, out_dir: str, *parts: str) -> str:
    path = osp.join(out_dir, *parts)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False)
    return path


def write_captions(records: List[dict], images: Dict[str, dict],
                   out_dir: str) -> List[str]:
    """Karpathy ``dataset_custom.json`` (``filepath`` = ``images``)."""
    sentences: Dict[str, list] = {name: [] for name in images}
    for rec in records:
        sentences[rec['image']].append(rec['caption'])
    entries, sent_id = [], 0
    for name in sorted(images, key=lambda n: images[n]['id']):
        image = images[name]
        sents = []
        for text in sentences[name]:
            sents.append(dict(raw=text, tokens=text.lower().split(),
                              sentid=sent_id, imgid=image['id']))
            sent_id += 1
        entries.append(dict(filepath='images', filename=image_file(image),
                            imgid=image['id'], cocoid=image['id'],
                            split=image['split'], sentences=sents))
    return [_dump(dict(images=entries, dataset='custom'), out_dir,
                  'captions', 'dataset_custom.json')]


def write_vqa(records: List[dict], images: Dict[str, dict], out_dir: str,
              top_k: int = 3129) -> List[str]:
    """VQA v2 question / annotation files per split and the answer list
    (the ``top_k`` most frequent training answers)."""
    questions = {s: [] for s in SPLITS}
    annotations = {s: [] for s in SPLITS}
    for i, rec in enumerate(records):
        image = images[rec['image']]
        qid = image['id'] * 1000 + i  # VQA v2's image_id * 1000 + k
        answers = rec['answers']
        if len(answers) == 1:
            answers = answers * VQA_HUMAN_ANSWERS
        top = Counter(normalize_vqa_answer(a) for a in answers)
        questions[image['split']].append(
            dict(image_id=image['id'], question=rec['question'],
                 question_id=qid))
        annotations[image['split']].append(
            dict(image_id=image['id'], question_id=qid,
                 question_type='custom', answer_type='other',
                 multiple_choice_answer=top.most_common(1)[0][0],
                 answers=[dict(answer=a, answer_id=k + 1)
                          for k, a in enumerate(answers)]))
    paths = []
    for split in SPLITS:
        paths.append(_dump(dict(questions=questions[split]), out_dir, 'vqa',
                           f'questions_{split}.json'))
        paths.append(_dump(dict(annotations=annotations[split]), out_dir,
                           'vqa', f'annotations_{split}.json'))
    vocab = build_answer_vocab(annotations['train'], top_k)
    paths.append(_dump(vocab, out_dir, 'vqa', 'answer_list.json'))
    return paths


def write_boxes(records: List[dict], images: Dict[str, dict],
                out_dir: str, default_text: str) -> List[str]:
    """COCO instances and captions per split, and ``classes.txt``.

    Category ids follow the class names in alphabetical order; an image
    without a ``caption`` gets ``default_text``.
    """
    names = sorted({rec['name'] for rec in records})
    category = {name: i + 1 for i, name in enumerate(names)}
    texts: Dict[str, str] = {}
    anns = {s: [] for s in SPLITS}
    for i, rec in enumerate(records):
        image = images[rec['image']]
        texts.setdefault(rec['image'], rec['caption'])
        texts[rec['image']] = texts[rec['image']] or rec['caption']
        anns[image['split']].append(
            dict(id=i + 1, image_id=image['id'], category_id=category[
                rec['name']], bbox=[rec['x'], rec['y'], rec['w'], rec['h']],
                 area=rec['w'] * rec['h'], iscrowd=0))
    categories = [dict(id=category[n], name=n) for n in names]
    paths = []
    for split in SPLITS:
        imgs = [image for image in images.values() if image['split'] == split]
        coco_images = [dict(id=m['id'], file_name=image_file(m),
                            width=m['width'], height=m['height'])
                       for m in sorted(imgs, key=lambda m: m['id'])]
        paths.append(_dump(dict(images=coco_images, annotations=anns[split],
                                categories=categories), out_dir, 'det',
                           f'instances_{split}.json'))
        name_of = {m['id']: n for n, m in images.items()}
        captions = [dict(id=m['id'], image_id=m['id'],
                         caption=texts.get(name_of[m['id']]) or default_text)
                    for m in coco_images]
        paths.append(_dump(dict(images=coco_images, annotations=captions),
                           out_dir, 'det', f'captions_{split}.json'))
    with open(osp.join(out_dir, 'det', 'classes.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    return paths + [osp.join(out_dir, 'det', 'classes.txt')]


def write_texts(records: List[dict], out_dir: str, folder: str) -> str:
    """Every caption, question and answer, one a line: the corpus for
    ``tools/dataset_converters/train_wordpiece.py``."""
    lines = []
    for rec in records:
        lines += [rec[k] for k in ('caption', 'question') if rec.get(k)]
        lines += rec.get('answers', [])
    path = osp.join(out_dir, folder, 'texts.txt')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    return path
