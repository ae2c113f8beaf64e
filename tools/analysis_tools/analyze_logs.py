# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Plot logged scalars of one or several runs, or their training time
(mmdet's ``analyze_logs.py``).

Each log is a ``tools/train.py`` work dir (its newest training log) or a
``scalars.json``. Any logged scalar can be plotted: losses, ``lr``,
``grad_norm``, ``acc_*`` and the evaluation metrics (``coco/bbox_mAP``,
``vqa/accuracy``...); a key may be a pattern (``'loss*'``). Examples::

    python tools/analysis_tools/analyze_logs.py plot_curve \\
        work_dirs/demo work_dirs/demo_no_det --keys loss_mlm \\
        --legend full no-det --out mlm.png
    python tools/analysis_tools/analyze_logs.py plot_curve work_dirs/demo \\
        --keys 'loss*' --log-scale --out loss.png
    python tools/analysis_tools/analyze_logs.py cal_train_time \\
        work_dirs/demo work_dirs/demo_det
"""
import argparse
import fnmatch
import os.path as osp
from typing import List

from e2evlp_mm.engine.scalar_logs import (
    find_scalar_log,
    load_scalars,
    train_time,
)
from e2evlp_mm.visualization.curves import plot_curves


def run_name(path: str) -> str:
    """The work dir's name (or the json file's) for legends."""
    path = osp.abspath(path)
    if osp.isfile(path):
        parts = path.split(osp.sep)  # <work_dir>/<stamp>/vis_data/x.json
        return parts[-4] if parts[-2] == 'vis_data' and len(
            parts) > 4 else osp.splitext(parts[-1])[0]
    return osp.basename(path)


def match_keys(curves: dict, pattern: str) -> List[str]:
    """The logged keys a ``--keys`` entry names (a pattern: all matches)."""
    if any(c in pattern for c in '*?['):
        return sorted(fnmatch.filter(curves, pattern))
    return [pattern] if pattern in curves else []


def plot_curve(args: argparse.Namespace) -> None:
    """Plot ``--keys`` of every log in one figure."""
    series = []
    for path in args.logs:
        log = find_scalar_log(path)
        curves = load_scalars(log)
        for pattern in args.keys:
            keys = match_keys(curves, pattern)
            if not keys:
                raise KeyError(f'{log}: no scalar {pattern!r}; it logs '
                               f'{", ".join(sorted(curves))}')
            for key in keys:
                label = key if len(args.logs) == 1 else \
                    f'{run_name(path)}: {key}'
                series.append((label, *curves[key]))
    if args.legend:
        if len(args.legend) != len(series):
            raise ValueError(f'{len(args.legend)} legends for '
                             f'{len(series)} curves: '
                             f'{[s[0] for s in series]}')
        series = [(name, *s[1:]) for name, s in zip(args.legend, series)]
    plot_curves(series, args.out, title=args.title or '',
                ylabel=args.keys[0] if len(args.keys) == 1 else '',
                log_scale=args.log_scale)
    if args.out:
        print(f'wrote {args.out} ({", ".join(s[0] for s in series)})')


def cal_train_time(args: argparse.Namespace) -> None:
    """Print seconds per iteration and the training time of each log."""
    for path in args.logs:
        log = find_scalar_log(path)
        stats = train_time(load_scalars(log), args.include_outliers)
        print(f'-----Analyze train time of {log}-----')
        print(f'{stats["iterations"]} iterations, {stats["records"]} '
              'logged records')
        print(f'average iter time: {stats["mean"]:.4f} s/iter '
              f'(std {stats["std"]:.4f})')
        print(f'fastest / slowest logged: {stats["fastest"]:.4f} / '
              f'{stats["slowest"]:.4f} s/iter')
        print(f'training time: {stats["total_hours"]:.2f} h '
              '(average x iterations)')


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot scalars of runs')
    plot.add_argument('logs', nargs='+', help='work dirs or json logs')
    plot.add_argument('--keys', nargs='+', default=['loss'],
                      help="scalars or patterns ('loss*', 'coco/*')")
    plot.add_argument('--legend', nargs='+',
                      help='one per curve (logs x matched keys)')
    plot.add_argument('--title', help='figure title')
    plot.add_argument('--log-scale', action='store_true',
                      help='logarithmic y axis')
    plot.add_argument('--out', help='output picture (default: a window)')
    time_ = sub.add_parser('cal_train_time', help='seconds per iteration')
    time_.add_argument('logs', nargs='+', help='work dirs or json logs')
    time_.add_argument('--include-outliers', action='store_true',
                       help='keep the first logged record (warm-up)')
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    dict(plot_curve=plot_curve, cal_train_time=cal_train_time)[args.task](
        args)


if __name__ == '__main__':
    main()
