# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""PIL drawing of shapes-world scenes and their polygon outlines."""
import io
import math

import numpy as np
from PIL import Image, ImageDraw

from .scene import COLOURS, Scene, ShapeObject


def _normalise(points: list[tuple[float, float]]) -> list[tuple[float, ...]]:
    """Scale a polygon so that it exactly fills the unit box."""
    xs, ys = zip(*points)
    x0, y0 = min(xs), min(ys)
    sx, sy = max(xs) - x0, max(ys) - y0
    return [((x - x0) / sx, (y - y0) / sy) for x, y in points]


def _regular(n: int, start: float, radii: tuple[float, ...] = (1., )):
    """Vertices of a regular (star) polygon, alternating ``radii``."""
    k = n * len(radii)
    return [(radii[i % len(radii)] * math.cos(start + 2 * math.pi * i / k),
             radii[i % len(radii)] * math.sin(start + 2 * math.pi * i / k))
            for i in range(k)]


def _heart() -> list[tuple[float, float]]:
    ts = [2 * math.pi * i / 40 for i in range(40)]
    return [(16 * math.sin(t)**3,
             -(13 * math.cos(t) - 5 * math.cos(2 * t) -
               2 * math.cos(3 * t) - math.cos(4 * t))) for t in ts]


_T = 1 / 3
# Unit-box outlines; every one touches all four sides so the drawn shape's
# tight box is exactly the annotated box.
UNIT_POLYGONS = {
    'circle': _normalise(_regular(32, 0.)),
    'square': [(0., 0.), (1., 0.), (1., 1.), (0., 1.)],
    'triangle': [(.5, 0.), (1., 1.), (0., 1.)],
    'star': _normalise(_regular(5, -math.pi / 2, (1., .42))),
    'diamond': [(.5, 0.), (1., .5), (.5, 1.), (0., .5)],
    'hexagon': _normalise(_regular(6, 0.)),
    'cross': [(_T, 0.), (2 * _T, 0.), (2 * _T, _T), (1., _T), (1., 2 * _T),
              (2 * _T, 2 * _T), (2 * _T, 1.), (_T, 1.), (_T, 2 * _T),
              (0., 2 * _T), (0., _T), (_T, _T)],
    'heart': _normalise(_heart()),
}


def object_polygon(obj: ShapeObject) -> list[float]:
    """Outline of ``obj`` in pixels, flat ``[x1, y1, x2, y2, ...]``.

    Coordinates span ``[x, x + w] x [y, y + h]`` of the object's box, so
    they double as a COCO polygon segmentation.
    """
    x, y, w, h = obj.bbox
    return [round(v, 2) for px, py in UNIT_POLYGONS[obj.shape]
            for v in (x + px * w, y + py * h)]


def render_scene(scene: Scene) -> Image.Image:
    """Draw a scene as an RGB image.

    Args:
        scene (Scene): The scene to draw.

    Returns:
        PIL.Image.Image: ``scene.width x scene.height`` RGB image: the
        background with light noise, then every object in order (filled,
        with a thin dark outline so white and black stay separable).
    """
    rng = np.random.default_rng(scene.noise_seed)
    noise = rng.integers(-6, 7, (scene.height, scene.width, 1))
    bg = np.clip(np.asarray(scene.background) + noise, 0, 255)
    # (H, W, 3) uint8 is RGB; Pillow 13 drops fromarray's `mode` argument
    img = Image.fromarray(bg.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for obj in scene.objects:
        x, y, w, h = obj.bbox
        # PIL fills pixel centres up to the last coordinate inclusive.
        pts = [(x + px * (w - 1), y + py * (h - 1))
               for px, py in UNIT_POLYGONS[obj.shape]]
        draw.polygon(pts, fill=COLOURS[obj.colour], outline=(60, 60, 60))
    return img


def encode_image(img: Image.Image, fmt: str = 'JPEG') -> bytes:
    """Encode ``img`` (JPEG quality 95, or PNG) to bytes."""
    buf = io.BytesIO()
    if fmt == 'JPEG':
        img.save(buf, 'JPEG', quality=95)
    else:
        img.save(buf, 'PNG')
    return buf.getvalue()
