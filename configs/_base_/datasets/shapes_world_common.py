# What the shapes-world datasets share (tools/dataset_converters/
# make_shapes_world.py writes them under data_root): its own WordPiece
# tokenizer, the image size and single-process loaders. Each
# shapes_world_*.py base inherits it and adds its datasets, pipelines,
# batch sizes and metrics.
data_root = 'data/shapes_world/'
tokenizer_path = data_root + 'tokenizer'
image_size = 64  # 128 px scenes halved: objects of 13-29 px

load_image = dict(type='E2EVLPLoadImageFromFile')
resize = dict(type='Resize', scale=(image_size, image_size), keep_ratio=True)

# Loading 64 px scenes costs ~1 ms each; worker processes would only take
# cores from the model (and mmengine sets OMP_NUM_THREADS=1 then).
train_dataloader = dict(
    num_workers=0, sampler=dict(type='InfiniteSampler', shuffle=True))
test_dataloader = dict(
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
