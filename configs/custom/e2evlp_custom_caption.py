# Captioning on your own images (docs/custom_dataset.md): the demo
# captioner with the paths that tools/dataset_converters/
# custom_to_formats.py writes, fine-tuned from the `make demo` checkpoint.
# Only paths differ from configs/demo/e2evlp_shapes_caption.py.
_base_ = '../demo/e2evlp_shapes_caption.py'
data_root = 'data/custom/'
load_from = 'work_dirs/demo/iter_1400.pth'
work_dir = 'work_dirs/custom_caption'

karpathy = dict(
    ann_file=data_root + 'captions/dataset_custom.json',
    data_prefix=dict(img=data_root))
train_dataloader = dict(dataset=karpathy)
test_dataloader = dict(dataset=karpathy)
# your images have no shapes-world scene records to judge captions by
test_evaluator = dict(_delete_=True, type='E2EVLPCaptionMetric')
