# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Plot the training losses of a work dir from mmengine's json log.

mmengine writes one json line per logged iteration to
``<work_dir>/<timestamp>/vis_data/scalars.json``; this plots every
``loss*`` key of the last decoder layer (``d{i}.`` copies are skipped) of
the newest run against the iteration, like mmdet's ``analyze_logs.py
plot_curve``. Example::

    python tools/analysis_tools/plot_loss.py work_dirs/demo \\
        --out work_dirs/demo/pictures/loss.png
"""
import argparse
import glob
import json
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Tuple


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='a tools/train.py work dir')
    parser.add_argument('--out', required=True, help='output PNG')
    return parser.parse_args()


def read_losses(work_dir: str) -> Dict[str, Tuple[List[int], List[float]]]:
    """``{key: (iterations, values)}`` of the newest training log.

    Raises:
        FileNotFoundError: When the work dir holds no training log.
    """
    logs = [
        path for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
        if '"loss' in open(path).read()
    ]
    if not logs:
        raise FileNotFoundError(f'{work_dir}: no */vis_data/scalars.json '
                                'with losses')
    curves = defaultdict(lambda: ([], []))
    with open(logs[-1]) as f:
        for line in f:
            record = json.loads(line)
            for key, value in record.items():
                if key.startswith('loss') and 'step' in record:
                    curves[key][0].append(record['step'])
                    curves[key][1].append(value)
    return dict(curves)


def main() -> None:
    args = parse_args()
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    curves = read_losses(args.work_dir)
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for key, (steps, values) in sorted(curves.items()):
        ax.plot(steps, values, label=key, linewidth=1.2)
    ax.set_xlabel('iteration')
    ax.set_ylabel('loss')
    ax.set_yscale('log')
    name = osp.basename(osp.abspath(args.work_dir))
    ax.set_title(f'training losses: {name}')
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out)
    print(f'wrote {args.out} ({", ".join(sorted(curves))})')


if __name__ == '__main__':
    main()
