# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The checkpoints the web demo serves, and which tab each answers."""
import os.path as osp
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .e2evlp_inferencer import E2EVLPInferencer
from .work_dir import resolve_work_dir

# Tabs of demo/webui.py and the tasks that make a model answer in them.
TAB_TASKS: Dict[str, Tuple[str, ...]] = dict(
    describe=('detect', 'caption', 'itm'),
    ask=('vqa', ),
    compare=('nlvr2', ),
    search=('retrieve', ))
# What `make demo` and `make demo-downstream` write (tools/demo*.sh).
DEMO_WORK_DIRS = ('work_dirs/demo', 'work_dirs/demo_caption',
                  'work_dirs/demo_det', 'work_dirs/demo_vqa',
                  'work_dirs/demo_nlvr2', 'work_dirs/demo_retrieval')


@dataclass
class ServedModel:
    """One loaded checkpoint.

    Attributes:
        name (str): What the page calls it: the work dir, or the config
            and checkpoint file names.
        weights (str): The checkpoint file.
        inferencer (E2EVLPInferencer): The loaded model.
        lock (threading.Lock): One request at a time per model (the
            inferencer's visualizer and test_cfg are per call state).
    """

    name: str
    weights: str
    inferencer: E2EVLPInferencer
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tasks(self) -> Tuple[str, ...]:
        """The model's tasks (see :func:`model_tasks`)."""
        return self.inferencer.tasks

    @property
    def label(self) -> str:
        """``name (checkpoint file)`` for the page (the name alone when
        it already names the file)."""
        weights = osp.basename(self.weights)
        if self.name.endswith(weights):
            return self.name
        return f'{self.name} ({weights})'


def resolve_spec(spec: Sequence[str]) -> Tuple[str, str, str]:
    """``(name, config, checkpoint)`` of a command-line model.

    Args:
        spec (Sequence[str]): ``[WORK_DIR]``, ``[WORK_DIR, CHECKPOINT]``
            or ``[CONFIG, CHECKPOINT]``.

    Raises:
        FileNotFoundError: A path that does not exist, a work dir without
            config or checkpoint.
        ValueError: Not one or two paths, or a config without checkpoint.
    """
    if len(spec) not in (1, 2):
        raise ValueError(f'{" ".join(spec)}: give a work dir, or a config '
                         'and a checkpoint.')
    model, weights = spec[0], (spec[1] if len(spec) == 2 else None)
    for path in spec:
        if not osp.exists(path):
            raise FileNotFoundError(f'{path}: no such file or folder.')
    if osp.isdir(model):
        config, weights = resolve_work_dir(model, weights)
        if not osp.isfile(weights):
            raise FileNotFoundError(
                f'{model}: its last checkpoint {weights} is missing.')
        return model.rstrip('/'), config, weights
    if weights is None:
        raise ValueError(f'{model}: a config needs a checkpoint after it.')
    return f'{osp.basename(model)} + {osp.basename(weights)}', model, weights


class ModelServer:
    """Load the given checkpoints once, keep the ones that load, and
    remember why the others did not.

    Args:
        specs (Sequence[Sequence[str]], optional): Command-line models (see
            :func:`resolve_spec`); None serves :data:`DEMO_WORK_DIRS`
            (those that exist; the missing ones are noted).
        device (str): Torch device. Defaults to ``'cpu'``.
    """

    def __init__(self,
                 specs: Optional[Sequence[Sequence[str]]] = None,
                 device: str = 'cpu') -> None:
        self.models: List[ServedModel] = []
        self.problems: List[str] = []
        if specs is None:
            specs = [[d] for d in DEMO_WORK_DIRS if osp.isdir(d)]
            missing = [d for d in DEMO_WORK_DIRS if not osp.isdir(d)]
            if missing:
                self.problems.append(
                    f'not found: {", ".join(missing)} (`make demo` and '
                    '`make demo-downstream` write them).')
        for spec in specs:
            try:
                name, config, weights = resolve_spec(spec)
            except (OSError, ValueError) as e:
                self.problems.append(f'not served: {e}')
                continue
            try:
                inferencer = E2EVLPInferencer(
                    config, weights=weights, device=device)
            except Exception as e:  # the page lists it, the rest serves
                self.problems.append(f'not served: {name}: could not load '
                                     f'({type(e).__name__}: {e})')
                continue
            self.models.append(ServedModel(name, weights, inferencer))

    def for_tab(self, tab: str) -> List[ServedModel]:
        """The models that answer in ``tab`` (see :data:`TAB_TASKS`)."""
        return [
            m for m in self.models if set(m.tasks) & set(TAB_TASKS[tab])
        ]

    def by_label(self, tab: str, label: Optional[str]) -> ServedModel:
        """The model of ``tab`` the page's model list names (the first
        when ``label`` is empty).

        Raises:
            LookupError: When the tab has no such model.
        """
        models = self.for_tab(tab)
        for model in models:
            if label in (None, '', model.label):
                return model
        raise LookupError(f'no checkpoint {label!r} answers in the {tab} '
                          'tab.')
