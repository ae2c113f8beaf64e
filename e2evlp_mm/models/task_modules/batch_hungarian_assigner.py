# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""DETR's Hungarian matching for a whole batch in one cost computation."""
from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np
import torch
from mmdet.models.task_modules import HungarianAssigner
from mmdet.registry import TASK_UTILS
from mmdet.utils import InstanceList
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor


@TASK_UTILS.register_module()
class E2EVLPBatchHungarianAssigner(HungarianAssigner):
    """:class:`mmdet.models.task_modules.HungarianAssigner` for a batch.

    mmdet's assigner is called once per image and per decoder layer (with
    32 images and 3 layers: 96 calls per step, 11-17% of a demo training
    step on a 2-core CPU, nearly all of it Python overhead). This one
    computes the costs of every image that shares an ``img_shape`` in one
    call of each of mmdet's match costs (their ``img_meta`` holds a single
    shape), copies the cost matrix to the host once and solves each
    image's block with :func:`scipy.optimize.linear_sum_assignment`.

    Each cost entry is computed by the same match-cost code on the same
    numbers as in the per-image call, so the matching is identical (tested
    against :meth:`assign`). :meth:`assign` is inherited unchanged.
    """

    def assign_batch(self, batch_pred_instances: InstanceList,
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict]) -> Tensor:
        """Match every image's queries to its ground truth.

        Args:
            batch_pred_instances (list[:obj:`InstanceData`]): Per image
                ``scores`` (num_queries, num_classes + 1) logits and
                ``bboxes`` (num_queries, 4) xyxy pixels; every image has
                the same number of queries.
            batch_gt_instances (list[:obj:`InstanceData`]): Per image
                ``bboxes`` (k, 4) xyxy pixels and ``labels`` (k, ).
            batch_img_metas (list[dict]): Per image meta with
                ``img_shape``.

        Returns:
            Tensor: ``gt_inds`` (B, num_queries), long: 0 for background,
            ``j + 1`` for a query matched to ground truth ``j`` of its
            image (``AssignResult.gt_inds`` of :meth:`assign`, stacked).
        """
        num_queries = len(batch_pred_instances[0])
        device = batch_gt_instances[0].labels.device
        gt_inds = torch.zeros((len(batch_pred_instances), num_queries),
                              dtype=torch.long)
        groups = self._group_by_shape(batch_gt_instances, batch_img_metas)
        for members in groups.values():
            cost, gt_starts = self._group_cost(
                [batch_pred_instances[i] for i in members],
                [batch_gt_instances[i] for i in members],
                batch_img_metas[members[0]])
            for row, i in enumerate(members):
                num_gts = len(batch_gt_instances[i])
                block = cost[row * num_queries:(row + 1) * num_queries,
                             gt_starts[row]:gt_starts[row] + num_gts]
                rows, cols = linear_sum_assignment(block)
                gt_inds[i, torch.from_numpy(rows)] = \
                    torch.from_numpy(cols) + 1
        return gt_inds.to(device)

    @staticmethod
    def _group_by_shape(batch_gt_instances: InstanceList,
                        batch_img_metas: List[dict]
                        ) -> Dict[Tuple[int, int], List[int]]:
        """Images with ground truth, grouped by ``img_shape``."""
        groups = defaultdict(list)
        for i, (gt, meta) in enumerate(zip(batch_gt_instances,
                                           batch_img_metas)):
            if len(gt) > 0:
                groups[tuple(meta['img_shape'])].append(i)
        return groups

    def _group_cost(self, preds: InstanceList, gts: InstanceList,
                    img_meta: dict) -> Tuple[np.ndarray, List[int]]:
        """Summed match costs of all queries vs all ground truth of a group
        of images of one shape, as a host array (sum_queries, sum_gts), and
        the first column of each image's ground truth."""
        pred = InstanceData(
            scores=torch.cat([p.scores for p in preds]),
            bboxes=torch.cat([p.bboxes for p in preds]))
        gt = InstanceData(
            bboxes=torch.cat([g.bboxes for g in gts]),
            labels=torch.cat([g.labels for g in gts]))
        cost = torch.stack([
            match_cost(pred_instances=pred, gt_instances=gt,
                       img_meta=img_meta)
            for match_cost in self.match_costs
        ]).sum(0)
        starts = [0]
        for g in gts[:-1]:
            starts.append(starts[-1] + len(g))
        return cost.detach().cpu().numpy(), starts
