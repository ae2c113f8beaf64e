# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Real-world image files: odd formats load as (H, W, 3) uint8 BGR, bad
files are named (test mode) or skipped and counted (training)."""
import io
import os.path as osp

import cv2
import numpy as np
import pytest
from PIL import Image

from e2evlp_mm.datasets import (
    E2EVLPBadImageError,
    E2EVLPNLVR2Dataset,
    E2EVLPPretrainDataset,
)
from e2evlp_mm.datasets.transforms import E2EVLPLoadImageFromFile
from e2evlp_mm.datasets.transforms import load_image_from_file as loader_module
from e2evlp_mm.datasets.transforms.load_image_from_file import skipped_total

# RGB (24, 32): red left half, blue right half.
RGB = np.zeros((24, 32, 3), np.uint8)
RGB[:, :16] = (255, 0, 0)
RGB[:, 16:] = (0, 0, 255)
BGR = RGB[..., ::-1]


def _pil(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


FILES = {
    'gray.png': lambda: _pil(Image.fromarray(RGB).convert('L'), 'PNG'),
    # (H, W, 4) uint8 is RGBA (Pillow 13 drops fromarray's `mode`)
    'rgba.png': lambda: _pil(Image.fromarray(np.dstack(
        [RGB, np.full((24, 32), 100, np.uint8)])), 'PNG'),
    'cmyk.jpg': lambda: _pil(Image.fromarray(RGB).convert('CMYK'), 'JPEG',
                             quality=100),
    '16bit.png': lambda: cv2.imencode(
        '.png', BGR.astype(np.uint16) * 257)[1].tobytes(),
    'palette.png': lambda: _pil(Image.fromarray(RGB).convert('P'), 'PNG'),
}


def _expected(name: str) -> np.ndarray:
    if name == 'gray.png':
        gray = np.asarray(Image.fromarray(RGB).convert('L'))
        return np.repeat(gray[..., None], 3, axis=2)
    return BGR


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
@pytest.mark.parametrize('color_type', ['color', 'unchanged'])
@pytest.mark.parametrize('name', sorted(FILES))
def test_formats_load_as_bgr_uint8(name, color_type, backend, tmp_path):
    """Already right with mmcv's default 'color'; 'unchanged' (which a
    config may set to keep 16-bit depth or alpha) gave 2-D, 4-channel or
    uint16 arrays before."""
    path = tmp_path / name
    path.write_bytes(FILES[name]())
    out = E2EVLPLoadImageFromFile(color_type=color_type,
                                  imdecode_backend=backend)(
                                      dict(img_path=str(path), width=32,
                                           height=24))
    img = out['img']
    assert img.shape == (24, 32, 3) and img.dtype == np.uint8
    assert out['img_shape'] == (24, 32)
    # lossy JPEG / CMYK round trip: colours within a few levels
    assert np.abs(img.astype(int) - _expected(name)).max() <= 8


def _exif_rotated(tmp_path) -> str:
    """Stored 32 wide x 24 high, EXIF orientation 6: displayed 24 x 32."""
    img = Image.fromarray(RGB)
    exif = img.getexif()
    exif[0x0112] = 6
    path = tmp_path / 'exif.jpg'
    path.write_bytes(_pil(img, 'JPEG', exif=exif, quality=100))
    return str(path)


def test_exif_rotated_jpeg_loads_as_displayed(tmp_path):
    """As mmdet (color_type='color'): the record describes the displayed
    image (24 wide, 32 high) and the pixels are rotated to match."""
    out = E2EVLPLoadImageFromFile(skip_bad_images=False)(dict(
        img_path=_exif_rotated(tmp_path), width=24, height=32))
    assert out['img'].shape == (32, 24, 3)
    # rotated 90 degrees clockwise: the red (left) half is now on top
    assert out['img'][2, 12, 2] > 200 and out['img'][-2, 12, 0] > 200


def test_exif_rotated_jpeg_with_stored_size_is_an_error(tmp_path):
    """A record giving the stored size would misplace every box: named
    with both sizes and the remedy (before: loaded silently, transposed)."""
    path = _exif_rotated(tmp_path)
    load = E2EVLPLoadImageFromFile(skip_bad_images=False)
    with pytest.raises(E2EVLPBadImageError) as error:
        load(dict(img_path=path, img_id=7, width=32, height=24))
    message = str(error.value)
    for part in (path, 'loaded as 24x32', "'width'/'height' say 32x24",
                 'EXIF', 'color_ignore_orientation', 'img_id 7'):
        assert part in message
    out = E2EVLPLoadImageFromFile(color_type='color_ignore_orientation')(
        dict(img_path=path, width=32, height=24))
    assert out['img'].shape == (24, 32, 3)


def _jpeg(size=(96, 128)) -> bytes:
    noise = np.random.default_rng(0).integers(0, 255, size + (3, ), np.uint8)
    return _pil(Image.fromarray(noise), 'JPEG', quality=95)


@pytest.mark.parametrize('cut', [0.5, 0.99])
def test_truncated_jpeg_is_named_in_test_mode(cut, tmp_path):
    path = tmp_path / 'cut.jpg'
    data = _jpeg()
    path.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(E2EVLPBadImageError,
                       match=r"cut\.jpg' is a truncated JPEG.*field "
                       r"'img_path'"):
        E2EVLPLoadImageFromFile(skip_bad_images=False)(
            dict(img_path=str(path)))


def test_empty_and_garbage_files_are_named(tmp_path):
    (tmp_path / 'empty.png').write_bytes(b'')
    (tmp_path / 'text.jpg').write_bytes(b'<html>not found</html>')
    load = E2EVLPLoadImageFromFile(skip_bad_images=False)
    with pytest.raises(E2EVLPBadImageError, match="empty.png' is empty"):
        load(dict(img_path=str(tmp_path / 'empty.png')))
    with pytest.raises(E2EVLPBadImageError,
                       match="text.jpg' could not be decoded"):
        load(dict(img_path=str(tmp_path / 'text.jpg')))


def _coco_dataset(data_root, test_mode, **load):
    return E2EVLPPretrainDataset(
        data_root=osp.join(data_root, 'coco'),
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017'), test_mode=test_mode,
        pipeline=[dict(type='E2EVLPLoadImageFromFile', **load)])


@pytest.fixture
def truncated_second_image(data_root):
    path = osp.join(data_root, 'coco/train2017/000000000002.jpg')
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    yield path
    with open(path, 'wb') as f:
        f.write(data)


def _index_of_image(ds, img_id: int) -> int:
    return next(i for i in range(len(ds))
                if ds.get_data_info(i)['img_id'] == img_id)


def test_dataset_in_test_mode_names_the_image(data_root,
                                              truncated_second_image):
    """Fault 11: was mmengine's "Test time pipeline should not get None
    data_sample"; skipping is off in test mode even when asked for."""
    ds = _coco_dataset(data_root, True, skip_bad_images=True)
    with pytest.raises(E2EVLPBadImageError) as error:
        ds[_index_of_image(ds, 2)]
    assert '000000000002.jpg' in str(error.value)
    assert "img_id 2, field 'img_path'" in str(error.value)


def test_training_skips_counts_and_logs(data_root, truncated_second_image,
                                        monkeypatch):
    logged = []
    monkeypatch.setattr(loader_module, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    ds = _coco_dataset(data_root, False)
    before = skipped_total()
    out = ds[_index_of_image(ds, 2)]  # refetched: another image
    assert out['img_path'] != truncated_second_image
    # the refetch draws a random index, which may be the bad image again:
    # every attempt on it is skipped, counted and logged
    assert len(logged) >= 1
    assert skipped_total() == before + len(logged)
    for n, message in enumerate(logged, before + 1):
        assert '000000000002.jpg' in message
        assert 'truncated JPEG' in message
        assert f'{n} skipped so far' in message


def test_too_many_skips_stop_the_run(data_root, truncated_second_image):
    """A limit: a corrupt copy of the data fails loudly, not by training on
    ever fewer images."""
    ds = _coco_dataset(data_root, False, max_skipped=skipped_total())
    with pytest.raises(E2EVLPBadImageError, match=r'more than max_skipped='
                       r'\d+.*000000000002\.jpg'):
        ds[_index_of_image(ds, 2)]


def test_nlvr2_pair_in_test_mode_names_the_image(data_root, tmp_path):
    """Nested pipelines (the image pair) follow the dataset's mode."""
    ann = tmp_path / 'dev.json'
    ann.write_text('{"identifier": "dev-5-1-0", "sentence": "Two stars.", '
                   '"label": "True"}\n')
    bad = osp.join(data_root, 'nlvr2/dev/dev-5-1-img1.png')
    with open(bad, 'rb') as f:
        data = f.read()
    pair = [dict(type='E2EVLPApplyToImagePair',
                 transforms=[dict(type='E2EVLPLoadImageFromFile')])]
    ds = E2EVLPNLVR2Dataset(ann_file=str(ann), test_mode=True,
                            data_prefix=osp.join(data_root, 'nlvr2/dev'),
                            pipeline=pair)
    try:
        with open(bad, 'wb') as f:
            f.write(data[:40])
        with pytest.raises(E2EVLPBadImageError,
                           match="dev-5-1-img1.png' is a truncated PNG"):
            ds[0]
    finally:
        with open(bad, 'wb') as f:
            f.write(data)
