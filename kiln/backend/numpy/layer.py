"""The numpy backend's Layer mix-in: nothing to register, so every hook does nothing.

Example:
    >>> class MyLayer(BackendLayer):
    ...     pass
    >>> MyLayer()._backend_init()
"""


class BackendLayer:
    """Mixed into ``kiln.layers.Layer`` as its first base; no backend state on numpy."""

    def _backend_init(self):
        pass

    def _backend_track_variable(self, variable):
        pass

    def _backend_track_sublayer(self, attr_name, layer):
        pass
