# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Visualization, registered in mmdet's ``VISUALIZERS``."""
from .e2evlp_visualizer import E2EVLPVisualizer
from .text_panel import gt_panel_lines, panel_lines

__all__ = ['E2EVLPVisualizer', 'gt_panel_lines', 'panel_lines']
