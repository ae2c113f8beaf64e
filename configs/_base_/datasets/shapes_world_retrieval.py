# The shapes world's image-text retrieval (Flickr30k-format split: 240
# train, 30 test scenes, 5 sentences each): one matched pair per training
# sentence; the test loop (E2EVLPRetrievalTestLoop, given text_pipeline
# by the config) ranks every sentence against every scene.
_base_ = './shapes_world_common.py'

text_pipeline = [  # applied by the loop to each gallery sentence
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=40),
]
train_pipeline = [
    _base_.load_image,
    _base_.resize,
    *text_pipeline,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [_base_.load_image, _base_.resize,
                 dict(type='PackE2EVLPInputs')]
flickr = dict(
    type='E2EVLPRetrievalDataset',
    ann_file=_base_.data_root + 'karpathy/dataset_flickr30k.json',
    data_prefix=_base_.data_root + 'flickr30k/flickr30k-images/')
train_dataloader = dict(
    batch_size=16,
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=30,
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
test_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))
