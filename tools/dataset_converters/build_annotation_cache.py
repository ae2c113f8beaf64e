# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Write the annotation caches of a config's pre-training datasets.

Builds every ``E2EVLPPretrainDataset`` of the config's dataloaders
(annotations only: no pipeline) the way training builds it, so each
writes its cache file in ``.e2evlp_cache/`` beside its annotation file
(:mod:`e2evlp_mm.datasets.annotation_cache`), the very file a training
start would write on first use. A cache already there is only mapped.
After this step no training process pays for reading the annotations.

Example::

    python tools/dataset_converters/build_annotation_cache.py \
        configs/e2evlp_r50_6l_pretrain.py
"""
import argparse
import time
from typing import Iterator, List, Optional

from mmengine.config import Config, ConfigDict, DictAction

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='training config')
    parser.add_argument('--dataloaders', nargs='+', default=DATALOADERS,
                        help='config keys whose datasets are cached')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)


def pretrain_datasets(cfg: ConfigDict) -> Iterator[ConfigDict]:
    """The ``E2EVLPPretrainDataset`` configs in a dataset config, also
    inside wrappers (``ConcatDataset`` ``datasets``, ``RepeatDataset``
    ``dataset``...)."""
    from mmdet.registry import DATASETS

    from e2evlp_mm.datasets import E2EVLPPretrainDataset
    kind = cfg.get('type')
    kind = DATASETS.get(kind) if isinstance(kind, str) else kind
    if isinstance(kind, type) and issubclass(kind, E2EVLPPretrainDataset):
        yield cfg
        return
    for child in [cfg.get('dataset')] + list(cfg.get('datasets') or []):
        if isinstance(child, dict):
            yield from pretrain_datasets(child)


def build_caches(cfg: Config, dataloaders=DATALOADERS) -> List[dict]:
    """Build each pre-training dataset of ``dataloaders`` once; return
    its annotation and cache files and the seconds it took."""
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope

    import e2evlp_mm  # noqa: F401 (registers the datasets)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    done, out = set(), []
    for key in dataloaders:
        loader = cfg.get(key)
        if loader is None:
            raise KeyError(f'{cfg.filename}: no {key!r}')
        for ds_cfg in pretrain_datasets(loader.dataset):
            ds_cfg = ds_cfg.copy()
            ds_cfg.update(pipeline=[], lazy_init=False)
            source = (ds_cfg.get('data_root'), ds_cfg.get('ann_file'),
                      ds_cfg.get('caption_file'))
            if source in done:
                continue
            done.add(source)
            start = time.time()
            dataset = DATASETS.build(ds_cfg)
            out.append(dict(ann_file=dataset.ann_file,
                            cache=dataset.annotations.cache_file,
                            seconds=round(time.time() - start, 2)))
            print(f'{dataset.ann_file}: {out[-1]["cache"]} '
                  f'({out[-1]["seconds"]} s)', flush=True)
    if not out:
        raise ValueError(f'{cfg.filename}: no E2EVLPPretrainDataset in '
                         f'{", ".join(dataloaders)}')
    return out


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    caches = build_caches(cfg, args.dataloaders)
    print(f'{len(caches)} annotation caches ready')


if __name__ == '__main__':
    main()
