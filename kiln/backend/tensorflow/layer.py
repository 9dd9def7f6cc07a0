"""The TensorFlow part of ``kiln.layers.Layer``: nothing extra is needed.

Variables are ``tf.Variable``s reachable through Kiln's own tracking, so the
hooks below do nothing.

Example:
    >>> BackendLayer()._backend_track_variable(None)
"""


class BackendLayer:
    """Mixed into ``kiln.layers.Layer`` as its first base; no-op hooks on TensorFlow."""

    def _backend_init(self):
        pass

    def _backend_track_variable(self, variable):
        pass

    def _backend_track_sublayer(self, attr_name, layer):
        pass
