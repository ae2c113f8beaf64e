# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""``--show-dir`` for every E2E-VLP task, NLVR2 pairs included."""
import os.path as osp
from typing import Dict, List, Sequence, Union

import mmcv
import numpy as np
from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS
from mmdet.structures import DetDataSample
from mmengine.fileio import get
from mmengine.runner import Runner
from mmengine.utils import mkdir_or_exist


@HOOKS.register_module()
class E2EVLPVisualizationHook(DetVisualizationHook):
    """mmdet's ``DetVisualizationHook`` for samples whose ``img_path`` is a
    list (NLVR2 pairs: mmdet's hook would try to read the list as a file)
    and for several samples of one image (VQA questions: each gets its own
    file, ``<stem>_<k>.png``). Pictures are drawn by the runner's
    visualizer, an ``E2EVLPVisualizer`` under ``tools/test.py --show-dir``.

    Args:
        **kwargs: Arguments of ``DetVisualizationHook`` (``draw``,
            ``interval``, ``score_thr``, ``show``, ``wait_time``,
            ``test_out_dir``, ``backend_args``).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._name_counts: Dict[str, int] = {}

    def _read(self, img_path: Union[str, Sequence[str]]
              ) -> Union[np.ndarray, List[np.ndarray]]:
        """RGB image, or a list of them for a pair."""
        if isinstance(img_path, (list, tuple)):
            return [self._read(p) for p in img_path]
        return mmcv.imfrombytes(
            get(img_path, backend_args=self.backend_args),
            channel_order='rgb')

    def _file_name(self, img_path: Union[str, Sequence[str]]) -> str:
        """``<stem>.png`` (``left+right`` for pairs), numbered on repeats."""
        paths = img_path if isinstance(img_path, (list, tuple)) else [
            img_path
        ]
        stem = '+'.join(osp.splitext(osp.basename(p))[0] for p in paths)
        count = self._name_counts.get(stem, 0)
        self._name_counts[stem] = count + 1
        return f'{stem}_{count}.png' if count else f'{stem}.png'

    def after_val_iter(self, runner: Runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence[DetDataSample]) -> None:
        """Draw the first sample of every ``interval``-th batch."""
        total_curr_iter = runner.iter + batch_idx
        if self.draw is False or total_curr_iter % self.interval != 0:
            return
        self._visualizer.add_datasample(
            'val_img',
            self._read(outputs[0].img_path),
            data_sample=outputs[0],
            show=self.show,
            wait_time=self.wait_time,
            pred_score_thr=self.score_thr,
            step=total_curr_iter)

    def after_test_iter(self, runner: Runner, batch_idx: int,
                        data_batch: dict,
                        outputs: Sequence[DetDataSample]) -> None:
        """Draw every test sample (to ``test_out_dir`` when set)."""
        if self.draw is False:
            return
        if self.test_out_dir is not None:
            self.test_out_dir = osp.join(runner.work_dir, runner.timestamp,
                                         self.test_out_dir)
            mkdir_or_exist(self.test_out_dir)
        for data_sample in outputs:
            self._test_index += 1
            out_file = None
            if self.test_out_dir is not None:
                out_file = osp.join(self.test_out_dir,
                                    self._file_name(data_sample.img_path))
            self._visualizer.add_datasample(
                'test_img',
                self._read(data_sample.img_path),
                data_sample=data_sample,
                show=self.show,
                wait_time=self.wait_time,
                pred_score_thr=self.score_thr,
                out_file=out_file,
                step=self._test_index)
