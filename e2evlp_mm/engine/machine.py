# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What machine a timing was measured on."""
import platform


def cpu_model() -> str:
    """The processor's name as ``lscpu`` prints it (Model name), read from
    ``/proc/cpuinfo``; the platform's name where there is none."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
