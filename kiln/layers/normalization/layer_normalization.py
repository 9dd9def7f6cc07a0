"""``LayerNormalization``: normalizes each sample over its feature axes.

Example:
    >>> import kiln
    >>> ln = kiln.layers.LayerNormalization()
    >>> tuple(ln(kiln.ops.ones((2, 5))).shape)
    (2, 5)
"""

from kiln import ops
from kiln.layers.normalization._affine import BaseAffineNormalization, restore_dtype, to_float32
from kiln.layers.normalization._axes import check_axes, weight_shape_for_axes


class LayerNormalization(BaseAffineNormalization):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta``, moments taken per sample over ``axis``.

    Args:
        axis: int or list of ints, the axes normalized (and the shape of gamma/beta).
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma``.
        rms_scaling: if True, skip centering and ``beta``; divide by the root mean
            square instead (RMS normalization) and multiply by ``gamma``.
        *_initializer, *_regularizer, *_constraint: for the weights.

    Example:
        >>> LayerNormalization().get_config()["axis"]
        [-1]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = [axis]
        else:
            raise TypeError(
                f"LayerNormalization '{self.name}': axis must be an int or a list of ints, "
                f"received axis={axis!r}"
            )
        self.epsilon = float(epsilon)
        self.rms_scaling = rms_scaling

    def build(self, input_shape):
        owner = f"LayerNormalization '{self.name}'"
        self._axes = check_axes(self.axis, input_shape, owner)
        # gamma/beta need reshaping unless the normalized axes are exactly the trailing ones.
        shape, self._param_shape = weight_shape_for_axes(self.axis, self._axes, input_shape, owner)
        self._add_affine_weights(shape, scale=self.scale or self.rms_scaling,
                                 center=self.center and not self.rms_scaling)
        self.built = True

    def _param(self, weight):
        if self._param_shape is None:
            return weight
        return ops.reshape(weight, self._param_shape)

    def call(self, inputs):
        inputs, input_dtype = to_float32(inputs)
        if self.rms_scaling:
            mean_square = ops.mean(ops.square(inputs), axis=self._axes, keepdims=True)
            outputs = ops.multiply(inputs, ops.rsqrt(ops.add(mean_square, self.epsilon)))
            if self.gamma is not None:
                outputs = ops.multiply(outputs, self._param(self.gamma))
        else:
            # One op, so a backend can use its fused kernel (torch's layer_norm).
            outputs = ops.layer_normalization(
                inputs, None if self.gamma is None else self._param(self.gamma),
                None if self.beta is None else self._param(self.beta),
                axis=self._axes, epsilon=self.epsilon)
        return restore_dtype(outputs, input_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": list(self.axis),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **self._affine_config(),
        })
        return config
