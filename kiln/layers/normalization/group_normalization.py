"""``GroupNormalization``: normalizes each sample over groups of channels.

Example:
    >>> import kiln
    >>> gn = kiln.layers.GroupNormalization(groups=2, name="gn")
    >>> tuple(gn(kiln.ops.ones((1, 5, 4))).shape)
    (1, 5, 4)
    >>> [v.path for v in gn.weights]
    ['gn/gamma', 'gn/beta']
"""

from kiln import ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.normalization._affine import BaseAffineNormalization, restore_dtype, to_float32
from kiln.layers.normalization._axes import check_feature_axis


class GroupNormalization(BaseAffineNormalization):
    """Splits the ``axis`` channels into ``groups`` groups and normalizes each group of each
    sample by its own mean and variance (over the group's channels and every
    non-batch axis), then applies the per-channel ``gamma``/``beta``.

    ``groups=1`` is layer normalization over all non-batch axes; ``groups``
    equal to the channel count is instance normalization. Statistics are
    computed in float32 for float16/bfloat16 inputs.

    Args:
        groups: positive int dividing the size of ``axis``, or -1 for one group
            per channel (instance normalization).
        axis: the channel axis (an int, or a list holding one int).
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma``.
        *_initializer, *_regularizer, *_constraint: for the weights.

    Example:
        >>> GroupNormalization(groups=4).get_config()["groups"]
        4
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"GroupNormalization '{self.name}': `groups` must be a positive int "
                             f"or -1 (one group per channel); received groups={groups!r}")
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # the channel axis may come as a one-element list
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"GroupNormalization '{self.name}': `axis` must be an int (the "
                             f"channel axis); received axis={axis!r}")
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        ndim = len(input_shape)
        owner = f"GroupNormalization '{self.name}'"
        axis, dim = check_feature_axis(self.axis, input_shape, owner)
        if axis == 0:
            raise ValueError(f"{owner}: axis={self.axis} must name a non-batch axis of the input; "
                             f"received input_shape={tuple(input_shape)}")
        groups = dim if self.groups == -1 else self.groups
        if dim < groups:
            raise ValueError(
                f"{owner}: number of groups ({groups}) cannot be more "
                f"than the number of channels ({dim}); received input_shape={tuple(input_shape)}")
        if dim % groups:
            raise ValueError(
                f"{owner}: number of groups ({groups}) must divide "
                f"the number of channels ({dim}); received input_shape={tuple(input_shape)}")
        self._add_affine_weights((dim,), scale=self.scale, center=self.center)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self._axis = axis
        self._dim = dim
        self._groups = groups
        # Grouped view: the channel axis becomes (groups, dim // groups); statistics are taken
        # over every axis of that view except the batch and the group axis.
        self._reduction_axes = tuple(i for i in range(1, ndim + 1) if i != axis)
        self._param_shape = tuple(dim if i == axis else 1 for i in range(ndim))
        self.built = True

    def call(self, inputs):
        x, input_dtype = to_float32(inputs)
        shape = ops.shape(x)
        axis = self._axis
        grouped_shape = (tuple(shape[:axis]) + (self._groups, self._dim // self._groups)
                         + tuple(shape[axis + 1:]))
        grouped_shape = tuple(-1 if d is None else d for d in grouped_shape)
        grouped = ops.reshape(x, grouped_shape)
        mean, variance = ops.moments(grouped, axes=self._reduction_axes, keepdims=True)
        inv = ops.rsqrt(ops.add(variance, self.epsilon))
        normalized = ops.reshape(ops.multiply(ops.subtract(grouped, mean), inv), ops.shape(x))
        if self.gamma is not None:
            normalized = ops.multiply(normalized, ops.reshape(self.gamma, self._param_shape))
        if self.beta is not None:
            normalized = ops.add(normalized, ops.reshape(self.beta, self._param_shape))
        return restore_dtype(normalized, input_dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **self._affine_config(),
        })
        return config
