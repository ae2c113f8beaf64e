# Tiny E2EVLPVQA for unit tests: the tiny trunk, encoder only, 6 answers.
_base_ = './e2evlp_tiny.py'
model = dict(
    type='E2EVLPVQA',
    decoder=None,
    bbox_head=None,
    mlm_head=None,
    itm_head=None,
    caption_head=None,
    train_cfg=None,
    test_cfg=None,
    vqa_head=dict(
        type='E2EVLPVQAHead',
        answer_list_path='{{ fileDirname }}/../hand_made/vqa/'
        'answer_list.json'))
