"""Backend-neutral rules of the array families (``array_math``, ``array_shape``, ``array_stats``).

Argument checks, error messages, split/section arithmetic and the small
factories that wrap a backend's native kernel into a named element-wise op
live here once; every backend passes in its own kernels and conversions.
Nothing here imports a framework: values are Python numbers, shapes are
tuples (``None`` for unknown sizes) and dtypes are standard names
(``"int32"``, ``"complex64"``...).

Example:
    >>> equal_split_sections("vsplit", (4, 2), 0, 2)
    2
    >>> sections([1, 3])
    [1, 3]
"""

import numpy as np

# -- dtype checks -----------------------------------------------------------------------

def is_integer_name(dtype):
    """Whether the standard dtype name ``dtype`` is a (signed or unsigned) integer type."""
    return dtype.startswith(("int", "uint"))


def check_integer(op_name, dtype, allow_bool=True):
    """Raise TypeError unless ``dtype`` (a standard name) is an integer (or bool) type."""
    if is_integer_name(dtype) or (allow_bool and dtype == "bool"):
        return
    raise TypeError(f"{op_name}: expected integer{' or bool' if allow_bool else ''} inputs, "
                    f"received dtype {dtype}")


def check_real(op_name, dtype):
    """Raise TypeError for a complex ``dtype`` (a standard name)."""
    if dtype.startswith("complex"):
        raise TypeError(f"{op_name}: complex inputs are not supported, received dtype {dtype}")


def dtype_guards(dtype_name):
    """``(require_int, real)`` for a backend whose tensors' standard dtype name is ``dtype_name(x)``.

    ``require_int(op_name, x, allow_bool=True)`` and ``real(op_name, x)`` return ``x``
    unchanged or raise TypeError naming the op and the dtype.
    """
    def require_int(op_name, x, allow_bool=True):
        check_integer(op_name, dtype_name(x), allow_bool)
        return x

    def real(op_name, x):
        check_real(op_name, dtype_name(x))
        return x

    return require_int, real


# -- named element-wise ops from native kernels ------------------------------------------

def _named(fn, name, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def float_unary(name, fn, to_float, real=None):
    """The op ``x -> fn(to_float(x))``; ``real`` (a guard) rejects complex inputs first."""
    if real is None:
        def unary(x):
            return fn(to_float(x))
    else:
        def unary(x):
            return fn(real(name, to_float(x)))

    return _named(unary, name, f"Elementwise {name}; int/bool inputs give floatx().")


def float_binary(name, fn, float_pair, real=None):
    """The op ``(x1, x2) -> fn(x1, x2)`` on operands of ``float_pair``; ``real`` (a guard)
    rejects a complex first operand."""
    if real is None:
        def binary(x1, x2):
            return fn(*float_pair(x1, x2))
    else:
        def binary(x1, x2):
            x1, x2 = float_pair(x1, x2)
            return fn(real(name, x1), x2)

    return _named(binary, name, f"Elementwise {name} after promotion; int/bool inputs give floatx().")


def bitwise(name, fn, pair, require_int, bool_to_int=None):
    """The op ``(x, y) -> fn(x, y)`` on promoted integer/bool operands (bools as int32 when
    ``bool_to_int`` is given)."""
    def binary(x, y):
        x, y = pair(x, y)
        require_int(name, x)
        if bool_to_int is not None:
            x, y = bool_to_int(x), bool_to_int(y)
        return fn(x, y)

    return _named(binary, name, f"Elementwise {name} of integer/bool tensors after promotion.")


# -- shapes, ranks and splits ------------------------------------------------------------

def stack_ops(xnp, promoted):
    """``hstack, vstack, dstack`` from an array namespace with NumPy's stacking functions
    (``jax.numpy``, ``numpy``, ``torch``); ``promoted(xs)`` gives the inputs in their common dtype."""
    def hstack(xs):
        return xnp.hstack(promoted(xs))

    def vstack(xs):
        return xnp.vstack(promoted(xs))

    def dstack(xs):
        return xnp.dstack(promoted(xs))

    return hstack, vstack, dstack


def flip_ops(xnp, to_tensor):
    """``fliplr, flipud`` from an array namespace whose ``flip(x, axes)`` takes a tuple of axes
    (``jax.numpy``, ``numpy``, ``torch``); ``to_tensor`` converts the input."""
    def fliplr(x):
        x = to_tensor(x)
        check_min_rank("fliplr", x.shape, 2)
        return xnp.flip(x, (1,))

    def flipud(x):
        x = to_tensor(x)
        check_min_rank("flipud", x.shape, 1)
        return xnp.flip(x, (0,))

    return fliplr, flipud


def check_min_rank(op_name, shape, rank):
    """Raise ValueError when ``shape`` (a tuple) has fewer than ``rank`` dimensions."""
    if len(shape) < rank:
        raise ValueError(f"{op_name}: input must have rank >= {rank}, received shape {tuple(shape)}")


def check_diag_input(shape):
    if len(shape) not in (1, 2):
        raise ValueError(f"diag: input must be 1-D or 2-D, received shape {tuple(shape)}")


def check_vander_input(shape):
    if len(shape) != 1:
        raise ValueError(f"vander: x must be 1-D, received shape {tuple(shape)}")


def check_meshgrid_indexing(indexing):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")


def check_select(condlist, choicelist):
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length, received "
                         f"{len(condlist)} and {len(choicelist)}")
    if not len(condlist):
        raise ValueError("select: condlist must not be empty")


def check_cross(shape1, shape2, axisa, axisb, axis):
    """Both operands of ``cross`` need 2 or 3 entries along their vector axis."""
    for name, shape, ax in (("x1", tuple(shape1), axisa if axis is None else axis),
                            ("x2", tuple(shape2), axisb if axis is None else axis)):
        if not shape or shape[ax] not in (2, 3):
            raise ValueError(f"cross: {name} must have size 2 or 3 along the vector axis, "
                             f"received shape {shape}")


def check_roll_axes(shift, axis):
    """``(shift, axis)`` of equal length: one shift for every axis, or one axis for every shift.

    ``axis`` is a list or tuple of ints, ``shift`` one shift or a list or tuple of them; the
    results keep ``axis``'s container type.
    """
    if not isinstance(shift, (list, tuple)):
        return type(axis)((shift,)) * len(axis), axis
    if len(shift) != len(axis):
        if len(axis) != 1:
            raise ValueError(f"roll: shift {shift} and axis {axis} must have the same length")
        axis = axis * len(shift)
    return shift, axis


def sections(indices_or_sections, to_numpy=None):
    """A split count (int) or the list of split indices; ``to_numpy`` turns a backend tensor
    of indices into something ``np.asarray`` reads."""
    if isinstance(indices_or_sections, (int, np.integer)):
        return int(indices_or_sections)
    if to_numpy is not None:
        indices_or_sections = to_numpy(indices_or_sections)
    return [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]


def check_positive_sections(sections_):
    if isinstance(sections_, int) and sections_ <= 0:
        raise ValueError(f"array_split: the number of sections must be positive, received {sections_}")


def hsplit_axis(ndim):
    """``hsplit`` splits columns (axis 1), or the only axis of a 1-D input."""
    return 1 if ndim > 1 else 0


def equal_split_sections(op_name, shape, axis, indices_or_sections, to_numpy=None):
    """The sections of an hsplit/vsplit/dsplit of an input of ``shape`` along ``axis``, checked:
    a count must divide the axis size evenly."""
    shape = tuple(shape)
    if len(shape) <= axis:
        raise ValueError(f"{op_name}: input must have rank > {axis}, received shape {shape}")
    count = sections(indices_or_sections, to_numpy)
    length = shape[axis]
    if isinstance(count, int) and (count <= 0 or (length is not None and length % count)):
        raise ValueError(f"{op_name}: axis {axis} of size {length} cannot be split into {count} "
                         f"equal sections")
    return count


def check_view(shape, source, target, source_size, target_size):
    """A 0-d tensor can only be viewed as a dtype of the same item size."""
    if not len(shape) and source_size != target_size:
        raise ValueError(f"view: a 0-d tensor of dtype {source} cannot be viewed as {target}")


# -- statistics ----------------------------------------------------------------------------

# Sums and products accumulate small integers as JAX does: signed (and bool) in int32,
# unsigned in uint32.
SUM_DTYPES = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}


def accumulate_dtype(dtype):
    """The dtype a sum or product of ``dtype`` (a standard name) accumulates in."""
    return SUM_DTYPES.get(dtype, dtype)


def unique_outputs(values, first, inverse, counts, return_index, return_inverse, return_counts,
                   cast=None):
    """``unique``'s result: the values alone, or a tuple with the requested extras in order
    (each passed through ``cast`` when given)."""
    extras = [v for v, wanted in ((first, return_index), (inverse, return_inverse),
                                  (counts, return_counts)) if wanted]
    if not extras:
        return values
    if cast is not None:
        extras = [cast(v) for v in extras]
    return (values, *extras)


def quantile_ops(quantile_fn):
    """``quantile, percentile, median, nanquantile, nanpercentile, nanmedian`` from one kernel
    ``quantile_fn(x, q, axis, method, keepdims, ignore_nan, scale=1.0)`` (percentiles pass
    ``scale=100.0``: ``q`` is divided by it)."""
    def quantile(x, q, axis=None, method="linear", keepdims=False):
        return quantile_fn(x, q, axis, method, keepdims, False)

    def percentile(x, q, axis=None, method="linear", keepdims=False):
        return quantile_fn(x, q, axis, method, keepdims, False, scale=100.0)

    def median(x, axis=None, keepdims=False):
        return quantile_fn(x, 0.5, axis, "linear", keepdims, False)

    def nanquantile(x, q, axis=None, method="linear", keepdims=False):
        return quantile_fn(x, q, axis, method, keepdims, True)

    def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
        return quantile_fn(x, q, axis, method, keepdims, True, scale=100.0)

    def nanmedian(x, axis=None, keepdims=False):
        return quantile_fn(x, 0.5, axis, "linear", keepdims, True)

    return quantile, percentile, median, nanquantile, nanpercentile, nanmedian
