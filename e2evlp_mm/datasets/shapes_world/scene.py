# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Sampling of shapes-world scenes (which shapes, colours and boxes).

A scene is a plain-background image holding 1-4 coloured shapes. Shapes and
colours are drawn uniformly and independently, so no question about one can
be answered from the other (no language prior).
"""
import random
from dataclasses import dataclass, field

SHAPES = ('circle', 'square', 'triangle', 'star', 'diamond', 'hexagon',
          'cross', 'heart')
COLOURS = {
    'red': (220, 30, 30),
    'green': (30, 170, 50),
    'blue': (30, 70, 230),
    'yellow': (245, 215, 20),
    'purple': (150, 40, 190),
    'orange': (250, 135, 10),
    'white': (250, 250, 250),
    'black': (15, 15, 15),
}
# Object side as a fraction of the image side: large enough for a
# stride-16 DETR on 64-128 px images to learn them quickly.
MIN_SIZE_FRAC = 0.20
MAX_SIZE_FRAC = 0.45
# Overlap is allowed but bounded so every shape stays recognisable.
MAX_OVERLAP = 0.25


@dataclass
class ShapeObject:
    """One shape in a scene.

    Attributes:
        shape (str): Category name, one of :data:`SHAPES`.
        colour (str): Colour name, one of :data:`COLOURS`.
        bbox (tuple[int, int, int, int]): Tight box ``(x, y, w, h)`` in
            pixels.
    """

    shape: str
    colour: str
    bbox: tuple[int, int, int, int]

    @property
    def center(self) -> tuple[float, float]:
        """tuple[float, float]: Box centre ``(cx, cy)``."""
        x, y, w, h = self.bbox
        return x + w / 2, y + h / 2


@dataclass
class Scene:
    """A sampled image: size, background and objects (drawing order).

    Attributes:
        width (int): Image width.
        height (int): Image height.
        background (tuple[int, int, int]): Background RGB.
        objects (list[ShapeObject]): Objects, later ones drawn on top.
        noise_seed (int): Seed of the light background noise.
    """

    width: int
    height: int
    background: tuple[int, int, int]
    objects: list[ShapeObject] = field(default_factory=list)
    noise_seed: int = 0

    def count(self, shape: str | None = None,
              colour: str | None = None) -> int:
        """Count objects matching ``shape`` and/or ``colour``."""
        return sum(1 for o in self.objects
                   if (shape is None or o.shape == shape)
                   and (colour is None or o.colour == colour))


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Intersection area over the smaller box's area."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / min(a[2] * a[3], b[2] * b[3])


def sample_scene(rng: random.Random, image_size: int,
                 min_objects: int = 1, max_objects: int = 4) -> Scene:
    """Sample a scene with uniformly random shapes, colours and boxes.

    Args:
        rng (random.Random): Source of randomness (the only one used).
        image_size (int): Side of the square image in pixels.
        min_objects (int): Fewest objects. Defaults to 1.
        max_objects (int): Most objects; fewer are kept when no free
            place is found. Defaults to 4.

    Returns:
        Scene: The sampled scene.
    """
    grey = rng.randint(105, 150)
    tint = [rng.randint(-12, 12) for _ in range(3)]
    background = tuple(max(0, min(255, grey + t)) for t in tint)
    scene = Scene(image_size, image_size, background,
                  noise_seed=rng.randrange(2**31))
    lo = max(4, round(MIN_SIZE_FRAC * image_size))
    hi = max(lo, round(MAX_SIZE_FRAC * image_size))
    for _ in range(rng.randint(min_objects, max_objects)):
        shape, colour = rng.choice(SHAPES), rng.choice(tuple(COLOURS))
        for _ in range(30):
            w = rng.randint(lo, hi)
            h = max(lo, min(hi, round(w * rng.uniform(0.85, 1.15))))
            box = (rng.randint(0, image_size - w),
                   rng.randint(0, image_size - h), w, h)
            if all(_overlap(box, o.bbox) <= MAX_OVERLAP
                   for o in scene.objects):
                scene.objects.append(ShapeObject(shape, colour, box))
                break
    return scene
