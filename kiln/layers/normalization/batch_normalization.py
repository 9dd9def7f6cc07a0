"""``BatchNormalization``: normalizes with batch statistics in training, moving ones at inference.

Example:
    >>> import kiln
    >>> bn = kiln.layers.BatchNormalization()
    >>> tuple(bn(kiln.ops.ones((4, 3)), training=True).shape)
    (4, 3)
    >>> [v.path for v in bn.weights]
    ['batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance']
"""

from kiln import initializers, ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.normalization._affine import (
    BaseAffineNormalization,
    restore_dtype,
    serialized,
    to_float32,
)
from kiln.layers.normalization._axes import check_feature_axis


class BatchNormalization(BaseAffineNormalization):
    """Normalize the ``axis`` features: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    With ``training=True`` (and a trainable layer) ``mean``/``var`` are the
    batch moments over every axis but ``axis``, and the moving statistics are
    updated: ``moving = moving * momentum + batch * (1 - momentum)``. Otherwise
    (``training`` False or None) the moving statistics are used.

    Args:
        axis: the feature axis (int).
        momentum: momentum of the moving statistics.
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma``.
        *_initializer, *_regularizer, *_constraint: for the weights.
        synchronized: accepted for compatibility (single replica here).
        renorm, renorm_clipping, renorm_momentum: batch renormalization (not supported).

    Example:
        >>> BatchNormalization().get_config()["momentum"]
        0.99
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                 synchronized=False, **kwargs):
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        if renorm:
            raise NotImplementedError(
                f"BatchNormalization '{self.name}': renorm=True is not supported yet"
            )
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(
                    f"BatchNormalization '{self.name}': axis must be an int, received axis={axis!r}"
                )
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.synchronized = synchronized
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.moving_mean = None
        self.moving_variance = None

    def build(self, input_shape):
        ndim = len(input_shape)
        axis, size = check_feature_axis(self.axis, input_shape, f"BatchNormalization '{self.name}'")
        shape = (size,)
        self._add_affine_weights(shape, scale=self.scale, center=self.center)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
            trainable=False, autocast=False)
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape, initializer=self.moving_variance_initializer,
            trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: size})
        self._reduction_axes = tuple(i for i in range(ndim) if i != axis)
        self._feature_axis = axis
        # Broadcast shape of the statistics for a masked call (features on `axis`).
        self._broadcast_shape = tuple(size if i == axis else 1 for i in range(ndim))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        inputs, input_dtype = to_float32(inputs)
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            momentum = self.momentum
            self.moving_mean.assign(ops.add(
                ops.multiply(self.moving_mean, momentum),
                ops.multiply(ops.cast(mean, self.moving_mean.dtype), 1.0 - momentum)))
            self.moving_variance.assign(ops.add(
                ops.multiply(self.moving_variance, momentum),
                ops.multiply(ops.cast(variance, self.moving_variance.dtype), 1.0 - momentum)))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        outputs = ops.batch_normalization(
            inputs, mean, variance, axis=self._feature_axis, offset=self.beta, scale=self.gamma,
            epsilon=self.epsilon)
        return restore_dtype(outputs, input_dtype)

    def _moments(self, inputs, mask):
        if mask is None:
            return ops.moments(inputs, axes=self._reduction_axes, synchronized=self.synchronized)
        weights = ops.cast(mask, ops.dtype(inputs))
        while len(ops.shape(weights)) < len(ops.shape(inputs)):
            weights = ops.expand_dims(weights, -1)
        weights = ops.broadcast_to(weights, ops.shape(inputs))
        total = ops.maximum(ops.sum(weights, axis=self._reduction_axes), 1.0)
        mean = ops.divide(ops.sum(ops.multiply(inputs, weights), axis=self._reduction_axes), total)
        centered = ops.subtract(inputs, ops.reshape(mean, self._broadcast_shape))
        variance = ops.divide(ops.sum(ops.multiply(ops.square(centered), weights),
                                      axis=self._reduction_axes), total)
        return mean, variance

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **serialized(self, "beta_initializer", "gamma_initializer", "moving_mean_initializer",
                         "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                         "beta_constraint", "gamma_constraint"),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config
