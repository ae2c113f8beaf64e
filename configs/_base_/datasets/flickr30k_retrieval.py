# Flickr30K image-text retrieval on the Karpathy split of Lee et al. (29K
# train, 1K val, 1K test images, 5 sentences each). Training: one matched
# pair per sentence (negatives come from the batch, in the model). Test:
# one sample per image; the loop ranks all 5K sentences for each image and
# all images for each sentence, with an optional dual-encoder pre-filter.
_base_ = './paper_common.py'

text_pipeline = [  # applied by the loop to each gallery sentence
    dict(type='E2EVLPTokenize', tokenizer_path=_base_.tokenizer_path,
         max_length=_base_.max_text_length),
]
train_pipeline = [
    _base_.load_image,
    _base_.train_resize,
    *text_pipeline,
    dict(type='PackE2EVLPInputs'),
]
test_pipeline = [
    _base_.load_image,
    _base_.test_resize,
    dict(type='PackE2EVLPInputs'),
]
flickr = dict(
    type='E2EVLPRetrievalDataset',
    ann_file=_base_.data_root + 'karpathy/dataset_flickr30k.json',
    data_prefix=_base_.data_root + 'flickr30k/flickr30k-images/')
train_dataloader = dict(
    batch_size=8,  # x 8 GPUs = 64 (Sec. 5.1)
    dataset=dict(flickr, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(flickr, split='val', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(flickr, split='test', test_mode=True,
                 pipeline=test_pipeline))
val_evaluator = dict(type='E2EVLPRetrievalRecall', topk=(1, 5, 10))
test_evaluator = val_evaluator
# 5M image-text pairs on the test split: the cross encoder only scores each
# query's 128 best candidates of the dual-encoder pre-filter (BLIP: 256)
val_cfg = dict(type='E2EVLPRetrievalValLoop', text_pipeline=text_pipeline,
               prefilter_topk=128)
test_cfg = dict(type='E2EVLPRetrievalTestLoop', text_pipeline=text_pipeline,
                prefilter_topk=128)
