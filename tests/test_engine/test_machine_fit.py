"""Runs fitted to a machine without a GPU: DDP device ids, --amp choice,
CPU autocast, and which rank claims a checkpoint after a data error."""
import argparse

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import BaseLoop
from torch import nn

import e2evlp_mm.engine.cli as cli
from e2evlp_mm.engine import E2EVLPCPUAmpOptimWrapper, save_after_data_error
from e2evlp_mm.engine.cpu_distributed import fit_model_wrapper_to_device
from e2evlp_mm.engine.mixed_precision import add_amp_arg, select_amp

pytestmark = pytest.mark.skipif(torch.cuda.is_available(),
                                reason='checks the machine without a GPU')


def test_ddp_gets_no_device_ids_without_gpu():
    cfg = Config(dict(launcher='pytorch', find_unused_parameters=True))
    fit_model_wrapper_to_device(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', device_ids=None,
        broadcast_buffers=False, find_unused_parameters=True)
    # a config's own wrapper keeps its settings
    cfg = Config(dict(launcher='pytorch', model_wrapper_cfg=dict(
        type='MMDistributedDataParallel', broadcast_buffers=True)))
    fit_model_wrapper_to_device(cfg)
    assert cfg.model_wrapper_cfg.broadcast_buffers is True
    assert cfg.model_wrapper_cfg.device_ids is None
    # one process: no wrapper at all
    cfg = Config(dict(launcher='none'))
    fit_model_wrapper_to_device(cfg)
    assert 'model_wrapper_cfg' not in cfg


def _amp(argv, optim_wrapper):
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    add_amp_arg(parser)
    args = parser.parse_args(['cfg.py'] + argv)
    cfg = Config(dict(optim_wrapper=optim_wrapper))
    select_amp(cfg, args.amp, args.config)
    return cfg.optim_wrapper


@pytest.mark.parametrize('argv,dtype', [(['--amp'], 'float16'),
                                        (['--amp', 'fp16'], 'float16'),
                                        (['--amp', 'bf16'], 'bfloat16')])
def test_amp_from_the_command_line(argv, dtype):
    wrapper = _amp(argv, dict(type='OptimWrapper', optimizer=dict(
        type='SGD', lr=0.1)))
    assert wrapper.type == 'E2EVLPCPUAmpOptimWrapper'
    assert (wrapper.dtype, wrapper.loss_scale) == (dtype, 'dynamic')


def test_amp_from_a_config_and_bad_choices():
    wrapper = _amp([], dict(type='AmpOptimWrapper', dtype='bfloat16'))
    assert (wrapper.type, wrapper.dtype) == ('E2EVLPCPUAmpOptimWrapper',
                                             'bfloat16')
    assert _amp([], dict(type='OptimWrapper')).type == 'OptimWrapper'
    with pytest.raises(SystemExit, match='cfg.py: --amp needs'):
        _amp(['--amp'], dict(type='E2EVLPSomeWrapper'))
    with pytest.raises(SystemExit):  # argparse: not a choice
        _amp(['--amp', 'fp8'], dict(type='OptimWrapper'))


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_cpu_amp_wrapper_autocasts_and_steps(dtype):
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    before = model.weight.detach().clone()
    wrapper = E2EVLPCPUAmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1), dtype=dtype)
    for _ in range(3):
        with wrapper.optim_context(model):
            out = model(torch.randn(8, 4))
        assert out.dtype == getattr(torch, dtype)
        wrapper.update_params(out.float().pow(2).mean())
    assert not torch.equal(before, model.weight)
    # fp16 scales the loss (as on a GPU; 2**16 overflows the first step
    # here, so the scale backs off); bf16 has no need to
    assert wrapper.loss_scaler.is_enabled() == (dtype == 'float16')
    if dtype == 'float16':
        assert wrapper.loss_scaler.get_scale() < 2.0**16
    assert 'loss_scaler' in wrapper.state_dict()


class _Loop(BaseLoop):
    """A train loop stopped after 3 iterations."""

    def __init__(self) -> None:
        self._iter = 3

    @property
    def iter(self) -> int:
        return self._iter

    def run(self) -> None:
        pass


class _Runner:
    work_dir = 'work_dirs/x'

    def __init__(self) -> None:
        self._train_loop = _Loop()
        self.saved = []

    def save_checkpoint(self, out_dir, filename, **kwargs) -> None:
        self.saved.append(filename)


@pytest.mark.parametrize('rank', [0, 1])
def test_only_rank_0_says_it_saved_after_a_data_error(rank, monkeypatch):
    monkeypatch.setattr(cli, 'is_main_process', lambda: rank == 0)
    monkeypatch.setattr(cli, 'get_rank', lambda: rank)
    runner = _Runner()
    message = save_after_data_error(runner)
    if rank == 0:
        assert runner.saved == ['data_error_iter_3.pth']
        assert 'was saved to work_dirs/x/data_error_iter_3.pth' in message
    else:
        assert runner.saved == []
        assert 'saved' not in message.replace('saves', '').replace(
            'a saved file', '')
        assert message.startswith('Rank 1 saves no checkpoint (rank 0 does)')
