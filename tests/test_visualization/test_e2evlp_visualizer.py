"""E2EVLPVisualizer: boxes with attributes, the text panel, pairs."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from e2evlp_mm.visualization import E2EVLPVisualizer, panel_lines

META = dict(classes=('circle', 'square'), attributes=('red', 'green'))


@pytest.fixture(scope='module')
def visualizer():
    vis = E2EVLPVisualizer(name='test_e2evlp_visualizer', min_size=128)
    vis.dataset_meta = META
    return vis


def _detections(score=0.9):
    sample = DetDataSample()
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[8., 8., 40., 40.]]),
        scores=torch.tensor([score]),
        labels=torch.tensor([1]),
        attr_labels=torch.tensor([0]))
    return sample


def test_box_changes_pixels_only_near_the_box(visualizer):
    image = np.full((64, 64, 3), 128, dtype=np.uint8)
    drawn = visualizer.draw(image, _detections())
    assert drawn.shape == (128, 128, 3)  # enlarged x2, no text: no panel
    changed = np.abs(drawn.astype(int) - 128).sum(-1) > 0
    ys, xs = np.nonzero(changed)
    assert changed.any()
    # the box is [16, 80] px after enlarging (plus line width and label)
    assert xs.min() >= 12 and ys.min() >= 12
    assert xs.max() <= 84 + 60 and ys.max() <= 84
    below = visualizer.draw(image, _detections(0.1), pred_score_thr=0.3)
    assert (below == 128).all()  # below the threshold nothing is drawn


def test_box_label_names_attribute_and_class(visualizer, monkeypatch):
    texts = []
    draw_texts = visualizer.draw_texts
    monkeypatch.setattr(
        visualizer, 'draw_texts',
        lambda t, *a, **k: texts.append(t) or draw_texts(t, *a, **k))
    visualizer.draw(np.zeros((64, 64, 3), np.uint8), _detections())
    assert texts == ['red square: 90.0']


def test_text_panel_is_added_under_the_image(visualizer):
    image = np.full((128, 128, 3), 128, dtype=np.uint8)
    sample = DetDataSample(metainfo=dict(text='what color is it?'))
    sample.pred_answer = 'red'
    sample.pred_answer_score = 0.8
    sample.pred_answer_topk = [('red', 0.8), ('green', 0.1)]
    sample.pred_caption = 'a red square'
    drawn = visualizer.draw(image, sample)
    assert drawn.shape[1] == 128 and drawn.shape[0] > 128
    panel = drawn[128:]
    assert (panel < 100).any()  # dark text on the white panel
    assert panel_lines(sample) == [
        'Q: what color is it?', 'A: red (0.80)', 'next: green (0.10)',
        'caption: a red square']


def test_nlvr2_pair_side_by_side_with_verdict(visualizer):
    left = np.zeros((128, 128, 3), np.uint8)
    right = np.full((64, 96, 3), 255, np.uint8)
    sample = DetDataSample(metainfo=dict(text='two circles'))
    sample.pred_nlvr_label = 0
    sample.pred_nlvr_score = 0.25
    sample.nlvr_label = torch.tensor(1)
    drawn = visualizer.draw([left, right], sample)
    assert drawn.shape[1] == 128 + 8 + 192  # right resized to height 128
    assert (drawn[:128, :128] == 0).all()
    assert (drawn[:128, 136:] == 255).all()
    assert panel_lines(sample) == [
        'statement: two circles', 'verdict: False (p=0.75)  (gt: True)']


def test_itm_and_retrieval_lines():
    sample = DetDataSample(metainfo=dict(text='a red circle'))
    sample.pred_itm_score = 0.9
    assert panel_lines(sample) == ['text: a red circle', 'ITM match: 0.90']
    sample = DetDataSample()
    sample.pred_retrieval = [dict(index=2, name='a star', score=1.5)]
    assert panel_lines(sample) == ['1. a star (1.50)']


def test_add_datasample_writes_file(visualizer, tmp_path):
    out = tmp_path / 'x.png'
    visualizer.add_datasample('x', np.zeros((64, 64, 3), np.uint8),
                              _detections(), out_file=str(out))
    assert out.exists()
