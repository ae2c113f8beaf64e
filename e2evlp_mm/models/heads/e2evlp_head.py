# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""DETR head with attribute classification (paper Sec. 3.1.3, L_v)."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import Linear
from mmdet.models.dense_heads import DETRHead
from mmdet.models.utils import multi_apply
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.utils import ConfigType, InstanceList, reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from ..vocab_size import vocab_size


@MODELS.register_module()
class E2EVLPHead(DETRHead):
    """Detection head of E2E-VLP: DETR's class and box branches plus a
    linear attribute classifier on every decoder query.

    The attribute loss is a cross-entropy over ``num_attributes`` (no
    background) on the queries Hungarian-matched to a ground-truth object
    whose ``gt_instances.attributes`` is not ``-1``, averaged over those
    objects. Like the class and box losses it is computed for every decoder
    layer (``loss_attr``, ``d0.loss_attr``, ...). With ``num_attributes=0``
    the head is DETR's (no attribute branch, no ``loss_attr``): COCO
    detection and the Table 3 ablation.

    Args:
        num_classes (int | str): Object classes without background (1600
            on VG), or the vocabulary file to count them from (the
            ``metainfo['classes']`` file of the dataset).
        num_attributes (int | str): Attribute classes (400 on VG), or
            their vocabulary file; 0 builds no attribute branch.
        loss_attr (:obj:`ConfigDict` or dict): Attribute loss config.
            Defaults to ``CrossEntropyLoss`` with weight 1.
        **kwargs: The arguments of :class:`mmdet.models.DETRHead`
            (``embed_dims``, ``loss_cls`` with ``bg_cls_weight``,
            ``loss_bbox``, ``loss_iou``, ``train_cfg``, ``test_cfg``).
    """

    def __init__(self,
                 num_classes: Union[int, str],
                 num_attributes: Union[int, str],
                 loss_attr: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 loss_cls: ConfigType = dict(
                     type='CrossEntropyLoss',
                     bg_cls_weight=0.1,
                     use_sigmoid=False,
                     loss_weight=1.0,
                     class_weight=1.0),
                 **kwargs) -> None:
        num_classes = vocab_size(num_classes, 'num_classes')
        self.num_attributes = vocab_size(num_attributes, 'num_attributes')
        # DETRHead turns the float class_weight into the per-class vector
        # with the no-object weight only for its own class: do it here.
        loss_cls = dict(loss_cls)
        bg_cls_weight = loss_cls.pop('bg_cls_weight', None)
        class_weight = loss_cls.get('class_weight', None)
        if isinstance(class_weight, float):
            bg_weight = class_weight if bg_cls_weight is None else \
                bg_cls_weight
            loss_cls['class_weight'] = [class_weight] * num_classes + [
                bg_weight
            ]
        super().__init__(num_classes=num_classes, loss_cls=loss_cls, **kwargs)
        if bg_cls_weight is not None:
            self.bg_cls_weight = bg_cls_weight
        self.loss_attr = MODELS.build(loss_attr)

    def _init_layers(self) -> None:
        """Add the attribute branch to DETR's class and box branches."""
        super()._init_layers()
        if self.num_attributes > 0:
            self.fc_attr = Linear(self.embed_dims, self.num_attributes)

    def forward(self, hidden_states: Tensor
                ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """Predict classes, boxes and attributes of every query.

        Args:
            hidden_states (Tensor): Decoder outputs, shape
                (num_decoder_layers, B, num_queries, embed_dims).

        Returns:
            tuple[Tensor]: Class logits (num_decoder_layers, B, num_queries,
            num_classes + 1), normalized cxcywh boxes (num_decoder_layers,
            B, num_queries, 4) and attribute logits (num_decoder_layers, B,
            num_queries, num_attributes), None without attributes.
        """
        cls_scores, bbox_preds = super().forward(hidden_states)
        if self.num_attributes == 0:
            return cls_scores, bbox_preds, None
        return cls_scores, bbox_preds, self.fc_attr(hidden_states)

    def loss_by_feat(self, all_layers_cls_scores: Tensor,
                     all_layers_bbox_preds: Tensor,
                     all_layers_attr_scores: Optional[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """Losses of every decoder layer (shapes as in :meth:`forward`).

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_iou``,
            ``loss_attr`` (with attributes) of the last layer and
            ``d{i}.loss_*`` of the others.
        """
        if all_layers_attr_scores is None:
            all_layers_attr_scores = [None] * len(all_layers_cls_scores)
        losses = multi_apply(
            self.loss_by_feat_single,
            all_layers_cls_scores,
            all_layers_bbox_preds,
            all_layers_attr_scores,
            batch_gt_instances=batch_gt_instances,
            batch_img_metas=batch_img_metas)
        names = ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr')
        loss_dict = {}
        for name, per_layer in zip(names, losses):
            loss_dict[name] = per_layer[-1]
            for i, value in enumerate(per_layer[:-1]):
                loss_dict[f'd{i}.{name}'] = value
        return loss_dict

    def loss_by_feat_single(self, cls_scores: Tensor, bbox_preds: Tensor,
                            attr_scores: Optional[Tensor],
                            batch_gt_instances: InstanceList,
                            batch_img_metas: List[dict]) -> Tuple[Tensor]:
        """Losses of one decoder layer (DETRHead's, plus attributes).

        Args:
            cls_scores (Tensor): Shape (B, num_queries, num_classes + 1).
            bbox_preds (Tensor): Normalized cxcywh, (B, num_queries, 4).
            attr_scores (Tensor, optional): Shape (B, num_queries,
                num_attributes); None without attributes.
            batch_gt_instances (list[:obj:`InstanceData`]): ``bboxes``,
                ``labels`` and ``attributes`` (``-1``: none) per image.
            batch_img_metas (list[dict]): Image metas.

        Returns:
            tuple[Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_iou`` and,
            with attributes, ``loss_attr``.
        """
        (labels, label_weights, bbox_targets, bbox_weights, attr_targets,
         num_pos, num_neg) = self.get_batch_targets(cls_scores, bbox_preds,
                                                    batch_gt_instances,
                                                    batch_img_metas)

        # classification, weighted avg factor as in the official DETR
        cls_avg_factor = num_pos * 1.0 + num_neg * self.bg_cls_weight
        if self.sync_cls_avg_factor:
            cls_avg_factor = reduce_mean(
                cls_scores.new_tensor([cls_avg_factor]))
        loss_cls = self.loss_cls(
            cls_scores.reshape(-1, self.cls_out_channels),
            labels,
            label_weights,
            avg_factor=max(cls_avg_factor, 1))

        num_pos = cls_scores.new_tensor([num_pos])
        num_pos = torch.clamp(reduce_mean(num_pos), min=1).item()
        factors = torch.cat([
            bbox_preds.new_tensor([w, h, w, h]).expand(bbox_preds.size(1), 4)
            for h, w in (meta['img_shape'] for meta in batch_img_metas)
        ])
        bbox_preds = bbox_preds.reshape(-1, 4)
        loss_iou = self.loss_iou(
            bbox_cxcywh_to_xyxy(bbox_preds) * factors,
            bbox_cxcywh_to_xyxy(bbox_targets) * factors,
            bbox_weights,
            avg_factor=num_pos)
        loss_bbox = self.loss_bbox(
            bbox_preds, bbox_targets, bbox_weights, avg_factor=num_pos)

        if attr_scores is None:
            return loss_cls, loss_bbox, loss_iou
        # attributes: matched objects that have one (target != -1)
        valid = attr_targets >= 0
        num_valid = reduce_mean(attr_scores.new_tensor([valid.sum()]))
        loss_attr = self.loss_attr(
            attr_scores.reshape(-1, self.num_attributes),
            attr_targets.clamp(min=0),
            valid.float(),
            avg_factor=max(num_valid.item(), 1.))
        return loss_cls, loss_bbox, loss_iou, loss_attr

    def get_batch_targets(self, cls_scores: Tensor, bbox_preds: Tensor,
                          batch_gt_instances: InstanceList,
                          batch_img_metas: List[dict]) -> tuple:
        """DETR's targets of one decoder layer's queries, plus attributes.

        The queries are matched by the assigner's ``assign_batch`` when it
        has one (:class:`E2EVLPBatchHungarianAssigner`: one cost
        computation for the batch), else image by image with ``assign``;
        the targets are then gathered for the whole batch at once.

        Args:
            cls_scores (Tensor): Shape (B, num_queries, num_classes + 1).
            bbox_preds (Tensor): Normalized cxcywh, (B, num_queries, 4).
            batch_gt_instances (list[:obj:`InstanceData`]): ``bboxes``
                (xyxy pixels), ``labels`` and optionally ``attributes``.
            batch_img_metas (list[dict]): Image metas with ``img_shape``.

        Returns:
            tuple: ``labels`` (B * num_queries, ) with ``num_classes`` for
            background, ``label_weights`` (B * num_queries, ),
            ``bbox_targets`` (B * num_queries, 4) normalized cxcywh,
            ``bbox_weights`` (B * num_queries, 4), ``attr_targets``
            (B * num_queries, ) with ``-1`` where no loss applies, and the
            numbers of positive and negative queries (int).
        """
        factors = bbox_preds.new_tensor(
            [[w, h, w, h] for h, w in (meta['img_shape']
                                       for meta in batch_img_metas)])
        bboxes = bbox_cxcywh_to_xyxy(bbox_preds) * factors[:, None]
        if hasattr(self.assigner, 'assign_batch'):
            gt_inds = self.assigner.assign_batch(cls_scores, bboxes,
                                                 batch_gt_instances,
                                                 batch_img_metas)
        else:
            gt_inds = torch.stack([
                self.assigner.assign(
                    pred_instances=InstanceData(scores=score, bboxes=bbox),
                    gt_instances=gt,
                    img_meta=meta).gt_inds for score, bbox, gt, meta in zip(
                        cls_scores, bboxes, batch_gt_instances,
                        batch_img_metas)
            ])
        gt_inds = gt_inds.flatten()  # (B * num_queries, ), 0: background
        pos = gt_inds > 0
        # index of each query's ground truth in the concatenated batch
        offsets = torch.tensor([0] + [gt.labels.numel()
                                      for gt in batch_gt_instances],
                               device=gt_inds.device).cumsum(0)[:-1]
        num_queries = bbox_preds.size(1)
        flat = (gt_inds - 1 +
                offsets.repeat_interleave(num_queries))[pos]

        gt_labels = torch.cat([gt.labels for gt in batch_gt_instances])
        labels = gt_inds.new_full(gt_inds.shape, self.num_classes)
        labels[pos] = gt_labels[flat].long()
        label_weights = bbox_preds.new_ones(gt_inds.shape)
        gt_bboxes = torch.cat([
            gt.bboxes / factor[None]
            for gt, factor in zip(batch_gt_instances, factors)
        ])
        bbox_targets = bbox_preds.new_zeros(gt_inds.numel(), 4)
        bbox_targets[pos] = bbox_xyxy_to_cxcywh(gt_bboxes[flat])
        bbox_weights = torch.zeros_like(bbox_targets)
        bbox_weights[pos] = 1.0
        attr_targets = gt_inds.new_full(gt_inds.shape, -1)
        gt_attrs = torch.cat([
            gt.attributes.long() if 'attributes' in gt else
            gt.labels.new_full((len(gt), ), -1).long()
            for gt in batch_gt_instances
        ])
        attr_targets[pos] = gt_attrs[flat]
        num_pos = int(pos.sum())
        return (labels, label_weights, bbox_targets, bbox_weights,
                attr_targets, num_pos, gt_inds.numel() - num_pos)

    def predict_by_feat(self,
                        layer_cls_scores: Tensor,
                        layer_bbox_preds: Tensor,
                        layer_attr_scores: Optional[Tensor],
                        batch_img_metas: List[dict],
                        rescale: bool = True) -> InstanceList:
        """Detections of the last decoder layer (shapes as in
        :meth:`forward`).

        Returns:
            list[:obj:`InstanceData`]: Per image ``bboxes`` (k, 4) xyxy,
            ``scores`` (k,), ``labels`` (k,), ``attr_scores``
            (k, num_attributes) softmax probabilities and ``attr_labels``
            (k,) (with attributes), with ``k = test_cfg.max_per_img`` (at
            most the number of queries).
        """
        results = []
        attr_scores = [None] * len(batch_img_metas) \
            if layer_attr_scores is None else layer_attr_scores[-1]
        for cls_score, bbox_pred, attr_score, img_meta in zip(
                layer_cls_scores[-1], layer_bbox_preds[-1], attr_scores,
                batch_img_metas):
            max_per_img = self.test_cfg.get('max_per_img', len(cls_score))
            if self.loss_cls.use_sigmoid:
                scores, indexes = cls_score.sigmoid().view(-1).topk(
                    min(max_per_img, cls_score.numel()))
                labels = indexes % self.num_classes
                keep = indexes // self.num_classes
            else:
                scores, labels = F.softmax(cls_score, -1)[..., :-1].max(-1)
                # fewer queries than max_per_img: keep them all
                scores, keep = scores.topk(min(max_per_img, len(scores)))
                labels = labels[keep]
            img_h, img_w = img_meta['img_shape']
            bboxes = bbox_cxcywh_to_xyxy(bbox_pred[keep])
            bboxes = bboxes * bboxes.new_tensor([img_w, img_h, img_w, img_h])
            bboxes[:, 0::2] = bboxes[:, 0::2].clamp(min=0, max=img_w)
            bboxes[:, 1::2] = bboxes[:, 1::2].clamp(min=0, max=img_h)
            if rescale:
                bboxes = bboxes / bboxes.new_tensor(
                    img_meta['scale_factor']).repeat((1, 2))
            result = InstanceData(bboxes=bboxes, scores=scores, labels=labels)
            if attr_score is None:
                results.append(result)
                continue
            attr_prob = attr_score[keep].softmax(-1)
            result.attr_scores = attr_prob
            result.attr_labels = attr_prob.argmax(-1)
            results.append(result)
        return results
