# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Time and recall of retrieval ranking with and without the top-k
dual-encoder pre-filter (E2EVLPRetriever.score_all), for galleries of
growing size.

Example::

    python tools/analysis_tools/retrieval_prefilter_benchmark.py \
        configs/demo/e2evlp_shapes_retrieval.py work_dirs/ret/iter_150.pth \
        --topk 1 3 5 10

    # cost vs gallery size: the first 100, 300, 1000 images of a larger
    # shapes world (make_shapes_world.py --num-flickr 1100 --out W), 5
    # texts each; full ranking timed up to 60K joint passes and estimated
    # above (cost per pass x pairs, marked "est")
    python tools/analysis_tools/retrieval_prefilter_benchmark.py \
        configs/demo/e2evlp_shapes_retrieval.py CKPT --split train val test \
        --num-images 100 300 1000 --topk 16 --full-max-pairs 60000 \
        --cfg-options \
        test_dataloader.dataset.ann_file=W/karpathy/dataset_flickr30k.json \
        test_dataloader.dataset.data_prefix=W/flickr30k/flickr30k-images/
"""
import argparse
import time

import torch
from mmdet.registry import DATASETS, METRICS, MODELS
from mmengine.config import Config, DictAction
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.engine import exit_on_data_error


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='none: random init')
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 3, 5])
    parser.add_argument(
        '--split', nargs='+', help='override the test split(s)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help="config overrides, e.g. another world's files: "
        'test_dataloader.dataset.ann_file=... '
        'test_dataloader.dataset.data_prefix=...')
    parser.add_argument(
        '--num-images', type=int, nargs='+',
        help='gallery sizes: the first N images (default: all)')
    parser.add_argument(
        '--full-max-pairs', type=int, default=None,
        help='score all pairs only up to this many; above, print the '
        'estimate from the measured cost per joint pass')
    parser.add_argument('--batch-size', type=int, default=30)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(torch.get_num_threads())
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        with exit_on_data_error(args.config):  # e.g. a pickle with code
            load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    ds_cfg = cfg.test_dataloader.dataset
    if args.split:
        ds_cfg.split = args.split
    dataset = DATASETS.build(ds_cfg)
    text_pipeline = Compose(list(cfg.test_cfg.text_pipeline))
    sizes = args.num_images or [len(dataset)]
    images, samples, texts = encode(model, dataset, text_pipeline,
                                    max(sizes), args.batch_size)
    print(f'{"images":>6} {"texts":>6} {"topk":>6} {"pairs":>8} '
          f'{"score s":>9} {"tr_r1":>6} {"ir_r1":>6} {"r_mean":>6}')
    full_per_pass = None  # seconds per joint pass of a full ranking
    for size in sorted(sizes):
        text_ids = [t for ds in samples[:size] for t in ds.gt_text_id]
        assert text_ids == list(range(len(text_ids))), 'texts in image order'
        rows = (images[:size], samples[:size], texts[:len(text_ids)])
        for topk in args.topk + [None]:
            pairs = size * len(text_ids)
            if topk is None and full_per_pass is not None and \
                    args.full_max_pairs is not None and \
                    pairs > args.full_max_pairs:
                print(f'{size:>6} {len(text_ids):>6} {"all":>6} {pairs:>8} '
                      f'{full_per_pass * pairs:>8.0f}s {"est":>6}')
                continue
            seconds, num_pairs, res = rank(model, *rows, topk)
            if topk is None:
                full_per_pass = seconds / num_pairs
            print(f'{size:>6} {len(text_ids):>6} {str(topk or "all"):>6} '
                  f'{num_pairs:>8} {seconds:>9.2f} {res["tr_r1"]:>6.1f} '
                  f'{res["ir_r1"]:>6.1f} {res["r_mean"]:>6.1f}')


def encode(model, dataset, text_pipeline, num_images: int,
           batch_size: int) -> tuple:
    """Image encodings, test samples and tokenized texts of the first
    ``num_images`` gallery images (texts of those images, in id order)."""
    start = time.perf_counter()
    num_images = min(num_images, len(dataset))
    images, samples, texts = [], [], {}
    with torch.no_grad():
        for i in range(0, num_images, batch_size):
            batch = pseudo_collate([
                dataset[j] for j in range(i, min(i + batch_size, num_images))
            ])
            data = model.data_preprocessor(batch, False)
            images += model.encode_images(data['inputs'],
                                          data['data_samples'])
            for ds in data['data_samples']:
                texts.update(zip(ds.gt_text_id, ds.text))
                samples.append(ds)
    text_ids = [
        torch.as_tensor(text_pipeline(dict(text=texts[j]))['text_ids'])
        for j in sorted(texts)
    ]
    print(f'{len(images)} images x {len(text_ids)} texts encoded and '
          f'tokenized in {time.perf_counter() - start:.1f} s')
    return images, samples, text_ids


def rank(model, images, samples, text_ids, topk) -> tuple:
    """Score every image against every text (or the pre-filtered pairs):
    seconds, joint passes and recalls."""
    start = time.perf_counter()
    with torch.no_grad():
        scores, num_pairs = model.score_all(images, text_ids, topk)
    seconds = time.perf_counter() - start
    metric = METRICS.build(dict(type='E2EVLPRetrievalRecall',
                                topk=(1, 5, 10)))
    metric.process({}, [
        dict(pred_i2t_score=row, gt_text_id=ds.gt_text_id)
        for ds, row in zip(samples, scores)
    ])
    return seconds, num_pairs, metric.compute_metrics(metric.results)


if __name__ == '__main__':
    main()
