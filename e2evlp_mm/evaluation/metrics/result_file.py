# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The ``result_file`` / ``format_only`` options shared by the metrics that
write an official results json (captions, VQA answers)."""
from typing import List, Optional

import mmengine
from mmengine.logging import MMLogger


class ResultFileMixin:
    """Keeps ``result_file`` / ``format_only`` and writes the results.

    Attributes:
        result_file (str, optional): Where the results json goes.
        format_only (bool): Only dump, compute no metric.
    """
    result_file: Optional[str] = None
    format_only: bool = False

    def set_result_file(self,
                        result_file: Optional[str],
                        format_only: bool,
                        json_only: bool = False) -> None:
        """Check and keep the options (call from ``__init__``).

        Args:
            result_file (str, optional): Where the results json goes.
            format_only (bool): Only dump, compute no metric.
            json_only (bool): Require a ``.json`` suffix.

        Raises:
            ValueError: ``format_only`` without a file, or a non-json file
                where ``json_only``.
        """
        if format_only and result_file is None:
            raise ValueError('`format_only=True` needs a `result_file`.')
        if json_only and result_file is not None and not result_file.endswith(
                '.json'):
            raise ValueError('`result_file` must be a .json file.')
        self.result_file = result_file
        self.format_only = format_only

    def dump_results(self, records: List[dict], what: str) -> None:
        """Write the results to ``result_file`` and say where.

        Args:
            records (list[dict]): The official-format records.
            what (str): Name for the log line, e.g. ``'Caption'``.
        """
        mmengine.dump(records, self.result_file)
        MMLogger.get_current_instance().info(
            f'{what} results saved to {self.result_file}.')
