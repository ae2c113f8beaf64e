# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Fail fast, before a Runner is built, when a config's data is missing."""
import os.path as osp
from typing import Iterator, List, Tuple

from mmengine.config import Config, ConfigDict

_PATH_KEYS = ('ann_file', 'answer_list_path', 'tokenizer_path')

_HINT = """\
Expected layout (see README, "Data preparation"):
  data/coco/{train2017,val2017,train2014,val2014}/, data/coco/annotations/
  data/vg/VG_100K/ and data/vg/annotations/vg_det_{train,val}.json
      (python tools/dataset_converters/vg_to_det.py data/vg)
  data/vqa/ (VQA v2 json + answer_list.json:
      python tools/dataset_converters/build_vqa_answers.py)
  data/nlvr2/, data/karpathy/dataset_{coco,flickr30k}.json,
  data/flickr30k/flickr30k-images/
  a BERT WordPiece folder for `tokenizer_path` (a local bert-base-uncased
      copy, or python tools/dataset_converters/train_wordpiece.py)
To try everything on generated data instead:
  python tools/dataset_converters/make_shapes_world.py --out data/shapes_world
"""


class MissingDataError(FileNotFoundError):
    """Raised when files a config points at do not exist."""


def _walk(node, trail: str) -> Iterator[Tuple[str, object]]:
    if isinstance(node, (dict, ConfigDict)):
        for key, value in node.items():
            yield f'{trail}.{key}' if trail else key, value
            yield from _walk(value, f'{trail}.{key}' if trail else key)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, f'{trail}[{i}]')


def _dataset_paths(dataset: dict, trail: str) -> List[Tuple[str, str]]:
    """Return ``(config key, path)`` pairs a dataset config needs."""
    paths = []
    root = dataset.get('data_root', '') or ''
    for key, value in _walk(dataset, trail):
        name = key.rsplit('.', 1)[-1]
        if name in _PATH_KEYS and isinstance(value, str) and value:
            # mmengine joins ann_file onto data_root; other paths are as is.
            full = osp.join(root, value) if name == 'ann_file' else value
            paths.append((key, full))
    return paths


def check_data_exists(
    cfg: Config,
    loaders: Tuple[str, ...] = ('train_dataloader', 'val_dataloader')
) -> None:
    """Check every dataset file and tokenizer a config's dataloaders need.

    Args:
        cfg (Config): A full config.
        loaders (tuple[str]): The dataloaders to check.

    Raises:
        MissingDataError: Naming each missing path, the config key that
            asks for it, the expected layout and the converter to run.
    """
    missing = []
    for loader in loaders:
        if cfg.get(loader) and cfg[loader].get('dataset'):
            for key, path in _dataset_paths(cfg[loader].dataset,
                                            f'{loader}.dataset'):
                if not osp.exists(path):
                    missing.append(f'  {path}  ({key})')
    if missing:
        raise MissingDataError('The config needs data that is not here:\n' +
                               '\n'.join(sorted(set(missing))) + '\n' +
                               _HINT)
