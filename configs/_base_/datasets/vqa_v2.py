# VQA v2 (Sec. 5.1): answer classification over the 3129 most frequent
# answers (Anderson et al. 2018), trained on train2014, scored on val2014
# with the official accuracy. Layout: docs/data_preparation.md. For
# test-dev, point test_dataloader at the test2015 questions (no ann_file)
# and give the evaluator format_only=True, result_file='...json'.
_base_ = './paper_common.py'
# written by tools/dataset_converters/build_vqa_answers.py (3129 answers)
answer_list_path = _base_.data_root + 'vqa/answer_list.json'

tokenize = dict(
    type='E2EVLPTokenize',
    tokenizer_path=_base_.tokenizer_path,
    max_length=_base_.max_text_length,
    keys=('text', ))
train_pipeline = [
    _base_.load_image,
    _base_.train_resize,  # no flip: it would change left/right answers
    dict(type='E2EVLPVQATarget', answer_list_path=answer_list_path),
    tokenize,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.test_resize,
    tokenize,
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'question_id', 'answer_type')),
]
vqa = dict(type='E2EVLPVQADataset', data_root=_base_.data_root)
# no AspectRatioBatchSampler: these records carry no width / height
train_dataloader = dict(
    dataset=dict(
        vqa,
        data_prefix='coco/train2014',
        question_file='vqa/v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='vqa/v2_mscoco_train2014_annotations.json',
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        vqa,
        data_prefix='coco/val2014',
        question_file='vqa/v2_OpenEnded_mscoco_val2014_questions.json',
        ann_file='vqa/v2_mscoco_val2014_annotations.json',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='E2EVLPVQAAcc')
test_evaluator = val_evaluator
