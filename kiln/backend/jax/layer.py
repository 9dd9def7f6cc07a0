"""JAX backend layer mixin: JAX layers need no framework base class.

Example:
    >>> from kiln.backend.jax.layer import BackendLayer
    >>> BackendLayer()._backend_init()
"""


class BackendLayer:
    """Mixed into ``kiln.layers.Layer`` as its first base; every hook is a no-op on JAX."""

    def _backend_init(self):
        pass

    def _backend_track_variable(self, variable):
        pass

    def _backend_track_sublayer(self, attr_name, layer):
        pass
