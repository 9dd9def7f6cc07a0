"""The jax backend's Layer mix-in: the plain one, since jax layers need no framework base class.

Example:
    >>> from kiln.backend.jax.layer import BackendLayer
    >>> BackendLayer()._backend_init()
"""

from kiln.backend.common.layer import BackendLayer  # noqa: F401
