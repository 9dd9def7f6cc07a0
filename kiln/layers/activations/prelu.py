"""``PReLU``: a leaky ReLU whose negative slope ``alpha`` is learned.

Example:
    >>> import kiln
    >>> layer = kiln.layers.PReLU(alpha_initializer=kiln.initializers.Constant(0.5))
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[-2.0, 3.0]]))).tolist()
    [[-1.0, 3.0]]
"""

from kiln import activations, constraints, initializers, ops, regularizers
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


class PReLU(Layer):
    """``max(x, 0) + alpha * min(x, 0)`` with a trainable ``alpha``.

    ``alpha`` has the input's shape without the batch axis; the axes listed in
    ``shared_axes`` (counted with the batch axis as 0) get size 1, so the slope
    is shared along them (e.g. ``shared_axes=[1, 2]`` for one slope per channel
    of an image batch ``(batch, height, width, channels)``).

    Args:
        alpha_initializer, alpha_regularizer, alpha_constraint: for the weight.
        shared_axes: None, an int or a list of ints (each >= 1).

    Example:
        >>> import kiln
        >>> layer = PReLU(shared_axes=[1, 2])
        >>> layer.build((None, 4, 4, 3))
        >>> tuple(layer.alpha.shape)
        (1, 1, 3)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in axes):
                raise ValueError(
                    f"PReLU '{self.name}': `shared_axes` must be None, an int or a list of ints "
                    f">= 1 (axis 0 is the batch); received shared_axes={shared_axes!r}")
            self.shared_axes = axes
        self.alpha = None

    def build(self, input_shape):
        ndim = len(input_shape)
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for axis in self.shared_axes:
                if axis >= ndim:
                    raise ValueError(
                        f"PReLU '{self.name}': shared axis {axis} is out of range for an input of "
                        f"shape {tuple(input_shape)}")
                param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"PReLU '{self.name}': every non-shared axis of the input must have a known size; "
                f"received input_shape={tuple(input_shape)} with shared_axes={self.shared_axes}")
        self.alpha = self.add_weight(
            shape=tuple(param_shape), name="alpha", initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        shared = set(self.shared_axes or ())
        axes = {i: input_shape[i] for i in range(1, ndim) if i not in shared}
        self.input_spec = InputSpec(ndim=ndim, axes=axes)
        self.built = True

    def call(self, inputs):
        positive = activations.relu(inputs)
        negative = ops.multiply(ops.negative(self.alpha), activations.relu(ops.negative(inputs)))
        return ops.add(positive, negative)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        s = serialization_lib.serialize_kiln_object
        config.update({
            "alpha_initializer": s(self.alpha_initializer),
            "alpha_regularizer": s(self.alpha_regularizer),
            "alpha_constraint": s(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
