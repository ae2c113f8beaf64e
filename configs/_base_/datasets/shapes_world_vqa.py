# The shapes world's VQA v2 (colour, shape, count, existence, relative
# position questions; 24 answers, 10 human answers each): train2014 scenes
# for fine-tuning, val2014 scenes for the official accuracy.
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
answer_list_path = data_root + 'vqa/answer_list.json'
image_size = 64  # as pre-training (shapes_world_pretrain.py)

train_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPVQATarget', answer_list_path=answer_list_path),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('text', )),
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    dict(type='E2EVLPLoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('text', )),
    dict(type='PackE2EVLPInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor', 'text', 'question_id', 'answer_type')),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='E2EVLPVQADataset',
        data_root=data_root,
        data_prefix='coco/train2014',
        question_file='vqa/v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='vqa/v2_mscoco_train2014_annotations.json',
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='E2EVLPVQADataset',
        data_root=data_root,
        data_prefix='coco/val2014',
        question_file='vqa/v2_OpenEnded_mscoco_val2014_questions.json',
        ann_file='vqa/v2_mscoco_val2014_annotations.json',
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPVQAAcc')
