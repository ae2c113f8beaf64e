# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What must not depend on the number of processes: every metric and the
cross-rank contrastive loss, computed on this process or on all ranks of
a ``torchrun`` group (tests only).

``python -m torch.distributed.run --standalone --nproc_per_node 3 -m
e2evlp_mm.testing.dist_parity OUT.json DATA_DIR`` writes (rank 0) what
:func:`run_all` returns; a test compares it with :func:`run_all` on one
process.
"""
import json
import sys
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmdet.registry import METRICS
from mmengine.dataset import DefaultSampler
from mmengine.dist import all_gather_object, barrier, get_rank, get_world_size
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from e2evlp_mm.models.losses import E2EVLPITCLoss

from .metric_cases import MetricCase, metric_cases

# 3 ranks x 2 = the total batch of the contrastive check
ITC_TOTAL_BATCH = 6
# image ids of the total batch: image 0 has a sentence on rank 0 and on
# rank 1 (with 3 ranks), so a positive pair crosses ranks
ITC_IMAGE_IDS = (0, 1, 2, 0, 3, 4)


def evaluate_case(case: MetricCase, batch_size: int = 2) -> Dict[str, float]:
    """Evaluate one case as a validation loop would on this rank.

    The samples are sharded by mmengine's ``DefaultSampler`` (no shuffle,
    as the val loaders), which pads the split to a multiple of the world
    size, fed to an ``Evaluator`` in batches and evaluated with the
    dataset size.

    Args:
        case (MetricCase): Metrics, dataset meta and samples.
        batch_size (int): Samples per ``process`` call.

    Returns:
        dict[str, float]: The metrics (the same on every rank).
    """
    evaluator = Evaluator([METRICS.build(cfg) for cfg in case.metrics])
    evaluator.dataset_meta = case.dataset_meta
    indices = list(DefaultSampler(case.samples, shuffle=False))
    for start in range(0, len(indices), batch_size):
        batch = [case.samples[i] for i in indices[start:start + batch_size]]
        evaluator.process(batch)
    return evaluator.evaluate(len(case.samples))


class _Embedder(nn.Module):
    """Two linear maps to L2-normalized image and text embeddings."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.image = nn.Linear(8, 4)
        self.text = nn.Linear(8, 4)

    def forward(self, images: torch.Tensor, texts: torch.Tensor) -> tuple:
        return (F.normalize(self.image(images), dim=-1),
                F.normalize(self.text(texts), dim=-1))


def itc_step(gather: bool = True) -> Dict[str, List]:
    """One contrastive step of this rank's share of a fixed total batch.

    On several ranks the model is wrapped in DDP (gradients averaged) and
    rank ``r`` takes rows ``r * b .. (r + 1) * b`` of the total batch.

    Args:
        gather (bool): ``E2EVLPITCLoss(gather=...)``.

    Returns:
        dict[str, list]: ``loss`` of every rank and the averaged
        ``grads`` (flattened, parameter order).
    """
    gen = torch.Generator().manual_seed(1)
    images = torch.randn(ITC_TOTAL_BATCH, 8, generator=gen)
    texts = torch.randn(ITC_TOTAL_BATCH, 8, generator=gen)
    ids = torch.tensor(ITC_IMAGE_IDS)
    share = ITC_TOTAL_BATCH // get_world_size()
    rows = slice(get_rank() * share, (get_rank() + 1) * share)
    model = _Embedder()
    if get_world_size() > 1:
        model = DistributedDataParallel(model)
    image_embeds, text_embeds = model(images[rows], texts[rows])
    loss = E2EVLPITCLoss(gather=gather)(image_embeds, text_embeds,
                                        ids[rows])
    loss.backward()
    grads = torch.cat([p.grad.flatten() for p in model.parameters()])
    return dict(loss=all_gather_object(loss.item()), grads=grads.tolist())


def run_all(data_dir: str) -> Dict[str, dict]:
    """Every metric case and the contrastive step, on this rank.

    Args:
        data_dir (str): Folder for the cases' annotation files.

    Returns:
        dict[str, dict]: Metrics per case name, ``itc`` and
        ``itc_per_rank`` (the loss without gathering).
    """
    init_default_scope('mmdet')
    if get_rank() > 0:  # rank 0 writes any missing annotation file first
        barrier()
    cases = metric_cases(data_dir)
    if get_rank() == 0:
        barrier()
    results = {name: evaluate_case(case) for name, case in cases.items()}
    results['itc'] = itc_step()
    results['itc_per_rank'] = itc_step(gather=False)
    return results


def main() -> None:
    """Run :func:`run_all` on a ``torchrun`` group; rank 0 writes json."""
    out, data_dir = sys.argv[1:3]
    torch.distributed.init_process_group('gloo')
    results = run_all(data_dir)
    if get_rank() == 0:
        with open(out, 'w') as f:
            json.dump(results, f)
    barrier()
    torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
