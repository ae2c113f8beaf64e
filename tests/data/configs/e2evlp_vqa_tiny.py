# Tiny E2EVLPVQA for unit tests: the tiny trunk, encoder only, 6 answers.
_base_ = './e2evlp_tiny_trunk.py'
model = dict(
    type='E2EVLPVQA',
    vqa_head=dict(
        type='E2EVLPVQAHead',
        answer_list_path='{{ fileDirname }}/../hand_made/vqa/'
        'answer_list.json'))
