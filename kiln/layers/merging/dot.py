"""``Dot``: per-sample dot product of two tensors along chosen axes (and ``dot``).

Example:
    >>> import kiln, numpy as np
    >>> a = np.arange(6, dtype="float32").reshape(2, 3)
    >>> kiln.ops.convert_to_numpy(kiln.layers.Dot(axes=1)([a, a])).ravel().tolist()
    [5.0, 50.0]
"""

from string import ascii_lowercase

from kiln import ops
from kiln.layers.merging.base_merge import Merge


class Dot(Merge):
    """Contracts axis ``axes[0]`` of the first input with ``axes[1]`` of the second, per sample.

    For inputs ``(batch, ...a)`` and ``(batch, ...b)`` the output holds the
    remaining axes of the first input, then those of the second (batch
    excluded); a rank-1 result becomes ``(batch, 1)``.

    Args:
        axes: an int (the same axis of both inputs) or a pair of ints; axis 0
            (the batch) cannot be contracted.
        normalize: L2-normalize both inputs along the contracted axes first,
            so the output is the cosine similarity.

    Example:
        >>> import kiln
        >>> kiln.layers.Dot(axes=(2, 2))([kiln.KerasTensor((None, 3, 4)),
        ...                                kiln.KerasTensor((None, 5, 4))]).shape
        (None, 3, 5)
    """

    _min_inputs = 2
    _max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        ok = isinstance(axes, int) and not isinstance(axes, bool)
        if not ok and isinstance(axes, (list, tuple)):
            ok = len(axes) == 2 and all(isinstance(a, int) and not isinstance(a, bool) for a in axes)
            axes = tuple(axes) if ok else axes
        if not ok:
            raise ValueError(f"Dot '{self.name}': `axes` must be an int or a tuple of 2 ints; "
                             f"received axes={axes!r}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = False

    def _resolve_axes(self, rank1, rank2):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        resolved = []
        for axis, rank in zip(pair, (rank1, rank2)):
            if not -rank <= axis < rank or axis % rank == 0:
                raise ValueError(
                    f"Dot '{self.name}': axes={self.axes} is invalid for inputs of ranks "
                    f"{(rank1, rank2)}; each axis must be a non-batch axis (1..rank-1 or negative)")
            resolved.append(axis % rank)
        return tuple(resolved)

    def _check_shapes(self, input_shape):
        self._check_inputs(input_shape)
        shape1, shape2 = (tuple(s) for s in input_shape)
        a1, a2 = self._resolve_axes(len(shape1), len(shape2))
        if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
            raise ValueError(
                f"Dot '{self.name}': incompatible input shapes: axis {a1} of the first input has "
                f"size {shape1[a1]} but axis {a2} of the second has size {shape2[a2]}; received "
                f"input shapes {shape1} and {shape2}")
        if shape1[0] is not None and shape2[0] is not None and shape1[0] != shape2[0]:
            raise ValueError(f"Dot '{self.name}': both inputs need the same batch size; received "
                             f"input shapes {shape1} and {shape2}")
        return shape1, shape2, a1, a2

    def _merge_function(self, inputs):
        x1, x2 = inputs
        a1, a2 = self._resolve_axes(len(x1.shape), len(x2.shape))
        if self.normalize:
            x1 = ops.normalize(x1, axis=a1)
            x2 = ops.normalize(x2, axis=a2)
        return batch_dot(x1, x2, (a1, a2))

    def compute_output_shape(self, input_shape):
        shape1, shape2, a1, a2 = self._check_shapes(input_shape)
        out = [d for i, d in enumerate(shape1) if i != a1]
        out += [d for i, d in enumerate(shape2) if i not in (0, a2)]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def batch_dot(x1, x2, axes):
    """Per-sample contraction of ``x1``'s axis ``axes[0]`` with ``x2``'s axis ``axes[1]``.

    Both axes are non-negative and non-batch; a rank-1 result gets a trailing
    axis of size 1.

    Example:
        >>> import kiln
        >>> tuple(batch_dot(kiln.ops.ones((2, 3, 4)), kiln.ops.ones((2, 4)), (2, 1)).shape)
        (2, 3)
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    letters = iter(ascii_lowercase[1:])
    contracted = "z"
    sub1 = ["a"] + [contracted if i == axes[0] else next(letters) for i in range(1, rank1)]
    sub2 = ["a"] + [contracted if i == axes[1] else next(letters) for i in range(1, rank2)]
    out = [s for s in sub1 if s != contracted] + [s for s in sub2[1:] if s != contracted]
    result = ops.einsum(f"{''.join(sub1)},{''.join(sub2)}->{''.join(out)}", x1, x2)
    if len(out) == 1:
        result = ops.expand_dims(result, -1)
    return result


def dot(inputs, axes=-1, **kwargs):
    """Functional form of :class:`Dot`: ``Dot(axes=axes, **kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> dot([kiln.KerasTensor((None, 4)), kiln.KerasTensor((None, 4))], axes=1).shape
        (None, 1)
    """
    return Dot(axes=axes, **kwargs)(inputs)
