# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Plot the training losses of a work dir from mmengine's json log.

Every ``loss*`` key of the last decoder layer (``d{i}.`` copies are
skipped) of the newest run against the iteration; shorthand for
``analyze_logs.py plot_curve WORK_DIR --keys 'loss*' --log-scale``.
Example::

    python tools/analysis_tools/plot_loss.py work_dirs/demo \\
        --out work_dirs/demo/pictures/loss.png
"""
import argparse
import os.path as osp
from typing import Dict, List, Tuple

from e2evlp_mm.engine.scalar_logs import find_scalar_log, load_scalars
from e2evlp_mm.visualization.curves import plot_curves


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='a tools/train.py work dir')
    parser.add_argument('--out', required=True, help='output PNG')
    return parser.parse_args()


def read_losses(work_dir: str) -> Dict[str, Tuple[List[int], List[float]]]:
    """``{key: (iterations, values)}`` of the ``loss*`` keys of the newest
    training log.

    Raises:
        FileNotFoundError: When the work dir holds no training log.
    """
    curves = load_scalars(find_scalar_log(work_dir))
    return {k: v for k, v in curves.items() if k.startswith('loss')}


def main() -> None:
    args = parse_args()
    curves = read_losses(args.work_dir)
    name = osp.basename(osp.abspath(args.work_dir))
    plot_curves([(key, *curves[key]) for key in sorted(curves)], args.out,
                title=f'training losses: {name}', ylabel='loss',
                log_scale=True)
    print(f'wrote {args.out} ({", ".join(sorted(curves))})')


if __name__ == '__main__':
    main()
