# Detection with paired text on your own boxes (docs/custom_dataset.md):
# the demo detector with the paths that tools/dataset_converters/
# custom_to_formats.py writes, fine-tuned from the `make demo` checkpoint.
# Only paths differ from configs/demo/e2evlp_shapes_det.py; the head has
# as many classes as classes.txt has names, learnt on top of the demo's
# shapes (new_vocabularies: docs/inference.md, "What a checkpoint knows").
_base_ = '../demo/e2evlp_shapes_det.py'
data_root = 'data/custom/'
load_from = 'work_dirs/demo/iter_1400.pth'
work_dir = 'work_dirs/custom_det'
new_vocabularies = ['classes']

model = dict(bbox_head=dict(num_classes=data_root + 'det/classes.txt'))
custom = dict(data_root=data_root, data_prefix=dict(img='images/'))
train_dataloader = dict(
    dataset=dict(custom, ann_file='det/instances_train.json',
                 caption_file='det/captions_train.json'))
test_dataloader = dict(
    dataset=dict(custom, ann_file='det/instances_test.json',
                 caption_file='det/captions_test.json'))
test_evaluator = dict(ann_file=data_root + 'det/instances_test.json')
