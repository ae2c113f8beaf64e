"""Preemption, exact resume and crash-safe checkpoints on real processes.

(SIGUSR1 and 2 gloo ranks: test_preemption_hook.py, test_long_runs_dist.py.)

Every run is ``tools/train.py`` on a toy config whose losses depend on
all random generators (dropout, NumPy and Python draws per sample), so a
resumed run that is bit-identical to an uninterrupted one restored the
sample order and the random states.
"""
import glob
import os
import signal
import time

import pytest

from e2evlp_mm.engine import PREEMPTED_EXIT_CODE
from e2evlp_mm.testing.runs import (
    TOY_LONG,
    TOY_LONG_EPOCHS,
    derived_config,
    hooks_text,
    last_checkpoint_name,
    load,
    records,
    run_tool,
    same_weights,
    start_tool,
)

TRAIN = 'tools/train.py'


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    """Uninterrupted runs of both toy configs (iteration / epoch based)."""
    root = tmp_path_factory.mktemp('reference')
    dirs = dict(iter=str(root / 'iter'), epoch=str(root / 'epoch'))
    runs = [start_tool([TRAIN, TOY_LONG, '--work-dir', dirs['iter']],
                       str(root)),
            start_tool([TRAIN, TOY_LONG_EPOCHS, '--work-dir', dirs['epoch']],
                       str(root))]  # side by side: 2 cores
    assert [run.wait(timeout=600) for run in runs] == [0, 0]
    return dirs


def _assert_continues(reference_dir, work_dir, new_lines):
    """The last ``new_lines`` records and the final weights match."""
    ref = records(reference_dir)
    assert records(work_dir)[-new_lines:] == ref[-new_lines:]
    assert same_weights(f'{reference_dir}/rank0.pth', f'{work_dir}/rank0.pth')


def test_sigterm_stops_saves_and_resumes_bit_identical_moved(
        reference, tmp_path):
    config = derived_config(
        str(tmp_path / 'sig.py'), TOY_LONG,
        custom_hooks=hooks_text('dict(type="E2EVLPSendSignal", at=5)'))
    first = str(tmp_path / 'first')
    proc = run_tool([TRAIN, config, '--work-dir', first], str(tmp_path),
                    expect=PREEMPTED_EXIT_CODE)
    assert ('Preempted (SIGTERM during iteration 5): stopped after '
            'iteration 5') in proc.stdout
    assert last_checkpoint_name(first) == 'iter_5.pth'
    assert [r['iter'] for r in records(first)] == [1, 2, 3, 4, 5]
    # The work dir moves: last_checkpoint's absolute path is gone.
    moved = str(tmp_path / 'moved')
    os.rename(first, moved)
    run_tool([TRAIN, TOY_LONG, '--work-dir', moved, '--resume'],
             str(tmp_path))
    assert load(f'{moved}/start_rank0.pth')['iter'] == 5
    _assert_continues(reference['iter'], moved, 4)


def test_kill_9_during_a_checkpoint_write_resumes_from_previous(
        reference, tmp_path):
    config = derived_config(
        str(tmp_path / 'slow.py'), TOY_LONG_EPOCHS,
        custom_hooks=hooks_text('dict(type="E2EVLPCheckpointWriteFault")'))
    work = tmp_path / 'w'
    proc = start_tool([TRAIN, config, '--work-dir', str(work)],
                      str(tmp_path))
    deadline = time.time() + 300
    # iter_3.pth is written normally; epoch_1.pth (iteration 4) stalls.
    while not glob.glob(f'{work}/epoch_1.pth.tmp-*'):
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert last_checkpoint_name(work) == 'iter_3.pth'
    assert not (work / 'epoch_1.pth').exists()
    done = len(records(work))
    run_tool([TRAIN, TOY_LONG_EPOCHS, '--work-dir', str(work), '--resume'],
             str(tmp_path))
    assert load(f'{work}/start_rank0.pth')['iter'] == 3
    lines = records(work)
    assert [r['iter'] for r in lines[done:]] == list(range(4, 9))
    # Epoch 1 was resumed after its batch 3 (loaded by 2 workers): batches
    # 1-3 of the killed run and batch 4 of the resumed one hold each of
    # the 16 samples once; epoch 2 too.
    epoch1 = lines[:3] + lines[done:done + 1]
    assert sorted(i for r in epoch1 for i in r['samples']) == list(range(16))
    assert sorted(i for r in lines[-4:] for i in r['samples']) == \
        list(range(16))
    _assert_continues(reference['epoch'], str(work), 5)


def test_disk_full_names_the_intact_previous_checkpoint(tmp_path):
    config = derived_config(
        str(tmp_path / 'full.py'), TOY_LONG_EPOCHS,
        custom_hooks=hooks_text(
            'dict(type="E2EVLPCheckpointWriteFault", fault="enospc")'))
    work = tmp_path / 'w'
    proc = run_tool([TRAIN, config, '--work-dir', str(work)], str(tmp_path),
                    expect=1)
    previous = str(work / 'iter_3.pth')
    assert 'epoch_1.pth: no space left on the device' in proc.stderr
    assert f'previous checkpoint {previous} is intact' in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert load(previous)['meta']['iter'] == 3
    assert last_checkpoint_name(str(work)) == 'iter_3.pth'
    assert not glob.glob(f'{work}/*.tmp-*')


def test_resume_refuses_truncated_and_foreign_checkpoints(
        reference, tmp_path):
    complete = f'{reference["iter"]}/iter_9.pth'
    truncated = tmp_path / 'truncated.pth'
    data = open(complete, 'rb').read()
    truncated.write_bytes(data[:len(data) // 2])
    proc = run_tool([TRAIN, TOY_LONG, '--work-dir', str(tmp_path / 'a'),
                     '--resume', str(truncated)], str(tmp_path), expect=1)
    assert f'--resume {truncated}: cannot resume from it: truncated' in \
        proc.stderr
    # The same checkpoint is foreign to a regressor of 3 features.
    proc = run_tool([TRAIN, TOY_LONG, '--work-dir', str(tmp_path / 'b'),
                     '--resume', complete, '--cfg-options',
                     'model.in_features=3',
                     'train_dataloader.dataset.in_features=3'],
                    str(tmp_path), expect=1)
    assert f'{complete}: not a checkpoint of this config' in proc.stderr
    assert 'linear.weight: (1, 4) in the checkpoint, (1, 3)' in proc.stderr
    assert 'Traceback' not in proc.stderr
