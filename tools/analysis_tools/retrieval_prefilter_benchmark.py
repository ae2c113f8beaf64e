# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Time and recall of retrieval ranking with and without the top-k
dual-encoder pre-filter (E2EVLPRetriever.score_all).

Example::

    python tools/analysis_tools/retrieval_prefilter_benchmark.py \
        configs/demo/e2evlp_shapes_retrieval.py work_dirs/ret/iter_150.pth \
        --topk 1 3 5 10
"""
import argparse
import time

import torch
from mmdet.registry import DATASETS, METRICS, MODELS
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

import e2evlp_mm  # noqa: F401  (registers everything)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='none: random init')
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 3, 5])
    parser.add_argument('--split', help='override the test split')
    parser.add_argument('--batch-size', type=int, default=30)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(torch.get_num_threads())
    cfg = Config.fromfile(args.config)
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()
    ds_cfg = cfg.test_dataloader.dataset
    if args.split:
        ds_cfg.split = args.split
    dataset = DATASETS.build(ds_cfg)
    text_pipeline = Compose(list(cfg.test_cfg.text_pipeline))

    start = time.perf_counter()
    images, samples, texts = [], [], {}
    with torch.no_grad():
        for i in range(0, len(dataset), args.batch_size):
            batch = pseudo_collate(
                [dataset[j] for j in range(i, min(i + args.batch_size,
                                                  len(dataset)))])
            data = model.data_preprocessor(batch, False)
            images += model.encode_images(data['inputs'],
                                          data['data_samples'])
            for ds in data['data_samples']:
                texts.update(zip(ds.gt_text_id, ds.text))
                samples.append(ds)
    text_ids = [
        torch.as_tensor(text_pipeline(dict(text=texts[j]))['text_ids'])
        for j in range(len(texts))
    ]
    encode_s = time.perf_counter() - start
    print(f'{len(images)} images x {len(text_ids)} texts; images encoded '
          f'and texts tokenized in {encode_s:.1f} s')
    print(f'{"topk":>6} {"pairs":>7} {"score s":>8} {"tr_r1":>6} '
          f'{"tr_r5":>6} {"ir_r1":>6} {"ir_r5":>6} {"r_mean":>6}')
    for topk in [None] + args.topk:
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
        res = metric.compute_metrics(metric.results)
        print(f'{str(topk):>6} {num_pairs:>7} {seconds:>8.2f} '
              f'{res["tr_r1"]:>6.1f} {res["tr_r5"]:>6.1f} '
              f'{res["ir_r1"]:>6.1f} {res["ir_r5"]:>6.1f} '
              f'{res["r_mean"]:>6.1f}')


if __name__ == '__main__':
    main()
