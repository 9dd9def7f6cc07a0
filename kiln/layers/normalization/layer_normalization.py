"""``LayerNormalization``: normalizes each sample over its feature axes.

Example:
    >>> import kiln
    >>> ln = kiln.layers.LayerNormalization()
    >>> tuple(ln(kiln.ops.ones((2, 5))).shape)
    (2, 5)
"""

from kiln import ops
from kiln.layers.layer import Layer
from kiln.layers.normalization._affine import (
    add_affine_weights,
    affine_config,
    init_affine,
    restore_dtype,
    to_float32,
)


class LayerNormalization(Layer):
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
        super().__init__(**kwargs)
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
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        init_affine(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                    beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(
                    f"LayerNormalization '{self.name}': axis {a} is out of range for an input of "
                    f"shape {tuple(input_shape)}"
                )
            axes.append(a % ndim)
        axes = sorted(set(axes))
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(
                f"LayerNormalization '{self.name}': the normalized axes {self.axis} must have known "
                f"sizes; received input_shape={tuple(input_shape)}"
            )
        add_affine_weights(self, shape, scale=self.scale or self.rms_scaling,
                           center=self.center and not self.rms_scaling)
        self._axes = tuple(axes)
        # gamma/beta need reshaping unless the normalized axes are exactly the trailing ones.
        trailing = tuple(range(ndim - len(axes), ndim))
        self._param_shape = None if self._axes == trailing else tuple(
            input_shape[i] if i in self._axes else 1 for i in range(ndim))
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

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": list(self.axis),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **affine_config(self),
        })
        return config
