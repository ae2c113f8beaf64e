# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The official VQA v2 accuracy (leave-one-annotator-out)."""
from collections import defaultdict
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

from mmdet.registry import METRICS
from mmpretrain.evaluation.metrics import VQAAcc
from mmpretrain.evaluation.metrics.vqa import _process_punctuation

from .empty_metrics import zero_metrics
from .result_file import ResultFileMixin


@METRICS.register_module()
class E2EVLPVQAAcc(ResultFileMixin, VQAAcc):
    """VQA v2 accuracy as computed by the official evaluation script.

    For a question with human answers ``a_1..a_n`` (``n = 10`` in VQA v2)
    and a prediction ``p`` the accuracy is

    .. code:: text

        acc = 1/n * sum_i min(1, #{j != i : a_j == p} / 3)

    i.e. ``min(#matches / 3, 1)`` averaged over the ``n`` leave-one-out
    subsets of ``n - 1`` answers. mmpretrain's :class:`VQAAcc` uses
    ``min(#matches / 3, 1)`` over all ``n`` answers instead, which is higher
    (2 matches: 0.667 vs 0.6), so only its answer normalisation
    (:meth:`VQAAcc._process_answer`: punctuation, number words to digits,
    articles, contractions) is reused. A single reference answer is scored
    by exact match.

    Args:
        strict_official (bool): Process the human answers exactly as the
            official ``vqaEval.py``: punctuation only, and only when the
            humans disagree (a prediction ``'t-shirt'`` then scores 0 against
            ten ``'t-shirt'``). When False, predictions and human answers get
            the same full normalisation. Defaults to False.
        result_file (str, optional): Where to dump the official results
            json ``[{'question_id': int, 'answer': str}]``. Defaults to None.
        format_only (bool): Only dump the results (e.g. test-dev, which has
            no answers), return no metric. Needs ``result_file``.
            Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to ``'VQA'``.
    """
    default_prefix = 'VQA'
    # Human answers repeat a lot (yes, no, 2, ...): normalise each once.
    _process_answer = lru_cache(maxsize=2**16)(VQAAcc._process_answer)

    def __init__(self,
                 strict_official: bool = False,
                 result_file: Optional[str] = None,
                 format_only: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.set_result_file(result_file, format_only, json_only=True)
        self.strict_official = strict_official

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's prediction, answers, type and question id.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs; each holds
                ``pred_answer`` (str) and, unless ``format_only``,
                ``gt_answer`` (list[str], the raw human answers); optional
                ``answer_type`` (str) and ``question_id`` (int, needed by
                ``result_file``).
        """
        for sample in data_samples:
            gt_answer = sample.get('gt_answer')
            if isinstance(gt_answer, str):
                gt_answer = [gt_answer]
            question_id = sample.get('question_id')
            self.results.append(
                dict(
                    pred_answer=sample['pred_answer'],
                    gt_answer=gt_answer,
                    answer_type=sample.get('answer_type'),
                    question_id=None
                    if question_id is None else int(question_id)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Dump the results json and/or compute the accuracies.

        Args:
            results (list[dict]): What :meth:`process` kept, from all ranks.

        Returns:
            dict[str, float]: ``acc`` and ``acc_<answer type>`` (spaces and
            ``/`` become ``_``, e.g. ``acc_yes_no``), in percent; ``acc``
            0.0 when no question was evaluated; empty when ``format_only``.
        """
        if self.result_file is not None:
            self._dump(results)
        if self.format_only:
            return {}
        if not results:
            return zero_metrics(self, ['acc'], 'no question was evaluated')
        per_type = defaultdict(list)
        accs = []
        for res in results:
            acc = self.question_accuracy(res['pred_answer'], res['gt_answer'])
            accs.append(acc)
            if res['answer_type'] is not None:
                key = res['answer_type'].replace('/', '_').replace(' ', '_')
                per_type[key].append(acc)
        metrics = {'acc': 100.0 * sum(accs) / len(accs)}
        for key, type_accs in sorted(per_type.items()):
            metrics[f'acc_{key}'] = 100.0 * sum(type_accs) / len(type_accs)
        return metrics

    def question_accuracy(self, pred_answer: str,
                          gt_answers: List[str]) -> float:
        """The official accuracy of one prediction, in ``[0, 1]``.

        Args:
            pred_answer (str): The predicted answer (raw).
            gt_answers (list[str]): The human answers (raw).

        Returns:
            float: Mean over leave-one-out subsets of
            ``min(1, #matches / 3)``.
        """
        pred = self._process_answer(pred_answer)
        if self.strict_official:
            gts = [self._strip(a) for a in gt_answers]
            if len(set(gts)) > 1:
                gts = [_process_punctuation(a) for a in gts]
        else:
            gts = [self._process_answer(a) for a in gt_answers]
        if len(gts) == 1:
            return float(gts[0] == pred)
        num_match = sum(gt == pred for gt in gts)
        # Leaving out a matching answer leaves num_match - 1 matches.
        accs = [
            min(1.0, (num_match - (gt == pred)) / 3.0) for gt in gts
        ]
        return sum(accs) / len(accs)

    @staticmethod
    def _strip(answer: str) -> str:
        return answer.replace('\n', ' ').replace('\t', ' ').strip()

    def _dump(self, results: List[dict]) -> None:
        if any(res['question_id'] is None for res in results):
            raise KeyError('`result_file` needs `question_id` in every '
                           'data sample.')
        self.dump_results([
            dict(question_id=res['question_id'], answer=res['pred_answer'])
            for res in results
        ], 'VQA')
