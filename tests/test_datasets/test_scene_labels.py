# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The backbone pre-training data: object labels and object windows."""
import json

import numpy as np
import pytest

import e2evlp_mm  # noqa: F401  (registers the datasets and transforms)
from e2evlp_mm.datasets import E2EVLPDataError, E2EVLPSceneLabelDataset
from e2evlp_mm.datasets.transforms import E2EVLPCropObject


def write_det(path, annotations, attributes=('red', 'green', 'blue')):
    data = dict(
        images=[dict(id=1, file_name='a.jpg', width=20, height=10),
                dict(id=2, file_name='b.jpg', width=20, height=10)],
        categories=[dict(id=7, name='circle'), dict(id=3, name='star')],
        attribute_categories=[dict(id=i + 1, name=name)
                              for i, name in enumerate(attributes)],
        annotations=annotations)
    path.write_text(json.dumps(data))
    return str(path)


def ann(i, image, cat, attrs, bbox=(1, 2, 3, 4)):
    return dict(id=i, image_id=image, category_id=cat,
                attribute_ids=attrs, bbox=list(bbox))


def test_object_and_image_labels_pair_class_and_attribute(tmp_path):
    file = write_det(tmp_path / 'det.json', [
        ann(1, 1, 7, [2]), ann(2, 1, 3, [3], (5, 5, 2, 2)),
        ann(3, 2, 3, []), ann(4, 1, 7, [2])])
    objects = E2EVLPSceneLabelDataset(
        ann_file=file, data_prefix=dict(img_path='imgs'), lazy_init=False)
    # class index * 3 attributes + attribute index; no attribute: skipped
    assert [d['gt_label'] for d in objects] == [0 * 3 + 1, 1 * 3 + 2, 1]
    assert objects[1]['bbox'] == [5, 5, 2, 2]
    assert objects[0]['img_path'] == 'imgs/a.jpg'
    images = E2EVLPSceneLabelDataset(ann_file=file, objects=False)
    assert [d['gt_label'] for d in images] == [[1, 5], []]
    classes = E2EVLPSceneLabelDataset(ann_file=file, objects=False,
                                      with_attributes=False)
    assert [d['gt_label'] for d in classes] == [[0, 1], [1]]


def test_unknown_category_is_named(tmp_path):
    file = write_det(tmp_path / 'det.json', [ann(9, 1, 5, [1])])
    with pytest.raises(E2EVLPDataError, match='annotation 9.*category_id 5'):
        E2EVLPSceneLabelDataset(ann_file=file)


def test_window_is_centred_on_the_object_and_padded_with_edges():
    img = np.arange(10 * 20 * 3, dtype=np.uint8).reshape(10, 20, 3)
    crop = E2EVLPCropObject(window=4)
    out = crop.transform(dict(img=img, bbox=[8, 4, 4, 2]))  # centre 10, 5
    assert out['img'].shape == (4, 4, 3) and out['img_shape'] == (4, 4)
    assert np.array_equal(out['img'], img[3:7, 8:12])
    corner = crop.transform(dict(img=img, bbox=[0, 0, 0, 0]))['img']
    padded = np.pad(img, ((2, 2), (2, 2), (0, 0)), mode='edge')
    assert np.array_equal(corner, padded[:4, :4])
    shifted = E2EVLPCropObject(window=4, max_shift=3, seed=0)
    windows = {shifted.transform(dict(img=img, bbox=[8, 4, 4, 2]))[
        'img'].tobytes() for _ in range(8)}
    assert len(windows) > 1
