"""Each fix of e2evlp_mm.compat (or pin it documents) holds."""
import io
import pickletools
import zipfile

import numpy as np
import torch
import transformers
from mmengine.logging import HistoryBuffer, MessageHub
from packaging.version import Version

import e2evlp_mm  # noqa: F401  (applies the fixes)


def _pickled_globals(buffer: bytes) -> set:
    archive = zipfile.ZipFile(io.BytesIO(buffer))
    name = next(n for n in archive.namelist() if n.endswith('data.pkl'))
    out = io.StringIO()
    pickletools.dis(archive.read(name), out=out)
    return {
        line.split('GLOBAL', 1)[1].strip().strip("'")
        for line in out.getvalue().splitlines() if 'GLOBAL' in line
    }


def test_message_hub_checkpoint_loads_with_weights_only():
    hub = MessageHub.get_instance('compat-test')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', np.float64(0.5))
    buffer = io.BytesIO()
    torch.save({'message_hub': hub.state_dict()}, buffer)
    # getattr must never be allow-listed, so it must not be pickled.
    assert not any('getattr' in g for g in _pickled_globals(buffer.getvalue()))
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)['message_hub']
    history = state['log_scalars']['train/loss']
    assert isinstance(history, HistoryBuffer)
    assert history.mean() == 1.0 and history.max() == 1.5


def test_init_dist_pytorch_is_patched_for_cpu():
    import mmengine.dist.utils as dist_utils
    assert dist_utils._init_dist_pytorch.__module__ == 'e2evlp_mm.compat'


def test_transformers_pin_keeps_mmpretrain_importable():
    # 4.57 moved apply_chunking_to_forward out of modeling_utils.
    assert Version(transformers.__version__) < Version('4.57')
    import mmdet.models  # noqa: F401
    import mmpretrain.models  # noqa: F401


def test_numpy_pin_keeps_mmpretrain_retrieval_metric_working():
    from mmpretrain.evaluation.metrics import RetrievalRecall
    pred = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.1, 0.7]])
    recall = RetrievalRecall.calculate(
        pred, [[1], [2]], topk=(1, 2), target_indices=True)
    # Sample 0's target (1) ranks 2nd, sample 1's (2) ranks 1st.
    assert [float(r) for r in recall] == [50.0, 100.0]
