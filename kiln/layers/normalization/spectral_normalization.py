"""``SpectralNormalization``: constrains a wrapped layer's kernel to spectral norm ~1.

Example:
    >>> import kiln
    >>> layer = kiln.layers.SpectralNormalization(kiln.layers.Dense(3), name="sn")
    >>> tuple(layer(kiln.ops.ones((2, 4)), training=True).shape)
    (2, 3)
    >>> [v.path for v in layer.non_trainable_weights]
    ['sn/vector_u']
"""

from kiln import initializers, ops
from kiln.backend.common.scopes import name_scope
from kiln.layers.input_spec import InputSpec
from kiln.layers.wrappers.wrapper import Wrapper


def _l2_normalize(x):
    return ops.divide(x, ops.sqrt(ops.maximum(ops.sum(ops.square(x)), 1e-12)))


class SpectralNormalization(Wrapper):
    """Wraps a layer that has a ``kernel`` (or ``embeddings``) weight and, in training,
    replaces that weight by ``kernel / sigma`` before calling the layer.

    ``sigma``, the largest singular value of the kernel viewed as a matrix
    ``(-1, kernel.shape[-1])``, is estimated by ``power_iterations`` steps of
    power iteration started from the non-trainable vector ``vector_u`` (shape
    ``(1, kernel.shape[-1])``), which is updated with the result. The
    normalized kernel is written back to the wrapped layer's variable, so
    inference (``training`` false) uses the last normalized kernel. An
    all-zero kernel is left unchanged.

    Args:
        layer: the layer to wrap (e.g. Dense, Conv2D, Embedding).
        power_iterations: positive int, power-iteration steps per training call.

    Example:
        >>> import kiln, numpy as np
        >>> layer = SpectralNormalization(kiln.layers.Dense(2), power_iterations=20)
        >>> _ = layer(kiln.ops.ones((1, 3)), training=True)
        >>> s = np.linalg.svd(kiln.ops.convert_to_numpy(layer.layer.kernel), compute_uv=False)
        >>> bool(abs(s[0] - 1.0) < 1e-3)
        True
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) \
                or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization '{self.name}': `power_iterations` must be a "
                             f"positive int; received power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations
        self.vector_u = None

    def build(self, input_shape):
        # Under this layer's scope also when build() is called directly: "sn/dense/kernel".
        with name_scope(self.name, caller=self):
            super().build(input_shape)
        self.input_spec = InputSpec(shape=(None,) + tuple(input_shape[1:]))
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(
                f"SpectralNormalization '{self.name}': the wrapped layer "
                f"{type(self.layer).__name__} '{self.layer.name}' has neither a `kernel` nor an "
                f"`embeddings` weight")
        # Not tracked again: the kernel belongs to (and is saved with) the wrapped layer.
        object.__setattr__(self, "_kernel", kernel)
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]), initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=kernel.dtype)
        self.built = True

    def normalized_weights(self):
        """The updated ``vector_u`` and the kernel divided by its estimated spectral norm."""
        kernel = self._kernel.value
        weights = ops.reshape(kernel, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u.value
        vector_v = None
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(ops.matmul(vector_u, ops.transpose(weights)))
            vector_u = _l2_normalize(ops.matmul(vector_v, weights))
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        normalized = ops.reshape(ops.divide(kernel, sigma), self.kernel_shape)
        return (ops.cast(vector_u, self.vector_u.dtype),
                ops.cast(normalized, self._kernel.dtype))

    def call(self, inputs, training=False):
        if training:
            new_u, new_kernel = ops.cond(
                ops.all(ops.equal(self._kernel.value, 0)),
                lambda: (self.vector_u.value, self._kernel.value),
                self.normalized_weights)
            self.vector_u.assign(new_u)
            self._kernel.assign(new_kernel)
        outputs = self.layer(inputs)
        return ops.cast(outputs, ops.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
