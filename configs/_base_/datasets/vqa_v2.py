# VQA v2 (Sec. 5.1): answer classification over the 3129 most frequent
# answers (Anderson et al. 2018), trained on train2014, scored on val2014
# with the official accuracy. Layout: README, "Data preparation". For
# test-dev, point test_dataloader at the test2015 questions (no ann_file)
# and give the evaluator format_only=True, result_file='...json'.
data_root = 'data/'
# A local BERT-base-uncased WordPiece folder (no hub access at run time).
tokenizer_path = data_root + 'bert-base-uncased'
# written by tools/dataset_converters/build_vqa_answers.py (3129 answers)
answer_list_path = data_root + 'vqa/answer_list.json'
max_text_length = 40  # Sec. 4.2
backend_args = None

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    # Sec. 4.2's scale augmentation, kept for fine-tuning (Sec. 5.1 gives
    # none); no flip: it would change left/right answers.
    dict(type='RandomChoiceResize',
         scales=[(1333, s) for s in range(480, 801, 32)],
         keep_ratio=True),
    dict(type='E2EVLPVQATarget', answer_list_path=answer_list_path),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile', backend_args=backend_args),
    # shorter side 800, longer at most 1333: Table 6's default size
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=max_text_length, keys=('text', )),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'question_id', 'answer_type')),
]
vqa = dict(
    type='E2EVLPVQADataset',
    data_root=data_root)
train_dataloader = dict(
    batch_size=4,  # x 8 GPUs = the paper's batch of 32 (Sec. 5.1)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # no AspectRatioBatchSampler: these records carry no width / height
    dataset=dict(
        vqa,
        data_prefix='coco/train2014',
        question_file='vqa/v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='vqa/v2_mscoco_train2014_annotations.json',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
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
