"""A validation that keeps no prediction does not end the run: a model
that predicts only a class with no COCO category trains, validates (COCO
and VG boxes, as the pre-training config) with
``save_best='coco/bbox_mAP'``, saves its best and latest checkpoints and
finishes."""
import json

from mmengine.config import Config
from mmengine.runner import Runner

from e2evlp_mm.testing.toy_detection import toy_coco_file


def _config(work_dir: str, ann_file: str, vg_file: str) -> Config:
    dataset = dict(type='E2EVLPToyDetection', ann_file=ann_file,
                   classes=('circle', 'tree'))
    loader = dict(batch_size=2, num_workers=0, dataset=dataset,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  collate_fn=dict(type='pseudo_collate'))
    return Config(dict(
        custom_imports=dict(imports=['e2evlp_mm',
                                     'e2evlp_mm.testing.toy_detection'],
                            allow_failed_imports=False),
        default_scope='mmdet',
        work_dir=work_dir,
        # class 1 ('tree') has no category in the COCO file
        model=dict(type='E2EVLPToyDetector', label=1),
        train_dataloader=dict(loader, sampler=dict(type='InfiniteSampler')),
        val_dataloader=loader,
        # without the zeros, the VG metric alone reaches save_best, which
        # then fails with KeyError: 'coco/bbox_mAP'
        val_evaluator=[
            dict(type='E2EVLPCocoMetric', ann_file=ann_file, metric='bbox'),
            dict(type='E2EVLPCocoMetric', ann_file=vg_file, metric='bbox',
                 prefix='vg')],
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=4,
                       val_interval=2),
        val_cfg=dict(type='ValLoop'),
        default_hooks=dict(
            checkpoint=dict(type='E2EVLPCheckpointHook', interval=2,
                            by_epoch=False, save_best='coco/bbox_mAP',
                            rule='greater'),
            logger=dict(type='LoggerHook', interval=1)),
        log_processor=dict(by_epoch=False),
        randomness=dict(seed=0)))


def test_run_goes_on_without_kept_predictions(tmp_path):
    ann_file = toy_coco_file(str(tmp_path / 'instances.json'), ['circle'])
    work_dir = tmp_path / 'work'
    vg_file = toy_coco_file(str(tmp_path / 'vg.json'), ['tree'])
    runner = Runner.from_cfg(_config(str(work_dir), ann_file, vg_file))
    runner.train()
    assert runner.iter == 4  # both validations passed, training finished
    files = {p.name for p in work_dir.iterdir()}
    assert {'iter_2.pth', 'iter_4.pth'} <= files
    assert 'best_coco_bbox_mAP_iter_2.pth' in files, files
    log = next(work_dir.glob('*/vis_data/scalars.json')).read_text()
    vals = [json.loads(line) for line in log.splitlines()
            if 'coco/bbox_mAP' in line]
    assert [v['coco/bbox_mAP'] for v in vals] == [0.0, 0.0]
    assert all(v['coco/bbox_mAP_l'] == 0.0 for v in vals)
    assert [v['vg/bbox_mAP'] for v in vals] == [1.0, 1.0]
    text = next(work_dir.glob('*/*.log')).read_text()
    assert 'WARNING - E2EVLPCocoMetric: none of the 3 samples kept a ' \
        f'prediction (the model predicted no class of a category of ' \
        f'{ann_file})' in text
    assert (work_dir / 'last_checkpoint').read_text().endswith('iter_4.pth')
