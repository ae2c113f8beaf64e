# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Offline COCO caption metrics: BLEU-1..4, CIDEr-D (and opt-in METEOR)."""
import re
import shutil
from collections import OrderedDict
from typing import Dict, Hashable, List, Optional, Sequence

import mmengine
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.tokenizer.ptbtokenizer import PUNCTUATIONS, PTBTokenizer

from .empty_metrics import predicted_caption, zero_metrics
from .result_file import ResultFileMixin

# Tokens pycocoevalcap drops after PTB; -lowerCase makes PTB's bracket
# tokens lower case, so (unlike upper-case -LRB-) they survive.
_DROP = frozenset(PUNCTUATIONS) | {'"'}
_BRACKETS = {'(': '-lrb-', ')': '-rrb-', '[': '-lsb-', ']': '-rsb-',
             '{': '-lcb-', '}': '-rcb-'}
_CLITIC = re.compile(r"(\w)(n't|'s|'re|'ve|'ll|'d|'m)\b")
# Words keep inner hyphens and periods, and ':' / ',' between digits.
_TOKEN = re.compile(r"n't|'[a-z]+|(?:[a-z]\.){2,}"
                    r'|\w+(?:(?:[-.]|(?<=\d)[:,](?=\d))\w+)*'
                    r'|\.{2,}|-{2,}|[^\w\s]')


def basic_tokenize(caption: str) -> str:
    """Pure-python stand-in for PTBTokenizer followed by punctuation removal.

    Lowercases, splits clitics like PTB (``"don't"`` -> ``do n't``,
    ``"dog's"`` -> ``dog 's``), keeps hyphenated words, numbers such as
    ``3.5`` / ``10:30`` / ``1,000`` and ``u.s.``-style abbreviations whole,
    splits other punctuation off, writes brackets as PTB does (``-lrb-``)
    and drops the tokens pycocoevalcap drops. It agrees with the Java
    tokenizer on ordinary captions; rare inputs (other abbreviations such
    as ``mr.``, non-ASCII quotes, URLs) may differ slightly.

    Args:
        caption (str): A raw caption.

    Returns:
        str: Space-joined tokens.
    """
    text = _CLITIC.sub(r'\1 \2', caption.lower().replace('\n', ' '))
    tokens = (_BRACKETS.get(t, t) for t in _TOKEN.findall(text))
    return ' '.join(t for t in tokens if t not in _DROP)


@METRICS.register_module()
class E2EVLPCaptionMetric(ResultFileMixin, BaseMetric):
    """BLEU-1..4 and CIDEr-D of generated captions, computed offline.

    Uses pycocoevalcap's ``Bleu`` and ``Cider`` scorers (the latter is
    CIDEr-D as on the COCO server) directly, like ``COCOEvalCap`` minus
    SPICE, which downloads Stanford CoreNLP models, and minus ROUGE-L.
    mmpretrain's ``COCOCaption`` wraps ``COCOEvalCap`` and so always runs
    SPICE; hence this class. Scores are on pycocoevalcap's scale
    (BLEU in ``[0, 1]``, CIDEr about 1 for good models), with its key
    names.

    References come from ``ann_file`` (COCO captions json, looked up by
    image id) when given, otherwise from the data samples: metainfo
    ``gt_captions`` (list[str] or str, test mode of
    ``E2EVLPCaptionDataset``), else metainfo ``caption``. Samples sharing an
    image id pool their references; the first prediction per image is
    scored.

    Args:
        ann_file (str, optional): COCO-format captions json
            (``annotations: [{image_id, caption}]``). Defaults to None.
        tokenizer (str): ``'ptb'`` (Stanford PTBTokenizer via ``java``, as
            COCOEvalCap), ``'basic'`` (:func:`basic_tokenize`) or
            ``'auto'`` (``'ptb'`` when ``java`` is on the PATH).
            Defaults to ``'auto'``.
        with_meteor (bool): Also compute METEOR (needs ``java``; starts a
            JVM with 2 GB heap). Defaults to False.
        result_file (str, optional): Where to dump the COCO results json
            ``[{'image_id': int, 'caption': str}]``. Defaults to None.
        format_only (bool): Only dump the results, return no metric.
            Needs ``result_file``. Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'caption'``.
    """
    default_prefix = 'caption'

    def __init__(self,
                 ann_file: Optional[str] = None,
                 tokenizer: str = 'auto',
                 with_meteor: bool = False,
                 result_file: Optional[str] = None,
                 format_only: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if tokenizer not in ('auto', 'ptb', 'basic'):
            raise ValueError(f'Unknown tokenizer {tokenizer!r}.')
        has_java = shutil.which('java') is not None
        if tokenizer == 'auto':
            tokenizer = 'ptb' if has_java else 'basic'
            if not has_java:
                MMLogger.get_current_instance().warning(
                    'java not found: captions are tokenized by '
                    '`basic_tokenize`, scores may differ slightly from '
                    'the COCO server.')
        if (tokenizer == 'ptb' or with_meteor) and not has_java:
            raise RuntimeError('PTBTokenizer and METEOR need `java`.')
        self.set_result_file(result_file, format_only)
        self.ann_file = ann_file
        self.tokenizer = tokenizer
        self.with_meteor = with_meteor

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's image id, caption and references.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs; each holds
                ``pred_caption`` (str), metainfo ``img_id`` (or
                ``image_id``) and, without ``ann_file``, ``gt_captions`` or
                metainfo ``caption``.
        """
        for sample in data_samples:
            img_id = sample.get('img_id', sample.get('image_id'))
            refs = sample.get('gt_captions', sample.get('caption', []))
            self.results.append(
                dict(
                    image_id=int(img_id),
                    caption=predicted_caption(self, sample),
                    refs=[refs] if isinstance(refs, str) else list(refs)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Dump the results json and/or score the captions.

        Args:
            results (list[dict]): What :meth:`process` kept, from all ranks.

        Returns:
            dict[str, float]: ``Bleu_1`` .. ``Bleu_4``, ``CIDEr`` and, if
            enabled, ``METEOR`` (each 0.0 when no image was evaluated);
            empty when ``format_only``.
        """
        preds, refs = OrderedDict(), {}
        for res in results:
            preds.setdefault(res['image_id'], res['caption'])
            pooled = refs.setdefault(res['image_id'], [])
            pooled.extend(r for r in res['refs'] if r not in pooled)
        if self.result_file is not None:
            self.dump_results([
                dict(image_id=img_id, caption=cap)
                for img_id, cap in preds.items()
            ], 'Caption')
        if self.format_only:
            return {}
        if not preds:
            names = [f'Bleu_{n}' for n in range(1, 5)] + ['CIDEr'] + (
                ['METEOR'] if self.with_meteor else [])
            return zero_metrics(self, names, 'no image was evaluated')
        if self.ann_file is not None:
            refs = {img_id: [] for img_id in preds}
            for ann in mmengine.load(self.ann_file)['annotations']:
                if ann['image_id'] in refs:
                    refs[ann['image_id']].append(ann['caption'])
        missing = [img_id for img_id in preds if not refs.get(img_id)]
        if missing:
            raise KeyError(f'No reference captions for images {missing[:5]}')
        return self.score(preds, {i: refs[i] for i in preds})

    def score(self, preds: Dict[int, str],
              refs: Dict[int, List[str]]) -> Dict[str, float]:
        """Tokenize and score predictions against references.

        Args:
            preds (dict[int, str]): One raw caption per image id.
            refs (dict[int, list[str]]): Raw references per image id.

        Returns:
            dict[str, float]: The scores, pycocoevalcap key names.
        """
        # One tokenizer run (one JVM start) for predictions and references.
        caps = {('res', k): [v] for k, v in preds.items()}
        caps.update({('gts', k): v for k, v in refs.items()})
        toks = self._tokenize(caps)
        res = {k: toks[('res', k)] for k in preds}
        gts = {k: toks[('gts', k)] for k in preds}
        bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
        metrics = {f'Bleu_{n + 1}': float(b) for n, b in enumerate(bleu)}
        metrics['CIDEr'] = float(Cider().compute_score(gts, res)[0])
        if self.with_meteor:
            from pycocoevalcap.meteor.meteor import Meteor
            metrics['METEOR'] = float(Meteor().compute_score(gts, res)[0])
        return metrics

    def _tokenize(self, caps: Dict[Hashable,
                                   List[str]]) -> Dict[Hashable, List[str]]:
        if self.tokenizer == 'basic':
            return {k: [basic_tokenize(c) for c in v] for k, v in caps.items()}
        return PTBTokenizer().tokenize(
            {k: [{'caption': c} for c in v] for k, v in caps.items()})
