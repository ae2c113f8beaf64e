# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""DETR head with attribute classification (paper Sec. 3.1.3, L_v)."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import Linear
from mmcv.ops import batched_nms
from mmdet.models.dense_heads import DETRHead
from mmdet.models.utils import multi_apply
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.utils import ConfigType, InstanceList, reduce_mean
from mmengine.structures import InstanceData
from torch import Tensor

from ..precision import fp32
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
    # parameters with one row per class / attribute (remapped by name when
    # fine-tuning onto a new vocabulary, see engine/vocabularies.py)
    vocabulary_params = dict(
        classes=('fc_cls.weight', 'fc_cls.bias'),
        attributes=('fc_attr.weight', 'fc_attr.bias'))

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

    @fp32
    def loss_by_feat(self, all_layers_cls_scores: Tensor,
                     all_layers_bbox_preds: Tensor,
                     all_layers_attr_scores: Optional[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """Losses of every decoder layer (shapes as in :meth:`forward`).

        Runs in fp32 under autocast (:func:`~e2evlp_mm.models.precision.
        fp32`): box targets, GIoU at pixel scale and the matching costs
        would overflow (fp16) or round coarsely (bf16) in half precision.
        The ground truth and the average factors are built once per step,
        the queries of every layer are matched in one assigner call, and
        nothing waits for the device in between.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_iou``,
            ``loss_attr`` (with attributes) of the last layer and
            ``d{i}.loss_*`` of the others.
        """
        num_layers, _, num_queries = all_layers_cls_scores.shape[:3]
        targets = self.get_step_targets(batch_gt_instances, batch_img_metas,
                                        num_queries,
                                        all_layers_cls_scores.device)
        bboxes = bbox_cxcywh_to_xyxy(all_layers_bbox_preds) * \
            targets['factors'][:, None]
        gt_inds = self.assign(all_layers_cls_scores, bboxes,
                              batch_gt_instances, batch_img_metas)
        if all_layers_attr_scores is None:
            all_layers_attr_scores = [None] * num_layers
        losses = multi_apply(
            self.loss_by_feat_single,
            all_layers_cls_scores,
            all_layers_bbox_preds,
            all_layers_attr_scores,
            gt_inds.flatten(1),
            targets=targets)
        names = ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr')
        loss_dict = {}
        for name, per_layer in zip(names, losses):
            loss_dict[name] = per_layer[-1]
            for i, value in enumerate(per_layer[:-1]):
                loss_dict[f'd{i}.{name}'] = value
        return loss_dict

    def loss_by_feat_single(self, cls_scores: Tensor, bbox_preds: Tensor,
                            attr_scores: Optional[Tensor], gt_inds: Tensor,
                            targets: Dict[str, Tensor]) -> Tuple[Tensor]:
        """Losses of one decoder layer (DETRHead's, plus attributes).

        Args:
            cls_scores (Tensor): Shape (B, num_queries, num_classes + 1).
            bbox_preds (Tensor): Normalized cxcywh, (B, num_queries, 4).
            attr_scores (Tensor, optional): Shape (B, num_queries,
                num_attributes); None without attributes.
            gt_inds (Tensor): The layer's matching, (B * num_queries, ):
                0 background, ``j + 1`` ground truth ``j`` of the image.
            targets (dict[str, Tensor]): From :meth:`get_step_targets`.

        Returns:
            tuple[Tensor]: ``loss_cls``, ``loss_bbox``, ``loss_iou`` and,
            with attributes, ``loss_attr``.
        """
        pos = gt_inds > 0
        # row of each query's ground truth in the batch, the extra last row
        # (background targets) for unmatched queries
        rows = torch.where(pos, gt_inds - 1 + targets['query_offsets'],
                           targets['labels'].numel() - 1)
        loss_cls = self.loss_cls(
            cls_scores.reshape(-1, self.cls_out_channels),
            targets['labels'][rows],
            torch.ones_like(rows, dtype=cls_scores.dtype),
            avg_factor=targets['cls_avg_factor'])

        bbox_targets = targets['bboxes'][rows]
        bbox_weights = pos[:, None].to(bbox_preds.dtype).expand(-1, 4)
        factors = targets['query_factors']
        bbox_preds = bbox_preds.reshape(-1, 4)
        loss_iou = self.loss_iou(
            bbox_cxcywh_to_xyxy(bbox_preds) * factors,
            bbox_cxcywh_to_xyxy(bbox_targets) * factors,
            bbox_weights,
            avg_factor=targets['num_pos'])
        loss_bbox = self.loss_bbox(
            bbox_preds, bbox_targets, bbox_weights,
            avg_factor=targets['num_pos'])

        if attr_scores is None:
            return loss_cls, loss_bbox, loss_iou
        # attributes: matched objects that have one (target != -1)
        attr_targets = targets['attributes'][rows]
        valid = attr_targets >= 0
        num_valid = reduce_mean(valid.sum().to(attr_scores.dtype))
        loss_attr = self.loss_attr(
            attr_scores.reshape(-1, self.num_attributes),
            attr_targets.clamp(min=0),
            valid.to(attr_scores.dtype),
            avg_factor=num_valid.clamp(min=1))
        return loss_cls, loss_bbox, loss_iou, loss_attr

    def get_step_targets(self, batch_gt_instances: InstanceList,
                         batch_img_metas: List[dict], num_queries: int,
                         device: torch.device) -> Dict[str, Tensor]:
        """What every decoder layer's targets are gathered from.

        Each layer's matching gives every image ``min(num_queries, k)``
        positives (one per ground truth, or per query), so the class and
        box average factors are known from the ground-truth counts alone,
        without waiting for the matching.

        Args:
            batch_gt_instances (list[:obj:`InstanceData`]): ``bboxes``
                (xyxy pixels), ``labels`` and optionally ``attributes``.
            batch_img_metas (list[dict]): Image metas with ``img_shape``.
            num_queries (int): Queries per image.
            device (torch.device): Where the targets go.

        Returns:
            dict[str, Tensor]: With ``K`` the batch's ground truth plus one
            background row at the end: ``labels`` (K, ) (background:
            ``num_classes``), ``bboxes`` (K, 4) normalized cxcywh,
            ``attributes`` (K, ) (``-1``: none), ``factors`` (B, 4) and
            ``query_factors`` (B * num_queries, 4) image ``[w, h, w, h]``,
            ``query_offsets`` (B * num_queries, ) the first row of each
            query's image, and the average factors ``cls_avg_factor`` and
            ``num_pos`` (0-dim, averaged over processes).
        """
        factors = torch.tensor(
            [[w, h, w, h] for h, w in (meta['img_shape'][:2]
                                       for meta in batch_img_metas)],
            dtype=torch.float32, device=device)
        num_gts = [len(gt) for gt in batch_gt_instances]
        offsets = [sum(num_gts[:i]) for i in range(len(num_gts))]
        gts = [InstanceData(
            labels=gt.labels.long(),
            bboxes=bbox_xyxy_to_cxcywh(gt.bboxes.float() / factor),
            attributes=gt.attributes.long() if 'attributes' in gt else
            gt.labels.new_full((len(gt), ), -1).long())
            for gt, factor in zip(batch_gt_instances, factors)]
        background = InstanceData(
            labels=torch.full((1, ), self.num_classes, device=device),
            bboxes=factors.new_zeros(1, 4),
            attributes=torch.full((1, ), -1, device=device))
        num_pos = sum(min(num_queries, k) for k in num_gts)
        num_neg = len(num_gts) * num_queries - num_pos
        # one host-to-device copy for both average factors
        avg = factors.new_tensor(
            [num_pos * 1.0 + num_neg * self.bg_cls_weight, num_pos])
        reduced = reduce_mean(avg)
        cls_avg_factor = reduced[0] if self.sync_cls_avg_factor else avg[0]
        return dict(
            InstanceData.cat(gts + [background]).to_dict(),
            factors=factors,
            query_factors=factors.repeat_interleave(num_queries, 0),
            query_offsets=torch.tensor(
                offsets, device=device).repeat_interleave(num_queries),
            cls_avg_factor=cls_avg_factor.clamp(min=1),
            num_pos=reduced[1].clamp(min=1))

    def assign(self, cls_scores: Tensor, bboxes: Tensor,
               batch_gt_instances: InstanceList,
               batch_img_metas: List[dict]) -> Tensor:
        """Hungarian matching of every decoder layer's queries.

        One ``assign_batch`` call for all layers and images when the
        assigner has it (:class:`E2EVLPBatchHungarianAssigner`), else
        mmdet's ``assign`` image by image.

        Args:
            cls_scores (Tensor): (num_layers, B, num_queries,
                num_classes + 1).
            bboxes (Tensor): xyxy pixels, (num_layers, B, num_queries, 4).
            batch_gt_instances (list[:obj:`InstanceData`]): Ground truth.
            batch_img_metas (list[dict]): Image metas.

        Returns:
            Tensor: ``gt_inds`` (num_layers, B, num_queries), 0 for
            background, ``j + 1`` for ground truth ``j`` of the image.
        """
        if hasattr(self.assigner, 'assign_batch'):
            return self.assigner.assign_batch(cls_scores, bboxes,
                                              batch_gt_instances,
                                              batch_img_metas)
        return torch.stack([
            torch.stack([
                self.assigner.assign(
                    pred_instances=InstanceData(scores=score, bboxes=bbox),
                    gt_instances=gt,
                    img_meta=meta).gt_inds
                for score, bbox, gt, meta in zip(
                    layer_scores, layer_bboxes, batch_gt_instances,
                    batch_img_metas)
            ]) for layer_scores, layer_bboxes in zip(cls_scores, bboxes)
        ])

    @fp32
    def predict_by_feat(self,
                        layer_cls_scores: Tensor,
                        layer_bbox_preds: Tensor,
                        layer_attr_scores: Optional[Tensor],
                        batch_img_metas: List[dict],
                        rescale: bool = True) -> InstanceList:
        """Detections of the last decoder layer (shapes as in
        :meth:`forward`), decoded in fp32 under autocast: the metrics get
        fp32 boxes and scores.

        Returns:
            list[:obj:`InstanceData`]: Per image ``bboxes`` (k, 4) xyxy,
            ``scores`` (k,), ``labels`` (k,), ``attr_scores``
            (k, num_attributes) softmax probabilities and ``attr_labels``
            (k,) (with attributes), with ``k = test_cfg.max_per_img`` (at
            most the number of queries), or fewer with ``test_cfg.nms``:
            mmcv's ``batched_nms`` config (e.g. ``dict(type='nms',
            iou_threshold=0.5)``, per class unless ``class_agnostic``),
            which drops a lower-scored duplicate box. DETR has no NMS; the
            paper configs set none.
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
            if self.test_cfg.get('nms') is not None:
                _, kept = batched_nms(bboxes, scores, labels,
                                      self.test_cfg['nms'])
                bboxes, scores = bboxes[kept], scores[kept]
                labels, keep = labels[kept], keep[kept]
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
