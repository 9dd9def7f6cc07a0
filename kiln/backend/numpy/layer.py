"""The numpy backend's Layer mix-in: the plain one, since numpy layers need no framework base class.

Example:
    >>> from kiln.backend.numpy.layer import BackendLayer
    >>> BackendLayer()._backend_init()
"""

from kiln.backend.common.layer import BackendLayer  # noqa: F401
