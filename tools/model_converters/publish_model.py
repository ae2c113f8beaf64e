# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Publish a checkpoint: keep the weights and meta, name it by its sha256.

Drops the optimizer, schedulers and message hub of a training checkpoint
and writes ``OUT-<sha256[:8]>.pth`` (mmdet's ``publish_model.py``);
``--safetensors`` also writes the weights as ``OUT-<sha256[:8]>
.safetensors`` with the meta as ``.json`` beside them. Both load with
``E2EVLPInferencer`` (docs/model_zoo.md).
"""
import argparse

import e2evlp_mm  # noqa: F401  (the checkpoint allow-list)
from e2evlp_mm.engine import E2EVLPCheckpointError
from e2evlp_mm.engine.publish_checkpoint import (
    file_sha256,
    publish_checkpoint,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('in_file', help='checkpoint to publish')
    parser.add_argument(
        'out_file', help='output name: OUT-<sha256[:8]>.pth is written')
    parser.add_argument(
        '--safetensors', action='store_true',
        help='also write the weights as .safetensors and the meta as .json')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        written = publish_checkpoint(args.in_file, args.out_file,
                                     args.safetensors)
    except E2EVLPCheckpointError as error:
        raise SystemExit(str(error)) from None
    for path in written:
        print(f'{file_sha256(path)}  {path}')


if __name__ == '__main__':
    main()
