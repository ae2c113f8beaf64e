# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Line plots of logged scalars (``analyze_logs.py``, ``plot_loss.py``)."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

Series = Tuple[str, Sequence[int], Sequence[float]]


def plot_curves(series: List[Series],
                out: Optional[str] = None,
                title: str = '',
                ylabel: str = '',
                log_scale: bool = False) -> None:
    """Plot ``(label, steps, values)`` series against the iteration.

    Args:
        series (list[tuple]): Label, iterations and values of each line.
        out (str, optional): Output picture; None shows a window.
        title (str): Figure title.
        ylabel (str): Y axis label.
        log_scale (bool): Logarithmic y axis.
    """
    import matplotlib
    if out:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    for label, steps, values in series:
        marker = 'o' if len(steps) < 20 else None  # sparse: val metrics
        ax.plot(steps, values, label=label, linewidth=1.2, marker=marker,
                markersize=3)
    ax.set_xlabel('iteration')
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale('log')
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        fig.savefig(out)
    else:
        plt.show()
    plt.close(fig)
