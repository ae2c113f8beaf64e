# Captioning on your own images with your own WordPiece vocabulary (any
# language; docs/custom_dataset.md, "Other languages"): the tokenizer that
# tools/dataset_converters/train_wordpiece.py writes to
# data/custom/tokenizer. Only paths differ from e2evlp_custom_caption.py.
# From an English checkpoint the word embeddings and the caption output
# layer do not fit the new vocabulary: they start from scratch (mmengine
# warns "size mismatch" for them; new_vocabularies says it is meant); the
# rest of the trunk is loaded.
_base_ = './e2evlp_custom_caption.py'
tokenizer_path = 'data/custom/tokenizer'
work_dir = 'work_dirs/custom_caption_own_vocab'
new_vocabularies = ['wordpiece']

model = dict(text_cfg=dict(tokenizer_path=tokenizer_path))
train_pipeline = [
    _base_.load_image,
    _base_.resize,
    dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path,
         max_length=40, keys=('caption', )),
    dict(type='PackE2EVLPInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
