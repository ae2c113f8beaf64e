# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""One object vocabulary for COCO and Visual Genome.

Pre-training reads COCO boxes and VG boxes with one classifier, so every
COCO category must be a class of the VG vocabulary. A COCO name that is
itself in the vocabulary maps onto itself; the others are looked up in
:data:`COCO_TO_VG`, a table of VG names that mean the same object, the
first one present wins. A COCO name with no counterpart at all is appended
to the vocabulary (and the converter says so), which then grows the head:
its size is read from the vocabulary file. The mapping is one-to-one, so a
predicted VG class maps back to at most one COCO category for COCO AP.
"""
from typing import Dict, List, Sequence, Tuple

# COCO name -> VG names of the same object, most specific first. Only
# names that differ are listed; the frequency-ranked VG vocabulary
# (bottom-up attention's 1600, singular or plural as VG writes them)
# holds most COCO names verbatim.
COCO_TO_VG: Dict[str, Tuple[str, ...]] = {
    'airplane': ('plane', 'aircraft', 'jet'),
    'baseball bat': ('bat', ),
    'baseball glove': ('glove', 'mitt'),
    'bicycle': ('bike', ),
    'cell phone': ('cellphone', 'phone'),
    'couch': ('sofa', ),
    'dining table': ('table', ),
    'donut': ('doughnut', ),
    'fire hydrant': ('hydrant', ),
    'hair drier': ('hair dryer', 'dryer'),
    'handbag': ('purse', 'bag'),
    'hot dog': ('hotdog', ),
    'motorcycle': ('motorbike', ),
    'person': ('man', 'people'),
    'potted plant': ('plant', 'flower pot'),
    'refrigerator': ('fridge', ),
    'remote': ('remote control', 'controller'),
    'skis': ('ski', ),
    'sports ball': ('ball', 'soccer ball', 'tennis ball'),
    'teddy bear': ('teddy', ),
    'tennis racket': ('racket', 'racquet', 'tennis racquet'),
    'traffic light': ('traffic lights', 'stoplight', 'traffic signal'),
    'tv': ('television', 'monitor'),
    'wine glass': ('glass', ),
}


def map_coco_to_vg(coco_names: Sequence[str], vg_names: Sequence[str]
                   ) -> Tuple[Dict[str, str], List[str]]:
    """Map COCO category names onto a VG object vocabulary.

    Args:
        coco_names (Sequence[str]): COCO's category names (80).
        vg_names (Sequence[str]): The VG vocabulary, most frequent first.

    Returns:
        tuple[dict[str, str], list[str]]: ``aliases`` (every COCO name ->
        its class name in the joint vocabulary) and ``appended`` (COCO
        names with no VG counterpart, to append to the vocabulary).
    """
    vocab, taken = set(vg_names), set()
    aliases, appended = {}, []
    # Exact names first, so a table entry never takes a name that another
    # COCO category has verbatim.
    for name in coco_names:
        if name in vocab:
            aliases[name] = name
            taken.add(name)
    for name in coco_names:
        if name in aliases:
            continue
        match = next((v for v in COCO_TO_VG.get(name, ())
                      if v in vocab and v not in taken), None)
        if match is None:
            appended.append(name)
            match = name
        aliases[name] = match
        taken.add(match)
    return aliases, appended
