"""Device listing on TensorFlow.

Example:
    >>> "cpu:0" in list_devices("cpu")
    True
"""

import tensorflow as tf


def list_devices(device_type=None):
    """Names like ``"cpu:0"``, ``"gpu:1"`` of the logical devices (of ``device_type`` if given)."""
    kind = device_type.upper() if device_type else None
    devices = tf.config.list_logical_devices(kind)
    names = []
    for device in devices:
        # "/job:localhost/replica:0/task:0/device:CPU:0" -> "cpu:0"
        tail = device.name.split("device:")[-1]
        names.append(tail.lower())
    return names
