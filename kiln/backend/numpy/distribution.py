"""Devices for the numpy backend: only the host CPU.

Example:
    >>> list_devices()
    ['cpu:0']
"""


def list_devices(device_type=None):
    """Available devices, as ``"type:index"`` strings (``[]`` for non-CPU types).

    Example:
        >>> list_devices("gpu")
        []
    """
    if device_type is None or str(device_type).lower() == "cpu":
        return ["cpu:0"]
    return []
