# VQA v2 for test-dev / test-std numbers: fine-tune on train2014 + val2014
# (common practice, e.g. UNITER, LXMERT) and dump the official results of
# the test2015 questions for the evaluation server. The train-only config,
# scored on val2014, is e2evlp_r152_vqa.py.
#   bash tools/dist_train.sh configs/e2evlp_r152_vqa_trainval.py 8 \
#       --cfg-options load_from=work_dirs/e2evlp_r152_pretrain/best.pth
#   bash tools/dist_test.sh configs/e2evlp_r152_vqa_trainval.py CKPT 8
_base_ = './e2evlp_r152_vqa.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            _base_.train_dataloader.dataset,
            dict(_base_.train_dataloader.dataset,
                 data_prefix='coco/val2014',
                 question_file='vqa/v2_OpenEnded_mscoco_val2014_'
                 'questions.json',
                 ann_file='vqa/v2_mscoco_val2014_annotations.json'),
        ]))
# val2014 is trained on: no validation; keep the last checkpoints
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(save_best=None))
test_dataloader = dict(
    dataset=dict(
        data_prefix='coco/test2015',
        question_file='vqa/v2_OpenEnded_mscoco_test2015_questions.json',
        ann_file=''))  # test questions have no answers
test_evaluator = dict(
    type='E2EVLPVQAAcc',
    format_only=True,
    result_file='work_dirs/e2evlp_r152_vqa_trainval/vqa_test2015.json')
