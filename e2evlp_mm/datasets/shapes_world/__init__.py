# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Shapes world: a synthetic stand-in for every dataset E2E-VLP uses.

Each image is a plain grey background (light noise) with 1-4 shapes of 8
kinds (circle, square, triangle, star, diamond, hexagon, cross, heart) in 8
colours (red, green, blue, yellow, purple, orange, white, black); each
object's side is 20-45 % of the image side. Texts (captions, region
descriptions, questions, statements) are generated from the scene.
Equal seeds give byte-identical outputs. Layout (the real file names)::

    OUT/
      coco/train2017/000000000001.jpg ...      val2017/...
      coco/train2014/COCO_train2014_000000000001.jpg   val2014/...
          (the same images under 2014 names, for VQA v2 and Karpathy)
      coco/annotations/instances_{train,val}2017.json
                       captions_{train,val}2017.json   (5 per image)
      vg/VG_100K/<id>.jpg      (all COCO train+val scenes, id = coco_id)
      vg/image_data.json objects.json attributes.json
         region_descriptions.json                   (VG v1.4 format)
      vg/annotations/vg_det_{train,val}.json
          (converters.vg_to_det output, split like COCO)
      vqa/v2_OpenEnded_mscoco_{train,val}2014_questions.json
      vqa/v2_mscoco_{train,val}2014_annotations.json   (10 answers each)
      vqa/answer_list.json     (converters.vqa_answers vocabulary)
      nlvr2/{train,dev,test1}.json   (json-lines: identifier, sentence,
          label 'True'/'False', synset, query; train also directory)
      nlvr2/images/train/<directory>/train-<set>-<pair>-img{0,1}.png
      nlvr2/dev/dev-<set>-<pair>-img{0,1}.png   nlvr2/test1/...
      karpathy/dataset_coco.json  (train = COCO train; COCO val split
          40/40/20 % into val/test/restval)
      karpathy/dataset_flickr30k.json   (80/10/10 % train/val/test)
      flickr30k/flickr30k-images/<1000000 + i>.jpg   (separate scenes)
      tokenizer/   (uncased WordPiece trained on all generated texts)
      README.txt

COCO ids are ``1..N`` (the last ``val_fraction`` are val); VQA question
ids are ``image_id * 1000 + k``; category ids ``1..8`` follow
:data:`SHAPES`.
"""
from .generator import make_shapes_world
from .scene import COLOURS, SHAPES, Scene, ShapeObject, sample_scene

__all__ = [
    'make_shapes_world', 'COLOURS', 'SHAPES', 'Scene', 'ShapeObject',
    'sample_scene'
]
