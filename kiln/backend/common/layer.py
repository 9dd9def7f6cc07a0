"""The plain Layer mix-in for backends whose layers need no framework base class.

JAX, TensorFlow and NumPy reach variables through Kiln's own tracking, so the
hooks ``kiln.layers.Layer`` calls do nothing there (torch overrides them to
register ``nn.Parameter``s and sub-modules).

Example:
    >>> BackendLayer()._backend_track_variable(None)
"""


class BackendLayer:
    """Mixed into ``kiln.layers.Layer`` as its first base; every hook is a no-op."""

    def _backend_init(self):
        pass

    def _backend_track_variable(self, variable):
        pass

    def _backend_track_sublayer(self, attr_name, layer):
        pass
