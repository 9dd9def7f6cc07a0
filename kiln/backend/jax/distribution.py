"""JAX backend device listing for ``kiln.distribution``.

Example:
    >>> from kiln.backend.jax.distribution import list_devices
    >>> list_devices("cpu")[0]
    'cpu:0'
"""

import jax


def list_devices(device_type=None):
    """Names like ``"cpu:0"`` or ``"gpu:1"`` of the devices JAX can use (of ``device_type``)."""
    if device_type is not None:
        kind = str(device_type).lower()
        kind = {"cuda": "gpu"}.get(kind, kind)
        try:
            devices = jax.devices(kind)
        except RuntimeError:
            return []
    else:
        devices = jax.devices()
    return [f"{d.platform}:{d.id}" for d in devices]
