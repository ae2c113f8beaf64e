# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Caption head on a toy decoder (an embedding lookup)."""
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope

from e2evlp_mm.models.heads import E2EVLPCaptionHead

PAD, BOS, EOS = 0, 1, 2


def build(**kwargs):
    init_default_scope('mmdet')
    torch.manual_seed(0)
    return E2EVLPCaptionHead(
        vocab_size=9, embed_dims=6, pad_id=PAD, bos_id=BOS, eos_id=EOS,
        **kwargs)


def samples(*captions):
    return [DetDataSample(caption_ids=torch.tensor(c)) for c in captions]


def test_loss_is_token_nll_over_non_pad_targets():
    head = build()
    embed = torch.nn.Embedding(9, 6)
    data = samples([BOS, 5, 6, EOS], [BOS, 7, EOS])
    loss = head.loss(embed, data)['loss_cap']
    inputs = torch.tensor([[BOS, 5, 6], [BOS, 7, EOS]])
    logits = head(embed(inputs))
    # the second caption's last input is [SEP] predicting padding: ignored
    expected = F.cross_entropy(
        torch.cat([logits[0], logits[1, :2]]), torch.tensor([5, 6, EOS, 7,
                                                             EOS]))
    torch.testing.assert_close(loss, expected)


def test_label_smoothing_through_the_loss_config():
    head = build(
        loss_cap=dict(
            type='mmpretrain.LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original',
            loss_weight=1.0))
    embed = torch.nn.Embedding(9, 6)
    data = samples([BOS, 5, 6, EOS], [BOS, 7, EOS])
    loss = head.loss(embed, data)['loss_cap']
    inputs = torch.tensor([[BOS, 5, 6], [BOS, 7, EOS]])
    logits = head(embed(inputs))
    expected = F.cross_entropy(
        torch.cat([logits[0], logits[1, :2]]),
        torch.tensor([5, 6, EOS, 7, EOS]),
        label_smoothing=0.1)
    torch.testing.assert_close(loss, expected)


def test_predict_greedy_and_beam():
    embed = torch.nn.Embedding(9, 6)
    for beam_size in (1, 3):
        head = build(beam_size=beam_size, max_length=4)
        outs = head.predict(embed, samples([BOS, EOS], [BOS, EOS]))
        assert len(outs) == 2
        for out in outs:
            assert out['pred_caption_ids'].dim() == 1
            assert len(out['pred_caption_ids']) <= 4
            assert EOS not in out['pred_caption_ids'].tolist()
            assert isinstance(out['pred_caption_score'], float)
