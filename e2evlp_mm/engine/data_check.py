# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Fail fast, before a Runner is built, when a config's data is missing."""
import os.path as osp
from typing import Iterator, Tuple

from mmengine.config import Config, ConfigDict

from .model_check import missing_checkpoints

# Keys that mmengine / our datasets join onto ``data_root``, and keys that
# are plain paths.
_ROOTED_KEYS = ('ann_file', 'caption_file', 'question_file')
_PATH_KEYS = _ROOTED_KEYS + ('answer_list_path', 'tokenizer_path', 'classes',
                              'attributes', 'class_aliases', 'exclude_file')
# Files the model's heads and text embedding read (a head size given as a
# vocabulary file included), and the evaluators' annotation files.
_MODEL_KEYS = ('answer_list_path', 'tokenizer_path', 'init_from',
               'num_classes', 'num_attributes')
_EVALUATOR_KEYS = ('ann_file', 'class_aliases')

_HINT = """\
Expected layout (see docs/data_preparation.md):
  data/coco/{train2017,val2017,train2014,val2014}/, data/coco/annotations/
  data/vg/VG_100K/, data/vg/VG_100K_2/ and
      data/vg/annotations/vg_det_{train,val}.json,
      {objects,attributes}_vocab.txt (python tools/dataset_converters/
      vg_to_det.py data/vg --out-dir data/vg/annotations --val-fraction
      0.02 --coco-instances data/coco/annotations/instances_train2017.json)
  data/exclusions/pretrain_exclude.json (python tools/dataset_converters/
      build_exclusion_list.py --karpathy data/karpathy/dataset_coco.json
      --vqa-questions data/vqa/v2_OpenEnded_mscoco_val2014_questions.json
      --out data/exclusions/pretrain_exclude.json)
  data/pretrained/resnet{50,101,152}.pth (ImageNet weights:
      docs/data_preparation.md, "Backbone weights")
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


def _dataset_paths(node,
                   trail: str,
                   root: str = '',
                   keys: Tuple[str, ...] = _PATH_KEYS
                   ) -> Iterator[Tuple[str, str]]:
    """Yield ``(config key, path)`` for every path a config node needs.

    A ``data_root`` applies to its own dict and everything below it.
    """
    if isinstance(node, (dict, ConfigDict)):
        root = node.get('data_root', root) or root
        for key, value in node.items():
            here = f'{trail}.{key}'
            if key in keys and isinstance(value, str) and value:
                yield here, (osp.join(root, value)
                             if key in _ROOTED_KEYS else value)
            else:
                yield from _dataset_paths(value, here, root, keys)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _dataset_paths(value, f'{trail}[{i}]', root, keys)


def check_data_exists(
    cfg: Config,
    loaders: Tuple[str, ...] = ('train_dataloader', 'val_dataloader')
) -> None:
    """Check every file a config's dataloaders, model and evaluators read.

    Dataset files, the model's tokenizer, answer list, vocabulary files
    and BERT ``init_from``, the evaluators' annotation files, ImageNet
    weights.

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
    nodes = [('model', _MODEL_KEYS)] + [
        (f'{loader.split("_")[0]}_evaluator', _EVALUATOR_KEYS)
        for loader in loaders
    ]
    for name, keys in nodes:
        for key, path in _dataset_paths(cfg.get(name), name, keys=keys):
            if not osp.exists(path):
                missing.append(f'  {path}  ({key})')
    missing += missing_checkpoints(cfg)
    if missing:
        raise MissingDataError('The config needs data that is not here:\n' +
                               '\n'.join(sorted(set(missing))) + '\n' +
                               _HINT)
