# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""``tools/test.py --out``: dump predictions raw or in official formats."""
import os
import os.path as osp
import shutil

from mmdet.evaluation import CocoMetric, DumpDetResults
from mmengine.dist import barrier, is_main_process
from mmengine.runner import Runner

from ..evaluation.metrics.result_file import ResultFileMixin

DUMP_SUFFIXES = ('.pkl', '.pickle', '.json')


def writes_results_json(metric: type) -> bool:
    """Whether a metric class writes an official results json."""
    return issubclass(metric, (CocoMetric, ResultFileMixin))


def _metrics(runner: Runner) -> list:
    return list(runner.test_evaluator.metrics)


def attach_result_dump(runner: Runner, out: str) -> None:
    """Make the test evaluator dump its predictions to ``out``.

    ``.pkl``: mmdet's raw ``DumpDetResults``. ``.json``: the official
    results format of the config's task. mmdet's ``CocoMetric`` writes COCO
    detection results; the project's VL metrics (VQA, caption) expose a
    ``result_file`` attribute and write VQA / COCO-caption results json.

    Args:
        runner (Runner): A runner whose test evaluator is built.
        out (str): ``.pkl`` or ``.json`` path.

    Raises:
        ValueError: For any other extension, or a json dump the config's
            metrics cannot write.
    """
    if out.endswith(('.pkl', '.pickle')):
        runner.test_evaluator.metrics.append(
            DumpDetResults(out_file_path=out))
        return
    if not out.endswith('.json'):
        raise ValueError(f'--out {out}: use a .pkl or a .json file')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    for metric in _metrics(runner):
        if isinstance(metric, CocoMetric):
            metric.outfile_prefix = osp.splitext(osp.abspath(out))[0]
            return
        if writes_results_json(type(metric)):
            metric.result_file = out
            return
    raise ValueError(f'--out {out}: none of the test metrics '
                     f'({[type(m).__name__ for m in _metrics(runner)]}) '
                     'writes an official results json; use a .pkl file')


def finish_result_dump(runner: Runner, out: str) -> None:
    """Move CocoMetric's ``<prefix>.bbox.json`` to the requested name.

    Only the main process wrote the file (mmengine computes metrics there)
    and only it moves it; the others wait, so that every rank returns
    with the results file complete at ``out`` and none looks for the
    file while it is being moved.

    Args:
        runner (Runner): The runner that ran the test (unused; kept for
            the call signature).
        out (str): The ``--out`` path.
    """
    written = osp.splitext(osp.abspath(out))[0] + '.bbox.json'
    if is_main_process() and out.endswith('.json') and osp.exists(written):
        shutil.move(written, out)
    barrier()
