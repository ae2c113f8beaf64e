# The shapes world's VQA v2 (colour, shape, count, existence, relative
# position questions; 24 answers, 10 human answers each): train2014 scenes
# for fine-tuning, val2014 scenes for the official accuracy.
_base_ = './shapes_world_common.py'
answer_list_path = _base_.data_root + 'vqa/answer_list.json'

tokenize = dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
                max_length=40, keys=('text', ))
train_pipeline = [
    _base_.load_image,
    _base_.resize,
    dict(type='E2EVLPVQATarget', answer_list_path=answer_list_path),
    tokenize,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.resize,
    tokenize,
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'question_id', 'answer_type')),
]
vqa = dict(type='E2EVLPVQADataset', data_root=_base_.data_root)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        vqa,
        data_prefix='coco/train2014',
        question_file='vqa/v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='vqa/v2_mscoco_train2014_annotations.json',
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        vqa,
        data_prefix='coco/val2014',
        question_file='vqa/v2_OpenEnded_mscoco_val2014_questions.json',
        ann_file='vqa/v2_mscoco_val2014_annotations.json',
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPVQAAcc')
