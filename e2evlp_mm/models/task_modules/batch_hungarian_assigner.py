# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""DETR's Hungarian matching for a whole batch in one cost computation."""
from typing import List

import torch
from mmdet.models.task_modules import BBoxL1Cost, HungarianAssigner
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmdet.utils import InstanceList
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor


@TASK_UTILS.register_module()
class E2EVLPBatchHungarianAssigner(HungarianAssigner):
    """:class:`mmdet.models.task_modules.HungarianAssigner` for a batch.

    mmdet's assigner is called once per image and per decoder layer (with
    32 images and 3 layers: 96 calls per step, each with a device-to-host
    copy). This one computes the costs of every query of every image (and
    of every decoder layer, when given) against every ground-truth box of
    the batch in one call of each of mmdet's match costs, gathers each
    image's (queries x its ground truth) block, copies them to the host
    once and solves each block with
    :func:`scipy.optimize.linear_sum_assignment`.

    Images of different sizes share the computation: ``BBoxL1Cost``, the
    only mmdet cost that reads ``img_meta`` (to normalise the boxes), is
    evaluated with each row's and each column's own image size, by the
    same arithmetic as mmdet's; the class and IoU costs do not depend on
    the image. Every entry of an image's block is therefore the number
    the per-image call computes, so the matching is identical (tested
    against :meth:`assign`, which is inherited unchanged).
    """

    def assign_batch(self, scores: Tensor, bboxes: Tensor,
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict]) -> Tensor:
        """Match every image's queries to its ground truth.

        Args:
            scores (Tensor): Class logits, (..., B, num_queries,
                num_classes + 1); the leading dims (e.g. decoder layers)
                are matched independently.
            bboxes (Tensor): Predicted boxes, xyxy pixels of their image,
                (..., B, num_queries, 4).
            batch_gt_instances (list[:obj:`InstanceData`]): Per image
                ``bboxes`` (k, 4) xyxy pixels and ``labels`` (k, ).
            batch_img_metas (list[dict]): Per image meta with
                ``img_shape``.

        Returns:
            Tensor: ``gt_inds`` (..., B, num_queries), long: 0 for
            background, ``j + 1`` for a query matched to ground truth
            ``j`` of its image (``AssignResult.gt_inds`` of
            :meth:`assign`, stacked).
        """
        lead, (num_imgs, num_queries) = scores.shape[:-3], scores.shape[-3:-1]
        num_gts = [gt.labels.numel() for gt in batch_gt_instances]
        gt_inds = torch.zeros(scores.shape[:-1], dtype=torch.long)
        if sum(num_gts) == 0:
            return gt_inds.to(scores.device)
        blocks = self._cost_blocks(
            scores.reshape(-1, num_imgs, num_queries, scores.size(-1)),
            bboxes.reshape(-1, num_imgs, num_queries, 4),
            batch_gt_instances, batch_img_metas)
        blocks = blocks.detach().cpu().numpy()  # the one host copy
        flat = gt_inds.view(-1, num_imgs, num_queries)
        for layer, image in ((a, i) for a in range(flat.size(0))
                             for i in range(num_imgs)):
            if num_gts[image] == 0:
                continue
            rows, cols = linear_sum_assignment(
                blocks[layer, image, :, :num_gts[image]])
            flat[layer, image, torch.from_numpy(rows)] = \
                torch.from_numpy(cols) + 1
        return gt_inds.view(*lead, num_imgs, num_queries).to(scores.device)

    def _cost_blocks(self, scores: Tensor, bboxes: Tensor,
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict]) -> Tensor:
        """Each image's cost block, right-padded to the most ground truth.

        Args:
            scores (Tensor): (L, B, num_queries, num_classes + 1).
            bboxes (Tensor): (L, B, num_queries, 4), xyxy pixels.
            batch_gt_instances (list[:obj:`InstanceData`]): B images.
            batch_img_metas (list[dict]): B metas with ``img_shape``.

        Returns:
            Tensor: (L, B, num_queries, max_k), the cost of query ``q`` of
            image ``i`` for its ground truth ``j < k_i``.
        """
        layers, num_imgs, num_queries = scores.shape[:3]
        device = scores.device
        num_gts = [gt.labels.numel() for gt in batch_gt_instances]
        factors = torch.tensor(
            [[w, h, w, h] for h, w in (m['img_shape'][:2]
                                       for m in batch_img_metas)],
            dtype=bboxes.dtype, device=device)
        # host-side indices: the image of every ground truth (column), and
        # the columns of each image's block, right-padded with its first
        # column (padding, and the block of an image without any, are never
        # read)
        col_image, block_cols, first = [], [], 0
        last = sum(num_gts) - 1
        for i, k in enumerate(num_gts):
            col_image += [i] * k
            block_cols += [
                min(first + min(j, k - 1), last) if k else 0
                for j in range(max(num_gts))
            ]
            first += k
        col_image, block_cols = torch.tensor(
            col_image + block_cols, device=device).split(
                [len(col_image), num_imgs * max(num_gts)])
        pred = InstanceData(
            scores=scores.flatten(0, 2), bboxes=bboxes.flatten(0, 2))
        gt = InstanceData(
            bboxes=torch.cat([g.bboxes for g in batch_gt_instances]),
            labels=torch.cat([g.labels for g in batch_gt_instances]))
        # the image size of every row (query) and column (ground truth)
        row_factors = factors.repeat_interleave(num_queries, 0).repeat(
            layers, 1)
        cost = torch.stack([
            _l1_cost(cost_fn, pred, gt, row_factors, factors[col_image])
            if isinstance(cost_fn, BBoxL1Cost) else cost_fn(
                pred_instances=pred, gt_instances=gt,
                img_meta=batch_img_metas[0]) for cost_fn in self.match_costs
        ]).sum(0).view(layers, num_imgs, num_queries, -1)
        index = block_cols.view(1, num_imgs, 1, -1).expand(
            layers, -1, num_queries, -1)
        return cost.gather(3, index)


def _l1_cost(cost_fn: BBoxL1Cost, pred: InstanceData, gt: InstanceData,
             row_factors: Tensor, col_factors: Tensor) -> Tensor:
    """mmdet's ``BBoxL1Cost`` with each box normalised by its own image's
    size (``row_factors`` (N, 4) for predictions, ``col_factors`` (K, 4)
    for ground truth) instead of one ``img_meta``; same arithmetic.

    Returns:
        Tensor: (N, K) weighted L1 cost.
    """
    pred_bboxes, gt_bboxes = pred.bboxes, gt.bboxes
    if cost_fn.box_format == 'xywh':
        gt_bboxes = bbox_xyxy_to_cxcywh(gt_bboxes)
        pred_bboxes = bbox_xyxy_to_cxcywh(pred_bboxes)
    gt_bboxes = gt_bboxes / col_factors
    pred_bboxes = pred_bboxes / row_factors
    return torch.cdist(pred_bboxes, gt_bboxes, p=1) * cost_fn.weight
