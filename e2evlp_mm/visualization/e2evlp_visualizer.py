# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Draw every E2E-VLP prediction: boxes with attributes and text."""
import textwrap
from typing import List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmdet.registry import VISUALIZERS
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer
from mmengine.structures import InstanceData

from .text_panel import panel_lines

ImageType = Union[np.ndarray, Sequence[np.ndarray]]


@VISUALIZERS.register_module()
class E2EVLPVisualizer(DetLocalVisualizer):
    """mmdet's ``DetLocalVisualizer`` plus attributes and a text panel.

    .. code:: text

        +--------------------+   +---------+---------+
        | boxes: "red circle |   |  left   |  right  |   (NLVR2 pairs and
        |   91.2" (gt | pred)|   |         |         |    retrieved images
        +--------------------+   +---------+---------+    side by side)
        | caption: ...       |   | statement: ...    |
        | Q: ... / A: ...    |   | verdict: True ... |
        +--------------------+   +-------------------+

    Boxes are labelled ``"<attribute> <class>: <score>"`` with
    ``dataset_meta['attributes']`` and ``['classes']``; the panel holds the
    lines of :func:`panel_lines` (caption, question and answers, ITM score,
    statement and verdict, ranked retrievals). Images shorter than
    ``min_size`` are enlarged first (boxes with them) so that labels stay
    legible on small inputs such as the 128 px shapes world. Like
    mmpretrain's ``UniversalVisualizer`` for captions and VQA, but one
    visualizer for all E2E-VLP tasks, so ``tools/test.py --show-dir`` and
    :class:`E2EVLPInferencer` draw the same picture.

    Args:
        name (str): Name of the instance. Defaults to 'visualizer'.
        min_size (int): Shorter image side after enlarging. Defaults to
            320.
        font_size (int): Font size of the panel. Defaults to 12.
        line_width (int | float): Box line width. Defaults to 2.
        **kwargs: Arguments of ``DetLocalVisualizer`` (``vis_backends``,
            ``save_dir``, ``bbox_color``, ``text_color``, ...).
    """

    def __init__(self,
                 name: str = 'visualizer',
                 min_size: int = 320,
                 font_size: int = 12,
                 line_width: Union[int, float] = 2,
                 **kwargs) -> None:
        super().__init__(name=name, line_width=line_width, **kwargs)
        self.min_size = min_size
        self.font_size = font_size

    def _draw_instances(self, image: np.ndarray, instances: InstanceData,
                        classes: Optional[List[str]],
                        palette: Optional[List[tuple]]) -> np.ndarray:
        """Name each box ``"<attribute> <class>"`` before mmdet draws it
        (``attr_labels`` of predictions, ``attributes`` of ground truth;
        a negative attribute means none)."""
        key = next((k for k in ('attr_labels', 'attributes')
                    if k in instances), None)
        if key is not None and len(instances) > 0 \
                and 'label_names' not in instances:
            attrs = self.dataset_meta.get('attributes')
            names = []
            for attr, label in zip(instances[key].tolist(),
                                   instances.labels.tolist()):
                name = classes[label] if classes else f'class {label}'
                if attr >= 0:
                    attr_name = attrs[attr] if attrs else f'attr {attr}'
                    name = f'{attr_name} {name}'
                names.append(name)
            instances = instances.clone()
            instances.label_names = names
        return super()._draw_instances(image, instances, classes, palette)

    def _enlarge(self, image: np.ndarray) -> tuple:
        """Resize so that the shorter side is at least ``min_size``.

        Returns:
            tuple[np.ndarray, float]: The image and its scale factor.
        """
        scale = max(1.0, self.min_size / min(image.shape[:2]))
        if scale == 1.0:
            return image, scale
        return mmcv.imrescale(image, scale, interpolation='nearest'), scale

    def _draw_boxes(self, image: np.ndarray, data_sample: DetDataSample,
                    draw_gt: bool, draw_pred: bool,
                    pred_score_thr: float) -> np.ndarray:
        """Ground truth and prediction boxes of one image, side by side
        when both are drawn (mmdet's layout)."""
        image, scale = self._enlarge(image)
        classes = self.dataset_meta.get('classes')
        palette = self.dataset_meta.get('palette')
        drawn = []
        for wanted, key in ((draw_gt, 'gt_instances'),
                            (draw_pred, 'pred_instances')):
            if not wanted or key not in data_sample:
                continue
            instances = data_sample.get(key)
            if key == 'pred_instances':
                instances = instances[instances.scores > pred_score_thr]
            if 'bboxes' in instances:
                instances = instances.clone()
                instances.bboxes = instances.bboxes * scale
            drawn.append(
                self._draw_instances(image, instances, classes, palette))
        if not drawn:
            return image
        return np.concatenate(drawn, axis=1)

    @staticmethod
    def _side_by_side(images: Sequence[np.ndarray],
                      gap: int = 8) -> np.ndarray:
        """Concatenate images horizontally at the height of the first."""
        height = images[0].shape[0]
        resized = [
            img if img.shape[0] == height else mmcv.imresize(
                img, (round(img.shape[1] * height / img.shape[0]), height))
            for img in images
        ]
        spacer = np.full((height, gap, 3), 255, dtype=np.uint8)
        parts = [resized[0]]
        for img in resized[1:]:
            parts += [spacer, img]
        return np.concatenate(parts, axis=1)

    def _add_panel(self, image: np.ndarray, lines: List[str]) -> np.ndarray:
        """Append a white panel with ``lines`` (wrapped) under ``image``."""
        width = image.shape[1]
        chars = max(12, int(width / (0.75 * self.font_size)))
        wrapped = [
            part for line in lines for part in textwrap.wrap(line, chars)
        ]
        line_h = int(self.font_size * 1.6)
        panel = np.full((line_h * len(wrapped) + line_h // 2, width, 3),
                        255,
                        dtype=np.uint8)
        canvas = np.concatenate([image, panel], axis=0)
        self.set_image(canvas)
        top = image.shape[0] + line_h // 4
        self.draw_texts(
            wrapped,
            np.array([[4, top + i * line_h] for i in range(len(wrapped))]),
            colors='black',
            font_sizes=self.font_size,
            vertical_alignments='top')
        return self.get_image()

    def draw(self,
             image: ImageType,
             data_sample: Optional[DetDataSample] = None,
             draw_gt: bool = True,
             draw_pred: bool = True,
             pred_score_thr: float = 0.3,
             panel: Optional[List[str]] = None) -> np.ndarray:
        """Compose the picture of one sample.

        Args:
            image (np.ndarray | Sequence[np.ndarray]): RGB (H, W, 3) image,
                or several (an NLVR2 pair, retrieved images) drawn side by
                side without boxes.
            data_sample (:obj:`DetDataSample`, optional): Predictions and,
                for ``draw_gt``, ground truth.
            draw_gt (bool): Draw ground-truth boxes (left of predictions).
            draw_pred (bool): Draw predicted boxes and the text panel.
            pred_score_thr (float): Minimum score of a drawn box.
            panel (list[str], optional): Lines written instead of the
                predictions' (e.g. :func:`gt_panel_lines`).

        Returns:
            np.ndarray: The RGB picture (H', W', 3), uint8.
        """
        images = [image] if isinstance(image, np.ndarray) else list(image)
        images = [img.clip(0, 255).astype(np.uint8) for img in images]
        if data_sample is None:
            return self._side_by_side([self._enlarge(i)[0] for i in images])
        data_sample = data_sample.cpu()
        if len(images) == 1:
            drawn = self._draw_boxes(images[0], data_sample, draw_gt,
                                     draw_pred, pred_score_thr)
        else:
            drawn = self._side_by_side([self._enlarge(i)[0] for i in images])
        if panel is not None:
            lines = panel
        else:
            lines = panel_lines(data_sample) if draw_pred else []
        return self._add_panel(drawn, lines) if lines else drawn

    def add_datasample(self,
                       name: str,
                       image: ImageType,
                       data_sample: Optional[DetDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: float = 0.3,
                       step: int = 0,
                       panel: Optional[List[str]] = None) -> None:
        """Draw a sample (see :meth:`draw`), then show it, write it to
        ``out_file`` or hand it to the visualization backends, as mmdet's
        ``DetLocalVisualizer.add_datasample`` does."""
        drawn = self.draw(image, data_sample, draw_gt, draw_pred,
                          pred_score_thr, panel)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
