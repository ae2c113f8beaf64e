# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import List

from mmdet.registry import DATASETS
from mmpretrain.datasets import COCOVQA

from .mmpretrain_mixin import E2EVLPMMPretrainMixin
from .validation import (
    E2EVLPDataError,
    E2EVLPMissingImageError,
    check_text,
    load_json,
    require_keys,
    where,
)


@DATASETS.register_module()
class E2EVLPVQADataset(E2EVLPMMPretrainMixin, COCOVQA):
    """VQA v2 from the official question and annotation files.

    Each sample: ``img_id``, ``img_path``, ``question_id``, ``text`` (the
    question) and, with annotations, ``gt_answer`` (the raw human answers,
    usually 10) with ``gt_answer_weight`` (``1 / len(gt_answer)`` each, so
    mmpretrain's ``VQAAcc`` scores ``min(1, matches / 3)``), plus
    ``question_type`` / ``answer_type``. Images are found by the 12-digit
    id in their file name (``COCO_train2014_000000000009.jpg``), listing
    the image folder once.

    Args:
        data_root (str): Root of the other paths.
        data_prefix (str | dict): Image folder, e.g. ``'coco/train2014'``
            or ``dict(img=...)``.
        question_file (str): ``v2_OpenEnded_mscoco_*_questions.json``.
        ann_file (str): ``v2_mscoco_*_annotations.json``; empty for the
            test split (no answers).
        **kwargs: Arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def _load_answers(self) -> dict:
        file = self.ann_file
        raw = load_json(file)
        require_keys(raw, ('annotations', ), file, None)
        answers = {}
        for i, ann in enumerate(raw['annotations']):
            require_keys(ann, ('question_id', 'answers'), file, i,
                         'question_id')
            if not isinstance(ann['answers'], list) or not ann['answers']:
                raise E2EVLPDataError(
                    f'{where(file, i, ann["question_id"])}: field '
                    "'answers' must be a non-empty list")
            for a in ann['answers']:
                require_keys(a, ('answer', ), file, i)
            answers[ann['question_id']] = ann
        return answers

    def load_data_list(self) -> List[dict]:
        """Check and load questions (and answers)."""
        file = self.question_file
        raw = load_json(file)
        require_keys(raw, ('questions', ), file, None)
        answers = self._load_answers() if self.ann_file else None
        image_index = self._create_image_index()
        data_list = []
        for i, q in enumerate(raw['questions']):
            require_keys(q, ('image_id', 'question', 'question_id'), file, i,
                         'question_id')
            qid = q['question_id']
            text = check_text(q['question'], file, i, qid, 'question')
            if q['image_id'] not in image_index:
                raise E2EVLPMissingImageError(
                    f'{where(file, i, qid)}: no image file for field '
                    f"'image_id' {q['image_id']!r} in "
                    f"{self.data_prefix['img_path']!r}")
            info = dict(img_id=q['image_id'], question_id=qid, text=text,
                        img_path=image_index[q['image_id']])
            if answers is not None:
                if qid not in answers:
                    raise E2EVLPDataError(
                        f'{where(file, i, qid)}: no annotation with this '
                        f"'question_id' in {self.ann_file!r}")
                ann = answers[qid]
                gt = [a['answer'] for a in ann['answers']]
                info.update(gt_answer=gt,
                            gt_answer_weight=[1 / len(gt)] * len(gt),
                            question_type=ann.get('question_type'),
                            answer_type=ann.get('answer_type'))
            data_list.append(info)
        return data_list
