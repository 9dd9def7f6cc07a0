"""Torch backend: device discovery for ``kiln.distribution``.

Example:
    >>> "cpu:0" in list_devices()
    True
"""

import torch


def list_devices(device_type=None):
    """Names of the available devices, e.g. ``["gpu:0", "gpu:1"]`` or ``["cpu:0"]``.

    ``device_type`` ("cpu" or "gpu") restricts the list; by default GPUs are
    listed when present, else the CPU.
    """
    device_type = device_type.lower() if device_type else None
    if device_type in ("gpu", "cuda"):
        return [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    if device_type == "cpu":
        return ["cpu:0"]
    if device_type is not None:
        raise ValueError(f"list_devices: device_type must be 'cpu' or 'gpu', received {device_type!r}")
    if torch.cuda.is_available():
        return [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]
