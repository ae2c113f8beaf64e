# Copyright (c) e2evlp-mm contributors. All rights reserved.
import mmengine
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from ..converters.vqa_answers import answer_soft_scores


@TRANSFORMS.register_module()
class E2EVLPVQATarget(BaseTransform):
    """Soft VQA target over the answer vocabulary.

    Reads ``gt_answer`` (the raw human answers) and writes
    ``answer_scores``: np.float32 ``(num_answers,)``, the VQA soft score of
    each vocabulary answer, computed by
    :func:`e2evlp_mm.datasets.converters.vqa_answers.answer_soft_scores`
    (answers normalized as the official VQA evaluation does).

    Args:
        answer_list_path (str): JSON list of answers (``answer_list.json``
            written by the VQA answer vocabulary builder).
    """

    def __init__(self, answer_list_path: str) -> None:
        self.answer_list_path = answer_list_path
        self.answer_list = list(mmengine.load(answer_list_path))
        self.answer_index = {a: i for i, a in enumerate(self.answer_list)}

    def transform(self, results: dict) -> dict:
        """Add ``answer_scores`` (num_answers,); absent at test time."""
        if 'gt_answer' in results:
            scores = np.zeros(len(self.answer_list), dtype=np.float32)
            for index, score in answer_soft_scores(
                    results['gt_answer'], self.answer_index).items():
                scores[index] = score
            results['answer_scores'] = scores
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(answer_list_path='
                f'{self.answer_list_path!r})')
