"""Core ops (``kiln.ops.core``): conversion, casting, control flow, slicing and scattering.

``convert_to_tensor``, ``convert_to_numpy``, ``is_tensor``, ``shape``, ``dtype``
and ``cond`` are plain functions; the others are Operations with a declared
symbolic rule.

Example:
    >>> import kiln
    >>> kiln.ops.dtype(kiln.ops.cast([1, 2], "float16"))
    'float16'
"""

import builtins

from kiln import tree
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import _has_symbolic, op

__all__ = [
    "convert_to_tensor",
    "convert_to_numpy",
    "is_tensor",
    "shape",
    "dtype",
    "cast",
    "stop_gradient",
    "cond",
    "scatter",
    "slice",
    "get_item",
    "saturate_cast",
    "scatter_update",
    "slice_update",
    "switch",
    "while_loop",
    "fori_loop",
    "scan",
    "associative_scan",
    "map",
    "vectorized_map",
    "custom_gradient",
    "vectorize",
]


_core = _backend.core


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Turn array-like data (lists, NumPy arrays, scalars, Variables) into a backend tensor.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.convert_to_tensor([1.0, 2.0]))
        'float32'
    """
    return _core.convert_to_tensor(x, dtype=dtype, sparse=sparse, ragged=ragged)


def convert_to_numpy(x):
    """Return the value of a tensor (or Variable, list, scalar) as a NumPy array.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ones((2,))).tolist()
        [1.0, 1.0]
    """
    return _core.convert_to_numpy(x)


def is_tensor(x):
    """True if ``x`` is a native tensor of the active backend.

    Example:
        >>> import kiln
        >>> kiln.ops.is_tensor(kiln.ops.ones((1,))), kiln.ops.is_tensor([1.0])
        (True, False)
    """
    return _core.is_tensor(x)


def shape(x):
    """The shape of ``x`` as a tuple (the static shape, with None, for a KerasTensor).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.ones((2, 3)))
        (2, 3)
    """
    if isinstance(x, KerasTensor):
        return x.shape
    return _core.shape(x)


def dtype(x):
    """The Kiln dtype name of a tensor, Variable, KerasTensor or array.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.ones((1,), dtype="int8"))
        'int8'
    """
    value = getattr(x, "dtype", None)
    if value is None:
        value = _core.convert_to_tensor(x).dtype
    return dtypes.standardize_dtype(value)


def _cast_spec(x, dtype):
    return KerasTensor(rules.shape_of(x), dtypes.standardize_dtype(dtype))


@op(_cast_spec, module="core")
def cast(x, dtype):
    """Convert ``x`` to ``dtype``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cast([1.7, -1.7], "int32")).tolist()
        [1, -1]
    """
    return _core.cast(x, dtype)


def _stop_gradient_spec(variable):
    return KerasTensor(rules.shape_of(variable), dtypes.result_type(rules.dtype_of(variable)))


@op(_stop_gradient_spec, module="core")
def stop_gradient(variable):
    """Return the value unchanged, but let no gradient flow through it.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.stop_gradient([1.0])).tolist()
        [1.0]
    """
    return _core.stop_gradient(variable)


def _cond_spec(pred, true_fn, false_fn):
    if rules.shape_of(pred) not in ((), (1,)):
        raise ValueError(f"cond: `pred` must be a scalar, received shape {rules.shape_of(pred)}")
    true_out = _core.compute_output_spec(true_fn)
    false_out = _core.compute_output_spec(false_fn)
    _check_same_specs("cond", "true_fn", true_out, "false_fn", false_out)
    return true_out


@op(_cond_spec, module="core")
def cond(pred, true_fn, false_fn):
    """Call ``true_fn()`` if ``pred`` is true, else ``false_fn()`` (traceable on JAX/TF).

    Both branches must return the same structure of tensors with the same
    shapes and dtypes.

    Example:
        >>> import kiln
        >>> int(kiln.ops.cond(True, lambda: 1, lambda: 2))
        1
    """
    return _core.cond(pred, true_fn, false_fn)


def _scatter_spec(indices, values, shape):
    return KerasTensor(tuple(shape), dtypes.result_type(rules.dtype_of(values)))


@op(_scatter_spec, module="core")
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (last axis = coordinates).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.scatter([[0], [2]], [1.0, 2.0], (3,))).tolist()
        [1.0, 0.0, 2.0]
    """
    return _core.scatter(indices, values, shape)


def _slice_spec(inputs, start_indices, shape):
    in_shape = rules.shape_of(inputs)
    shape = tuple(shape)
    if len(shape) != len(in_shape):
        raise ValueError(
            f"slice: shape {shape} must have one entry per axis of the input of shape {in_shape}")
    out = tuple(d if s is None or s == -1 else s for s, d in zip(shape, in_shape)) if -1 in shape else shape
    return KerasTensor(out, dtypes.result_type(rules.dtype_of(inputs)))


@op(_slice_spec, module="core")
def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.slice([1, 2, 3, 4], (1,), (2,))).tolist()
        [2, 3]
    """
    return _core.slice(inputs, start_indices, shape)


def _slice_length(dim, s):
    if dim is None:
        if s.start is None and s.stop is None and s.step in (None, 1):
            return None
        # Only slices whose length does not depend on the size are resolvable.
        start, stop, step = s.start or 0, s.stop, s.step or 1
        if step > 0 and stop is not None and start >= 0 and stop >= 0:
            return max(0, -(-(stop - start) // step))
        return None
    return len(range(*s.indices(dim)))


def _get_item_spec(x, key):
    shape = rules.shape_of(x)
    dtype = dtypes.result_type(rules.dtype_of(x))
    if not isinstance(key, tuple):
        key = (key,)
    # Boolean tensor masks select a data-dependent number of elements.
    n_consumed = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        kd = rules.dtype_of(k) if isinstance(k, KerasTensor) or hasattr(k, "dtype") else None
        if kd == "bool":
            n_consumed += len(rules.shape_of(k))
        else:
            n_consumed += 1
    if n_consumed > len(shape):
        raise ValueError(f"get_item: too many indices ({n_consumed}) for a tensor of shape {shape}")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise ValueError("get_item: an index can only have a single Ellipsis ('...')")
    expanded = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([_full_slice()] * (len(shape) - n_consumed))
        else:
            expanded.append(k)
    if not any(k is Ellipsis for k in key):
        expanded.extend([_full_slice()] * (len(shape) - n_consumed))
    out = []
    pos = 0
    advanced_shape = None
    for k in expanded:
        if k is None:
            out.append(1)
            continue
        dim = shape[pos] if pos < len(shape) else None
        if isinstance(k, bool):
            raise ValueError("get_item: a Python bool is not a valid index")
        if isinstance(k, int):
            if dim is not None and not -dim <= k < dim:
                raise ValueError(f"get_item: index {k} is out of bounds for axis {pos} of size {dim}")
            pos += 1
        elif type(k).__name__ == "slice":
            out.append(_slice_length(dim, k))
            pos += 1
        else:
            kshape = rules.shape_of(k)
            kdtype = rules.dtype_of(k)
            if kdtype == "bool" or kdtype is bool:
                pos += len(kshape)
                new = (None,)
            else:
                pos += 1
                new = kshape
            if advanced_shape is None:
                advanced_shape = new
                out.append("adv")
            else:
                advanced_shape = rules.broadcast_shapes(advanced_shape, new, "get_item")
    final = []
    for d in out:
        if d == "adv":
            final.extend(advanced_shape)
        else:
            final.append(d)
    return KerasTensor(tuple(final), dtype)


def _full_slice():
    import builtins

    return builtins.slice(None)


# Keras defines GetItem with the NumPy ops, so saved graphs name it keras.src.ops.numpy.GetItem.
@op(_get_item_spec, module="numpy", class_name="GetItem")
def get_item(x, key):
    """``x[key]`` with Python/NumPy indexing (ints, slices, None, Ellipsis, index tensors).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.get_item([[1, 2], [3, 4]], (Ellipsis, 1))).tolist()
        [2, 4]
    """
    return _core.get_item(x, key)


# -- helpers for the control-flow ops' symbolic rules ---------------------------------------

def _to_spec(x):
    """A KerasTensor describing ``x`` (tensor, array, scalar); None and KerasTensors stay."""
    if x is None or isinstance(x, KerasTensor):
        return x
    if isinstance(x, (bool, int, float, complex)):
        return KerasTensor((), dtypes.result_type(type(x)))
    return KerasTensor(rules.shape_of(x), dtypes.result_type(rules.dtype_of(x)))


def _specs(structure):
    return tree.map_structure(_to_spec, structure)


def _element_spec(x, op_name):
    """Spec of one slice of ``x`` along its leading axis."""
    x = _to_spec(x)
    if not x.shape:
        raise ValueError(f"{op_name}: expected tensors with a leading axis to iterate over, "
                         f"received a scalar of shape {x.shape}")
    return KerasTensor(x.shape[1:], x.dtype)


def _leading_length(xs, op_name):
    lengths = {rules.shape_of(leaf)[0] if rules.shape_of(leaf) else "scalar"
               for leaf in tree.flatten(xs) if leaf is not None}
    if "scalar" in lengths:
        raise ValueError(f"{op_name}: every input needs a leading axis; received a scalar")
    known = {n for n in lengths if n is not None}
    if len(known) > 1:
        raise ValueError(f"{op_name}: the inputs have different leading lengths {sorted(known)}")
    return known.pop() if known else None


def _stacked(spec, n):
    return tree.map_structure(lambda s: None if s is None else KerasTensor((n,) + tuple(s.shape), s.dtype),
                              spec)


def _check_same_specs(op_name, name_a, a, name_b, b):
    flat_a, flat_b = tree.flatten(a), tree.flatten(b)
    try:
        tree.assert_same_structure(a, b)
    except (ValueError, TypeError):
        raise ValueError(f"{op_name}: {name_a} and {name_b} must return the same structure; "
                         f"received {a} and {b}") from None
    for x, y in zip(flat_a, flat_b):
        if (x is None) != (y is None):
            raise ValueError(f"{op_name}: {name_a} returned {x} where {name_b} returned {y}")
        if x is not None and (tuple(x.shape) != tuple(y.shape) or x.dtype != y.dtype):
            raise ValueError(f"{op_name}: {name_a} and {name_b} must return tensors of the same shape "
                             f"and dtype; received {x.shape} {x.dtype} and {y.shape} {y.dtype}")


# -- casting and updates ---------------------------------------------------------------------

@op(_cast_spec, module="core")
def saturate_cast(x, dtype):
    """Cast ``x`` to ``dtype``, first clipping it to the range ``dtype`` can hold.

    Unlike :func:`cast`, values outside the target range become the target's
    minimum or maximum instead of wrapping around or being undefined.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.saturate_cast([-3.0, 100.0, 300.0], "uint8")).tolist()
        [0, 100, 255]
    """
    return _core.saturate_cast(x, dtype)


def _scatter_update_spec(inputs, indices, updates, reduction=None):
    if reduction not in (None, "add", "mul", "max", "min"):
        raise ValueError(f"scatter_update: reduction must be one of None, 'add', 'mul', 'max', 'min'; "
                         f"received {reduction!r}")
    in_shape, idx_shape, up_shape = (rules.shape_of(inputs), rules.shape_of(indices),
                                     rules.shape_of(updates))
    if len(idx_shape) < 1 or (idx_shape[-1] is not None and idx_shape[-1] > len(in_shape)):
        raise ValueError(f"scatter_update: indices of shape {idx_shape} do not index inputs of shape "
                         f"{in_shape} (the last axis of indices holds at most {len(in_shape)} coordinates)")
    if idx_shape[-1] is not None:
        want = tuple(idx_shape[:-1]) + tuple(in_shape[idx_shape[-1]:])
        if len(want) != len(up_shape) or any(a is not None and b is not None and a != b
                                             for a, b in zip(want, up_shape)):
            raise ValueError(f"scatter_update: updates of shape {up_shape} do not fit indices of shape "
                             f"{idx_shape} into inputs of shape {in_shape} (expected {want})")
    return KerasTensor(in_shape, dtypes.result_type(rules.dtype_of(inputs)))


@op(_scatter_update_spec, module="core")
def scatter_update(inputs, indices, updates, reduction=None):
    """Return ``inputs`` with ``updates`` written at ``indices``.

    ``indices`` has shape ``(N, k)``: each row addresses an element (``k ==
    inputs.ndim``) or a slice (``k < inputs.ndim``) of ``inputs``, and
    ``updates`` has shape ``(N,) + inputs.shape[k:]``. With ``reduction``
    (``"add"``, ``"mul"``, ``"max"``, ``"min"``) the updates are combined with
    the existing values instead of replacing them.

    Example:
        >>> import kiln
        >>> x = kiln.ops.zeros((2, 3))
        >>> kiln.ops.convert_to_numpy(kiln.ops.scatter_update(x, [[0, 1], [1, 2]], [5.0, 7.0])).tolist()
        [[0.0, 5.0, 0.0], [0.0, 0.0, 7.0]]
    """
    return _core.scatter_update(inputs, indices, updates, reduction=reduction)


def _slice_update_spec(inputs, start_indices, updates):
    in_shape, up_shape = rules.shape_of(inputs), rules.shape_of(updates)
    if len(in_shape) != len(up_shape) or any(
            a is not None and b is not None and b > a for a, b in zip(in_shape, up_shape)):
        raise ValueError(f"slice_update: updates of shape {up_shape} do not fit inside inputs of shape "
                         f"{in_shape}")
    if len(rules.shape_of(start_indices) or (len(in_shape),)) != 1 or (
            isinstance(start_indices, (list, tuple)) and len(start_indices) != len(in_shape)):
        raise ValueError(f"slice_update: start_indices needs one entry per axis of inputs of shape "
                         f"{in_shape}")
    return KerasTensor(in_shape, dtypes.result_type(rules.dtype_of(inputs)))


@op(_slice_update_spec, module="core")
def slice_update(inputs, start_indices, updates):
    """Return ``inputs`` with the block starting at ``start_indices`` replaced by ``updates``.

    The block has the shape of ``updates``; starts are clamped so that it fits.

    Example:
        >>> import kiln
        >>> out = kiln.ops.slice_update(kiln.ops.zeros((4,)), (1,), [1.0, 2.0])
        >>> kiln.ops.convert_to_numpy(out).tolist()
        [0.0, 1.0, 2.0, 0.0]
    """
    return _core.slice_update(inputs, start_indices, updates)


# -- control flow ----------------------------------------------------------------------------

def _switch_spec(index, branches, *operands):
    if not branches:
        raise ValueError("switch: `branches` must hold at least one function")
    if rules.shape_of(index) != ():
        raise ValueError(f"switch: `index` must be a scalar, received shape {rules.shape_of(index)}")
    operands = _specs(operands)
    first = _core.compute_output_spec(branches[0], *operands)
    for i, branch in enumerate(branches[1:], start=1):
        _check_same_specs("switch", "branches[0]", first, f"branches[{i}]",
                          _core.compute_output_spec(branch, *operands))
    return first


@op(_switch_spec, module="core")
def switch(index, branches, *operands):
    """Call ``branches[index](*operands)``; ``index`` is clamped to ``[0, len(branches) - 1]``.

    Every branch must return the same structure of shapes and dtypes; the
    choice may depend on a tensor value (it compiles to one switch node).

    Example:
        >>> import kiln
        >>> branches = [lambda x: x + 1, lambda x: x * 10]
        >>> kiln.ops.convert_to_numpy(kiln.ops.switch(1, branches, kiln.ops.ones((2,)))).tolist()
        [10.0, 10.0]
    """
    return _core.switch(index, branches, *operands)


def _while_loop_spec(cond, body, loop_vars, maximum_iterations=None):
    return _specs(tuple(loop_vars) if type(loop_vars) is tuple else loop_vars)


@op(_while_loop_spec, module="core")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    ``loop_vars`` is a tuple/list of tensors (unpacked into ``cond`` and
    ``body``) or a single tensor; ``body`` returns the same structure, shapes
    and dtypes. ``maximum_iterations`` caps the number of steps; giving it
    (as a Python int) makes the loop differentiable in reverse mode on every
    backend.

    Example:
        >>> import kiln
        >>> i, total = kiln.ops.while_loop(lambda i, t: i < 4, lambda i, t: (i + 1, t + i), (0, 0))
        >>> int(i), int(total)
        (4, 6)
    """
    return _core.while_loop(cond, body, loop_vars, maximum_iterations=maximum_iterations)


def _fori_loop_spec(lower, upper, body_fun, init_val):
    return _specs(init_val)


@op(_fori_loop_spec, module="core")
def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` up to (excluding) ``upper``.

    ``body_fun`` must return a value of the structure, shapes and dtypes of
    ``init_val``. With Python-int bounds the loop is differentiable in reverse
    mode on every backend.

    Example:
        >>> import kiln
        >>> int(kiln.ops.fori_loop(0, 5, lambda i, acc: acc + i, 0))
        10
    """
    return _core.fori_loop(lower, upper, body_fun, init_val)


def _scan_spec(f, init, xs=None, length=None, reverse=False, unroll=1):
    if xs is None:
        if length is None:
            raise ValueError("scan: give `xs`, `length`, or both")
        n, x = length, None
    else:
        n = _leading_length(xs, "scan")
        if length is not None and n is not None and n != length:
            raise ValueError(f"scan: length={length} differs from the leading axis ({n}) of xs")
        n = length if length is not None else n
        x = tree.map_structure(lambda leaf: _element_spec(leaf, "scan"), xs)
    init = _specs(init)
    out = _core.compute_output_spec(f, init, x)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError(f"scan: f must return a pair (carry, y), received {out}")
    carry, y = out
    _check_same_specs("scan", "init", init, "the carry returned by f", carry)
    return carry, _stacked(y, n)


@op(_scan_spec, module="core")
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``, stacking the ``y``s.

    Returns ``(final_carry, ys)``. ``xs`` may be a nested structure (sliced
    together) or None with ``length`` giving the number of steps (``f`` then
    receives ``x=None``). ``reverse=True`` runs from the last element to the
    first (``ys`` stay aligned with ``xs``). ``unroll`` is an unrolling hint
    for compilers. The carry must keep its structure, shapes and dtypes.

    Example:
        >>> import kiln
        >>> carry, ys = kiln.ops.scan(lambda c, x: (c + x, c * x), 0.0, kiln.ops.arange(1.0, 4.0))
        >>> float(carry), kiln.ops.convert_to_numpy(ys).tolist()
        (6.0, [0.0, 2.0, 9.0])
    """
    if xs is None and length is None:
        raise ValueError("scan: give `xs`, `length`, or both")
    if not (unroll is True or unroll is False or (isinstance(unroll, int) and unroll >= 1)):
        raise ValueError(f"scan: `unroll` must be a bool or a positive int, received {unroll!r}")
    return _core.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


def _associative_scan_spec(f, elems, reverse=False, axis=0):
    elems = _specs(elems)
    leaves = tree.flatten(elems)
    if not leaves:
        raise ValueError("associative_scan: `elems` holds no tensors")
    for leaf in leaves:
        rules.canonical_axes(axis, len(leaf.shape), "associative_scan")
    sizes = {leaf.shape[axis] for leaf in leaves} - {None}
    if len(sizes) > 1:
        raise ValueError(f"associative_scan: every input needs the same size along axis {axis}, "
                         f"received {[leaf.shape for leaf in leaves]}")
    out = _core.compute_output_spec(f, elems, elems)
    try:
        tree.assert_same_structure(out, elems)
    except (ValueError, TypeError):
        raise ValueError(f"associative_scan: f must return the structure of elems; received {out}") from None
    return out


@op(_associative_scan_spec, module="core")
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` along ``axis`` with an associative binary ``f``.

    ``result[i] = f(...f(f(elems[0], elems[1]), elems[2])..., elems[i])``,
    computed in a logarithmic number of batched calls of ``f`` (so ``f`` must
    be associative and work on whole slices). ``elems`` may be a nested
    structure of tensors of equal size along ``axis``; ``reverse=True`` scans
    from the end.

    Example:
        >>> import kiln
        >>> out = kiln.ops.associative_scan(lambda a, b: a + b, kiln.ops.arange(1.0, 5.0))
        >>> kiln.ops.convert_to_numpy(out).tolist()
        [1.0, 3.0, 6.0, 10.0]
    """
    return _core.associative_scan(f, elems, reverse=reverse, axis=axis)


def _map_spec(f, xs):
    n = _leading_length(xs, "map")
    x = tree.map_structure(lambda leaf: _element_spec(leaf, "map"), xs)
    return _stacked(_core.compute_output_spec(f, x), n)


@op(_map_spec, module="core")
def map(f, xs):  # noqa: A001 - the public op name
    """Apply ``f`` to each slice of ``xs`` along its leading axis and stack the results.

    ``xs`` may be a nested structure (sliced together); the result has the
    structure ``f`` returns, each leaf with the leading axis added.

    Example:
        >>> import kiln
        >>> rows = kiln.ops.convert_to_tensor([[1, 2], [3, 4]])
        >>> kiln.ops.convert_to_numpy(kiln.ops.map(lambda r: kiln.ops.sum(r), rows)).tolist()
        [3, 7]
    """
    return _core.map(f, xs)


def _vectorized_map_spec(function, elements):
    n = _leading_length(elements, "vectorized_map")
    x = tree.map_structure(lambda leaf: _element_spec(leaf, "vectorized_map"), elements)
    return _stacked(_core.compute_output_spec(function, x), n)


@op(_vectorized_map_spec, module="core")
def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along axis 0, run as one batched call.

    Where the backend can (``jax.vmap``, ``torch.vmap``, ``tf.vectorized_map``)
    the per-slice function is turned into a batched one instead of a loop;
    the results equal those of :func:`map`.

    Example:
        >>> import kiln
        >>> out = kiln.ops.vectorized_map(lambda v: kiln.ops.dot(v, v), kiln.ops.ones((3, 2)))
        >>> kiln.ops.convert_to_numpy(out).tolist()
        [2.0, 2.0, 2.0]
    """
    return _core.vectorized_map(function, elements)


def _symbolic_aware(function, traced):
    """Wrap ``function`` so that calls on KerasTensors return specs traced from ``traced``."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if _has_keras_tensor(args, kwargs):
            return _core.compute_output_spec(traced, *args, **kwargs)
        return function(*args, **kwargs)

    return wrapper


def _has_keras_tensor(args, kwargs):
    # One level of lists/tuples, like the ops' eager fast path: no tree walk per call.
    return _has_symbolic(args) or (bool(kwargs) and _has_symbolic(kwargs.values()))


def custom_gradient(f):
    """Decorator giving a function a hand-written gradient.

    ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` receives
    the gradient flowing into ``output`` and returns the gradients for
    ``args`` (a tensor for one argument, a tuple for several). The decorated
    function returns only ``output``; differentiating it (``jax.grad``,
    ``tf.GradientTape``, ``loss.backward()``) uses ``grad_fn``. Gradients are
    defined for the explicit arguments only: pass tensors you need gradients
    for as arguments rather than closing over them. Writing the gradient
    function as ``def grad(*args, upstream=None)`` keeps code portable to
    other Keras-API frameworks.

    Example:
        >>> import kiln
        >>> @kiln.ops.custom_gradient
        ... def halve_gradient(x):
        ...     return x, lambda upstream: upstream * 0.5
        >>> kiln.ops.convert_to_numpy(halve_gradient(kiln.ops.ones((2,)))).tolist()
        [1.0, 1.0]
    """
    if not callable(f):
        raise TypeError(f"custom_gradient: `f` must be callable, received {f!r}")
    return _symbolic_aware(_core.custom_gradient(f), lambda *args: f(*args)[0])


def vectorize(pyfunc, *, excluded=None, signature=None):
    """Turn ``pyfunc`` into a function that broadcasts over its inputs' leading (loop) dimensions.

    Like ``numpy.vectorize``: without ``signature`` ``pyfunc`` sees scalar
    elements; with a generalized-ufunc ``signature`` such as ``"(n),(n)->()"``
    it sees blocks with the named core dimensions, and the remaining leading
    dimensions of all inputs are broadcast together. Positional indices or
    keyword names in ``excluded`` are passed through unchanged. The loop runs
    batched (``vmap``) where the backend can.

    Example:
        >>> import kiln
        >>> dot = kiln.ops.vectorize(lambda a, b: kiln.ops.sum(a * b), signature="(n),(n)->()")
        >>> kiln.ops.convert_to_numpy(dot(kiln.ops.ones((3, 2)), [1.0, 2.0])).tolist()
        [3.0, 3.0, 3.0]
    """
    if not callable(pyfunc):
        raise TypeError(f"vectorize: `pyfunc` must be callable, received {pyfunc!r}")
    function = _core.vectorize(pyfunc, excluded=excluded, signature=signature)
    return _symbolic_aware(function, function)
