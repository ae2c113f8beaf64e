# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .atomic_file import E2EVLPCheckpointError, atomic_write
from .checkpoint_paths import (
    last_checkpoint,
    resolve_checkpoint,
    resume_checkpoint,
)
from .cli import (
    add_common_args,
    close_distributed,
    exit_on_data_error,
    load_config,
    save_after_data_error,
)
from .cli_checks import check_test_args, check_train_args
from .data_check import MissingDataError, check_data_exists
from .e2evlp_cpu_amp_optim_wrapper import E2EVLPCPUAmpOptimWrapper
from .e2evlp_epoch_based_train_loop import E2EVLPEpochBasedTrainLoop
from .e2evlp_iter_based_train_loop import E2EVLPIterBasedTrainLoop
from .e2evlp_retrieval_loop import (
    E2EVLPRetrievalTestLoop,
    E2EVLPRetrievalValLoop,
)
from .e2evlp_visualization_hook import E2EVLPVisualizationHook
from .hooks import (
    PREEMPTED_EXIT_CODE,
    E2EVLPCheckpointHook,
    E2EVLPPreemptionHook,
    E2EVLPPreflightHook,
    E2EVLPVocabularyHook,
    dead_norm_layers,
)
from .model_check import (
    E2EVLPConfigError,
    check_backbone_init,
    missing_checkpoints,
)
from .result_dump import attach_result_dump, finish_result_dump
from .show_dir import trigger_e2evlp_visualization

__all__ = [
    'add_common_args', 'close_distributed', 'load_config', 'MissingDataError',
    'check_data_exists',
    'exit_on_data_error', 'save_after_data_error',
    'attach_result_dump', 'finish_result_dump', 'E2EVLPRetrievalTestLoop',
    'E2EVLPRetrievalValLoop', 'E2EVLPPreflightHook', 'dead_norm_layers',
    'E2EVLPConfigError', 'check_backbone_init', 'missing_checkpoints',
    'E2EVLPVisualizationHook', 'trigger_e2evlp_visualization',
    'E2EVLPCPUAmpOptimWrapper', 'check_test_args', 'check_train_args',
    'E2EVLPVocabularyHook',
    'E2EVLPCheckpointError', 'atomic_write', 'last_checkpoint',
    'resolve_checkpoint', 'resume_checkpoint', 'E2EVLPEpochBasedTrainLoop',
    'E2EVLPIterBasedTrainLoop', 'PREEMPTED_EXIT_CODE',
    'E2EVLPCheckpointHook', 'E2EVLPPreemptionHook'
]
