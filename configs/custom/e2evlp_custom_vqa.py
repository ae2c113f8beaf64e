# VQA on your own question-answer pairs (docs/custom_dataset.md): the demo
# VQA model with the paths that tools/dataset_converters/
# custom_to_formats.py writes, fine-tuned from the `make demo` checkpoint.
# Only paths differ from configs/demo/e2evlp_shapes_vqa.py (the training
# pipeline is restated because the answer list path lives in it).
_base_ = '../demo/e2evlp_shapes_vqa.py'
data_root = 'data/custom/'
answer_list_path = data_root + 'vqa/answer_list.json'
load_from = 'work_dirs/demo/iter_1400.pth'
work_dir = 'work_dirs/custom_vqa'

model = dict(vqa_head=dict(answer_list_path=answer_list_path))
train_pipeline = [
    _base_.load_image,
    _base_.resize,
    dict(type='E2EVLPVQATarget', answer_list_path=answer_list_path),
    _base_.tokenize,
    dict(type='PackE2EVLPInputs'),
]
custom = dict(data_root=data_root, data_prefix='images')
train_dataloader = dict(
    dataset=dict(custom, question_file='vqa/questions_train.json',
                 ann_file='vqa/annotations_train.json',
                 pipeline=train_pipeline))
test_dataloader = dict(
    dataset=dict(custom, question_file='vqa/questions_test.json',
                 ann_file='vqa/annotations_test.json'))
