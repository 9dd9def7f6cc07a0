"""The tensorflow backend's Layer mix-in: the plain one, since tensorflow layers need no framework base class.

Example:
    >>> from kiln.backend.tensorflow.layer import BackendLayer
    >>> BackendLayer()._backend_init()
"""

from kiln.backend.common.layer import BackendLayer  # noqa: F401
