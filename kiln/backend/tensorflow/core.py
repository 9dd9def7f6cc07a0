"""TensorFlow core: Variable, tensor conversion, tracing, indexing.

Everything here works both eagerly and inside ``tf.function`` (graph mode,
where dimensions may be unknown).

Example:
    >>> x = convert_to_tensor([1, 2])
    >>> x.dtype.name, shape(x)
    ('int32', (2,))
"""

import numpy as np
import tensorflow as tf

from kiln import config, tree
from kiln.backend.common import dtypes
from kiln.backend.common.control_flow import (ScanPrimitives, associative_scan_by_halving,
                                              vectorized_function)
from kiln.backend.common.dtypes import result_type, standardize_dtype
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import SymbolicScope
from kiln.backend.common.variables import KerasVariable

# Kiln dtype name -> tf.DType.
TF_DTYPES = {name: tf.as_dtype(name) for name in dtypes.ALLOWED_DTYPES}
_PY_SCALARS = (bool, int, float, complex)
_EagerTensor = type(tf.constant(0))


def tf_dtype(dtype):
    """Return the ``tf.DType`` for any dtype spelling (``None`` = floatx).

    Example:
        >>> tf_dtype("float16")
        tf.float16
    """
    if type(dtype) is str:
        found = TF_DTYPES.get(dtype)
        if found is not None:
            return found
    return TF_DTYPES[standardize_dtype(dtype)]


def dtype_name(x):
    """Kiln dtype name of a tensor, Variable or array; the Python type's default for scalars."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return standardize_dtype(type(x)) if isinstance(x, _PY_SCALARS) else \
            convert_to_tensor(x).dtype.name
    if isinstance(dtype, tf.DType):
        return dtype.name
    return standardize_dtype(dtype)


class Variable(KerasVariable):
    """A Kiln variable stored in a ``tf.Variable``; TF ops accept it directly.

    Example:
        >>> v = Variable([1.0, 2.0], name="w")
        >>> float(tf.reduce_sum(v))
        3.0
    """

    def __init__(self, initializer, *args, **kwargs):
        # Create the storage eagerly even when built inside a trace (tf.function,
        # compute_output_spec), unless the initial value itself is symbolic.
        if isinstance(initializer, tf.Tensor) and not isinstance(initializer, _EagerTensor):
            super().__init__(initializer, *args, **kwargs)
        else:
            with tf.init_scope():
                super().__init__(initializer, *args, **kwargs)

    def _initialize(self, value):
        self._value = tf.Variable(value, trainable=self._trainable, name=self._name,
                                  dtype=TF_DTYPES[self._dtype])

    def _direct_assign(self, value):
        self._value.assign(value)

    # GradientTape.watch/gradient take a Kiln variable as a source (Keras' TF recipe passes
    # `model.trainable_variables` to `tape.gradient`): it acts as its tf.Variable's handle.
    _should_act_as_resource_variable = True

    @property
    def handle(self):
        return self._value.handle

    def _convert_to_tensor(self, value, dtype=None):
        return convert_to_tensor(value, dtype=dtype)

    def _on_trainable_change(self):
        # tf.Variable.trainable is read-only; GradientTape auto-watches on it.
        try:
            self._value._trainable = self._trainable
        except AttributeError:
            pass

    def numpy(self):
        value = self.value
        if isinstance(value, (tf.Variable, tf.Tensor)):
            return value.numpy()
        return convert_to_numpy(value)

    def __tf_tensor__(self, dtype=None, name=None):
        return tf.convert_to_tensor(self.value, dtype=dtype, name=name)


def _variable_conversion(var, dtype=None, name=None, as_ref=False):
    return tf.convert_to_tensor(var.value, dtype=dtype, name=name)


tf.register_tensor_conversion_function(Variable, _variable_conversion)


def _contains_tensor(seq):
    for item in seq:
        if isinstance(item, (tf.Tensor, tf.Variable, KerasVariable)):
            return True
        if isinstance(item, (list, tuple)) and _contains_tensor(item):
            return True
    return False


def _convert_sequence(x, dtype):
    if _contains_tensor(x):
        items = [convert_to_tensor(i) for i in x]
        if dtype is None:
            dtype = result_type(*[i.dtype.name for i in items]) if items else config.floatx()
        return tf.stack([convert_to_tensor(i, dtype) for i in items])
    array = np.asarray(x)
    if dtype is None:
        kind = array.dtype.kind
        if kind == "f":
            dtype = config.floatx()
        elif kind in "iu":
            dtype = "int32"
        elif kind == "c":
            dtype = "complex64"
    if dtype is not None:
        dtype = tf_dtype(dtype)
        if array.dtype.kind in "iubfc" and tf.as_dtype(array.dtype) != dtype:
            return tf.cast(tf.constant(array), dtype)
        return tf.constant(array, dtype=dtype)
    return tf.constant(array)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Turn ``x`` into a tf tensor of ``dtype`` (a native tensor of that dtype is returned as is).

    Python floats become floatx, ints int32, bools bool; NumPy arrays keep their dtype.

    Example:
        >>> convert_to_tensor(1.5).dtype.name, convert_to_tensor(np.int8(3)).dtype.name
        ('float32', 'int8')
    """
    if isinstance(x, tf.Tensor):
        if dtype is None:
            return x
        dtype = tf_dtype(dtype)
        return x if x.dtype is dtype else tf.cast(x, dtype)
    t = type(x)
    if t in _PY_SCALARS:
        if dtype is None:
            if t is float:
                dtype = config.floatx()
            elif t is int:
                dtype = "int32"
            elif t is complex:
                dtype = "complex64"
        if dtype is None:
            return tf.constant(x)
        dtype = tf_dtype(dtype)
        if (t is float and not (dtype.is_floating or dtype.is_complex)) or \
                (t is bool and dtype is not tf.bool):
            return tf.cast(tf.constant(x), dtype)
        return tf.constant(x, dtype=dtype)
    if isinstance(x, KerasVariable):
        return convert_to_tensor(x.value, dtype, sparse, ragged)
    if isinstance(x, tf.Variable):
        value = tf.convert_to_tensor(x)
        return value if dtype is None else convert_to_tensor(value, dtype)
    if isinstance(x, tf.SparseTensor):
        if sparse is False:
            x = tf.sparse.to_dense(x)
            return x if dtype is None else convert_to_tensor(x, dtype)
        if dtype is not None and x.dtype != tf_dtype(dtype):
            x = tf.SparseTensor(x.indices, tf.cast(x.values, tf_dtype(dtype)), x.dense_shape)
        return x
    if isinstance(x, tf.RaggedTensor):
        if ragged is False:
            x = x.to_tensor()
            return x if dtype is None else convert_to_tensor(x, dtype)
        return x if dtype is None else tf.cast(x, tf_dtype(dtype))
    if isinstance(x, KerasTensor):
        raise ValueError(
            "convert_to_tensor: received a symbolic KerasTensor, which has no value. "
            "Use kiln.ops on it to build a functional model, or pass real data."
        )
    if isinstance(x, (list, tuple)):
        return _convert_sequence(x, dtype)
    if isinstance(x, np.ndarray) or np.isscalar(x) or hasattr(x, "__array__"):
        value = tf.constant(np.asarray(x))
        return value if dtype is None else convert_to_tensor(value, dtype)
    return tf.convert_to_tensor(x) if dtype is None else tf.convert_to_tensor(x, tf_dtype(dtype))


def convert_to_numpy(x):
    """Return ``x`` as a NumPy array (eager values only).

    Example:
        >>> convert_to_numpy(tf.constant([1, 2])).tolist()
        [1, 2]
    """
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, KerasVariable):
        x = x.value
    if isinstance(x, tf.SparseTensor):
        x = tf.sparse.to_dense(x)
    elif isinstance(x, tf.RaggedTensor):
        x = x.to_tensor()
    if isinstance(x, (tf.Tensor, tf.Variable)):
        if not isinstance(x, (_EagerTensor, tf.Variable)):
            raise ValueError(
                "convert_to_numpy: the tensor is symbolic (inside tf.function or a trace) "
                "and has no value yet."
            )
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return np.asarray([convert_to_numpy(i) for i in x])
    return np.asarray(x)


def is_tensor(x):
    """True for native TensorFlow tensors (dense, sparse, ragged).

    Example:
        >>> is_tensor(tf.constant(1)), is_tensor(np.ones(2))
        (True, False)
    """
    return isinstance(x, (tf.Tensor, tf.SparseTensor, tf.RaggedTensor))


def shape(x):
    """Shape as a tuple; unknown dims (graph mode) are scalar int32 tensors.

    Example:
        >>> shape(tf.zeros((2, 3)))
        (2, 3)
    """
    if not isinstance(x, (tf.Tensor, tf.Variable, tf.SparseTensor, tf.RaggedTensor)):
        x = convert_to_tensor(x)
    static = tuple(x.shape)
    if None not in static:
        return static
    if isinstance(x, tf.RaggedTensor):
        return static
    dynamic = tf.shape(x) if not isinstance(x, tf.SparseTensor) else \
        tf.cast(x.dense_shape, tf.int32)
    return tuple(dynamic[i] if d is None else d for i, d in enumerate(static))


def cast(x, dtype):
    """Cast ``x`` to ``dtype``.

    Example:
        >>> cast([1.7, -1.7], "int32").numpy().tolist()
        [1, -1]
    """
    dtype = tf_dtype(dtype)
    if isinstance(x, tf.Tensor):
        return x if x.dtype is dtype else tf.cast(x, dtype)
    x = convert_to_tensor(x)
    if isinstance(x, tf.SparseTensor):
        return tf.SparseTensor(x.indices, tf.cast(x.values, dtype), x.dense_shape)
    return x if x.dtype is dtype else tf.cast(x, dtype)


def stop_gradient(variable):
    """Return ``variable`` treated as a constant for differentiation."""
    return tf.stop_gradient(convert_to_tensor(variable))


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``; a ``tf.cond`` in graph mode.

    Example:
        >>> int(cond(tf.constant(True), lambda: 1, lambda: 2))
        1
    """
    if isinstance(pred, (bool, np.bool_)):
        return true_fn() if pred else false_fn()
    pred = convert_to_tensor(pred)
    if pred.dtype is not tf.bool:
        pred = tf.cast(pred, tf.bool)
    return tf.cond(pred, true_fn, false_fn)


def compute_output_spec(fn, *args, **kwargs):
    """Trace ``fn`` on placeholders for every KerasTensor and describe its outputs.

    The trace runs in a scratch TF graph with ``tf.compat.v1.placeholder``s, so
    unknown (None) dimensions stay unknown in the results.

    Example:
        >>> out = compute_output_spec(lambda x: tf.reduce_sum(x, 0), KerasTensor((None, 3)))
        >>> out.shape, out.dtype
        ((3,), 'float32')
    """
    from kiln import tree

    def to_placeholder(leaf):
        if isinstance(leaf, KerasTensor):
            return tf.compat.v1.placeholder(shape=leaf.shape, dtype=TF_DTYPES[leaf.dtype])
        return leaf

    def to_spec(leaf):
        if isinstance(leaf, tf.SparseTensor):
            return KerasTensor(tuple(leaf.shape), leaf.dtype.name, sparse=True)
        if isinstance(leaf, tf.RaggedTensor):
            return KerasTensor(tuple(leaf.shape), leaf.dtype.name, ragged=True)
        if isinstance(leaf, (tf.Tensor, tf.Variable)):
            return KerasTensor(tuple(leaf.shape), leaf.dtype.name)
        if isinstance(leaf, KerasVariable):
            return KerasTensor(leaf.shape, leaf.dtype)
        return leaf

    graph = tf.__internal__.FuncGraph("kiln_compute_output_spec")
    with graph.as_default(), SymbolicScope():
        args, kwargs = tree.map_structure(to_placeholder, (args, kwargs))
        outputs = fn(*args, **kwargs)
        return tree.map_structure(to_spec, outputs)


def device_scope(device_name):
    """Context manager placing ops on ``device_name`` (e.g. ``"cpu:0"``, ``"gpu:1"``).

    Example:
        >>> with device_scope("cpu:0"):
        ...     _ = tf.ones(1)
    """
    if not isinstance(device_name, str):
        raise ValueError(f"device_scope: expected a device name string, received {device_name!r}")
    name = device_name
    if not name.startswith("/"):
        kind, _, index = name.partition(":")
        name = f"/{kind.upper()}:{index or 0}"
    return tf.device(name)


def random_seed_dtype():
    """Dtype of the seed tensors random ops take: ``"int64"``."""
    return "int64"


def scatter(indices, values, shape):
    """Tensor of ``shape``, zeros except ``values`` at ``indices`` (duplicates add up).

    Example:
        >>> scatter([[0], [2]], [1.0, 2.0], (3,)).numpy().tolist()
        [1.0, 0.0, 2.0]
    """
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, tf.int32)
    values = convert_to_tensor(values)
    return tf.scatter_nd(indices, values, _shape_arg(shape))


def _shape_arg(shape_value):
    if isinstance(shape_value, (int, np.integer)):
        return [int(shape_value)]
    if isinstance(shape_value, (list, tuple)):
        if any(isinstance(d, tf.Tensor) for d in shape_value):
            return tf.stack([tf.cast(d, tf.int32) for d in shape_value])
        return [int(d) for d in shape_value]
    return tf.cast(convert_to_tensor(shape_value), tf.int32)


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` starting at ``start_indices`` with size ``shape``.

    Example:
        >>> slice(tf.range(5), (1,), (3,)).numpy().tolist()
        [1, 2, 3]
    """
    inputs = convert_to_tensor(inputs)
    if isinstance(start_indices, (list, tuple)) and any(isinstance(s, tf.Tensor) for s in start_indices):
        start_indices = tf.stack([tf.cast(s, tf.int32) for s in start_indices])
    return tf.slice(inputs, start_indices, _shape_arg(shape))


# --- indexing ------------------------------------------------------------------------

def _is_basic_index(k):
    if k is None or k is Ellipsis or isinstance(k, (int, np.integer, builtin_slice)):
        return True
    if isinstance(k, tf.Tensor) and k.shape.rank == 0 and k.dtype.is_integer:
        return True
    return False


builtin_slice = type(np.s_[0:1])


def _as_index_array(k):
    """Advanced index -> (int tensor or bool tensor)."""
    if isinstance(k, (tf.Tensor, tf.Variable, KerasVariable)):
        return convert_to_tensor(k)
    array = np.asarray(k)
    if array.dtype.kind == "b":
        return tf.constant(array)
    if array.dtype.kind not in "iu":
        raise IndexError(
            f"get_item: index arrays must hold integers or booleans, received dtype {array.dtype}"
        )
    return tf.constant(array.astype(np.int64 if array.size and np.abs(array).max() > 2**31 - 1
                                     else np.int32))


def get_item(x, key):
    """``x[key]`` with NumPy semantics: ints, slices, None, Ellipsis, int/bool arrays.

    Example:
        >>> get_item(tf.reshape(tf.range(6), (2, 3)), np.s_[:, [0, 2]]).numpy().tolist()
        [[0, 2], [3, 5]]
    """
    x = convert_to_tensor(x)
    if not isinstance(key, tuple):
        key = (key,)
    if all(_is_basic_index(k) for k in key):
        return x[key]
    # Advanced indexing: turn boolean masks into integer index arrays, expand the
    # Ellipsis, apply the basic part, then gather the advanced dims at once.
    items = []
    for k in key:
        if _is_basic_index(k):
            items.append(k)
            continue
        k = _as_index_array(k)
        if k.dtype is tf.bool:
            if k.shape.rank == 0:
                raise IndexError("get_item: a scalar boolean index is not supported")
            coords = tf.where(k)
            for d in range(k.shape.rank):
                items.append(("adv", tf.cast(coords[:, d], tf.int32)))
        else:
            items.append(("adv", k))
    consumed = sum(1 for k in items if k is not None and k is not Ellipsis)
    rank = x.shape.rank
    if rank is None:
        raise IndexError("get_item: advanced indexing needs a tensor of known rank")
    if consumed > rank:
        raise IndexError(f"get_item: too many indices ({consumed}) for a tensor of rank {rank}")
    if Ellipsis in [k for k in items if not isinstance(k, tuple)]:
        pos = next(i for i, k in enumerate(items) if k is Ellipsis)
        items = items[:pos] + [builtin_slice(None)] * (rank - consumed) + items[pos + 1:]
    else:
        items = items + [builtin_slice(None)] * (rank - consumed)
    # Any Python/scalar int becomes an advanced index when arrays are present.
    items = [("adv", tf.constant(k, tf.int32)) if isinstance(k, (int, np.integer)) else
             ("adv", k) if isinstance(k, tf.Tensor) else k for k in items]
    basic = tuple(builtin_slice(None) if isinstance(k, tuple) else k for k in items)
    y = x[basic]
    # Dims of y that correspond to advanced entries.
    adv_dims, adv_arrays, dim = [], [], 0
    item_positions = []
    for i, k in enumerate(items):
        if isinstance(k, tuple):
            adv_dims.append(dim)
            adv_arrays.append(k[1])
            item_positions.append(i)
        dim += 1  # every item (slice, None, adv) maps to one dim of y
    y_shape = shape(y)
    fixed = []
    for d, idx in zip(adv_dims, adv_arrays):
        if not idx.dtype.is_integer:
            raise IndexError(f"get_item: index arrays must be integers, received {idx.dtype.name}")
        idx = tf.cast(idx, tf.int64) if idx.dtype is not tf.int32 else idx
        size = tf.cast(y_shape[d], idx.dtype)
        fixed.append(tf.where(idx < 0, idx + size, idx))
    common = fixed[0].dtype if all(f.dtype == fixed[0].dtype for f in fixed) else tf.int64
    fixed = [tf.cast(f, common) for f in fixed]
    bshape = tf.shape(fixed[0])
    for f in fixed[1:]:
        bshape = tf.broadcast_dynamic_shape(bshape, tf.shape(f))
    stacked = tf.stack([tf.broadcast_to(f, bshape) for f in fixed], axis=-1)
    rest = [d for d in range(len(items)) if d not in adv_dims]
    y = tf.transpose(y, adv_dims + rest)
    out = tf.gather_nd(y, stacked)
    contiguous = item_positions == list(range(item_positions[0], item_positions[-1] + 1))
    if contiguous and adv_dims[0] > 0:
        nb = out.shape.rank - len(rest)
        first = adv_dims[0]
        perm = list(range(nb, nb + first)) + list(range(nb)) + list(range(nb + first, out.shape.rank))
        out = tf.transpose(out, perm)
    return out



# --- control flow, transforms and updates (graph-safe: tf.while_loop, tf.switch_case) ---

def saturate_cast(x, dtype):
    """``tf.dtypes.saturate_cast``: clip to the range of ``dtype``, then cast.

    Example:
        >>> saturate_cast(tf.constant([-1.0, 300.0]), "uint8").numpy().tolist()
        [0, 255]
    """
    x = convert_to_tensor(x)
    target = tf_dtype(dtype)
    if x.dtype == target:
        return x
    if x.dtype.is_bool or target.is_bool:
        return tf.cast(x, target)
    return tf.dtypes.saturate_cast(x, target)


def _flat_positions(indices, leading_shape):
    """Row-major position of each index row within the leading (indexed) axes."""
    indices = tf.cast(indices, tf.int64)
    depth = indices.shape[-1]
    strides = [1] * depth
    for i in range(depth - 2, -1, -1):
        strides[i] = strides[i + 1] * leading_shape[i + 1]
    return tf.reduce_sum(tf.reshape(indices, (-1, depth)) * tf.cast(tf.stack(strides), tf.int64), -1)


_SCATTER_ND = {None: tf.tensor_scatter_nd_update, "add": tf.tensor_scatter_nd_add,
               "max": tf.tensor_scatter_nd_max, "min": tf.tensor_scatter_nd_min}


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of ``inputs`` with ``updates`` written (or combined by ``reduction``) at ``indices``.

    Example:
        >>> scatter_update(tf.zeros(3), [[2]], [5.0]).numpy().tolist()
        [0.0, 0.0, 5.0]
    """
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, tf.int32)
    updates = convert_to_tensor(updates, inputs.dtype)
    if reduction in _SCATTER_ND:
        return _SCATTER_ND[reduction](inputs, indices, updates)
    if reduction != "mul":
        raise ValueError(f"scatter_update: reduction must be one of None, 'add', 'mul', 'max', "
                         f"'min'; received {reduction!r}")
    # Products per addressed position (1 where nothing is addressed), then one multiply.
    full = shape(inputs)
    depth = indices.shape[-1]
    count = 1
    for d in full[:depth]:
        count = count * d
    rest = list(full[depth:])
    positions = _flat_positions(indices, full[:depth])
    products = tf.math.unsorted_segment_prod(tf.reshape(updates, [-1] + rest), positions, count)
    return tf.reshape(tf.reshape(inputs, [-1] + rest) * products, tf.shape(inputs))


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    Starts are clamped so that the block fits (as ``lax.dynamic_update_slice``).

    Example:
        >>> slice_update(tf.zeros(4), [1], tf.ones(2)).numpy().tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype)
    rank = inputs.shape.rank
    if isinstance(start_indices, (list, tuple)):
        starts = tf.stack([tf.cast(convert_to_tensor(s), tf.int32) for s in start_indices])
    else:
        starts = tf.reshape(tf.cast(convert_to_tensor(start_indices), tf.int32), (-1,))
    if starts.shape[0] != rank or updates.shape.rank != rank:
        raise ValueError(f"slice_update: start_indices and updates need {rank} axes (the rank of "
                         f"inputs), received {starts.shape[0]} and {updates.shape.rank}")
    block = tf.shape(updates)
    starts = tf.clip_by_value(starts, 0, tf.shape(inputs) - block)
    grids = tf.meshgrid(*[tf.range(block[i]) + starts[i] for i in range(rank)], indexing="ij")
    coords = tf.stack(grids, axis=-1)
    return tf.tensor_scatter_nd_update(inputs, tf.reshape(coords, (-1, rank)), tf.reshape(updates, (-1,)))


def switch(index, branches, *operands):
    """``branches[index](*operands)``; a ``tf.switch_case`` (index clamped) on tensors."""
    if isinstance(index, (int, np.integer)):
        return branches[min(max(int(index), 0), len(branches) - 1)](*operands)
    index = tf.clip_by_value(tf.cast(convert_to_tensor(index), tf.int32), 0, len(branches) - 1)
    return tf.switch_case(index, [lambda b=b: b(*operands) for b in branches])


def _tensors(structure):
    return tree.map_structure(lambda v: v if v is None else convert_to_tensor(v), structure)


def _same_types(new, old):
    return tree.map_structure(lambda n, o: convert_to_tensor(n, o.dtype), new, old)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """``tf.while_loop``: repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``."""
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = _tensors(tuple(loop_vars) if is_sequence else (loop_vars,))

    def step(*s):
        out = body(*s)
        return _same_types(tuple(out) if is_sequence else (out,), s)

    def keep_going(*s):
        return tf.reshape(tf.cast(cond(*s), tf.bool), ())

    out = tf.while_loop(keep_going, step, state, maximum_iterations=maximum_iterations)
    out = tuple(out)
    if not is_sequence:
        return out[0]
    return type(loop_vars)(out) if type(loop_vars) in (list, tuple) else out


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)`` (a ``tf.while_loop``)."""
    init_val = _tensors(init_val)
    lower = tf.cast(convert_to_tensor(lower), tf.int32)
    upper = tf.cast(convert_to_tensor(upper), tf.int32)
    flat = tree.flatten(init_val)

    def step(i, *vals):
        out = body_fun(i, tree.pack_sequence_as(init_val, vals))
        return (i + 1,) + tuple(tree.flatten(_same_types(out, init_val)))

    out = tf.while_loop(lambda i, *vals: i < upper, step, (lower,) + tuple(flat))
    return tree.pack_sequence_as(init_val, out[1:])


def _trace_outputs(fn, *args):
    """The outputs of ``fn`` traced on specs of ``args`` in a scratch graph (shapes, dtypes, structure)."""
    specs = tree.map_structure(lambda t: None if t is None else tf.TensorSpec(t.shape, t.dtype), args)
    return tf.function(fn, autograph=False).get_concrete_function(*specs).structured_outputs


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs`` in a ``tf.while_loop``.

    The ``y``s go to TensorArrays (their structure is found by tracing ``f``
    once in a scratch graph); the loop is differentiable.
    """
    if xs is None and length is None:
        raise ValueError("scan: give `xs`, `length`, or both")
    init = _tensors(init)
    flat_xs = [] if xs is None else [convert_to_tensor(x) for x in tree.flatten(xs)]
    if length is not None:
        n = length
    else:
        n = flat_xs[0].shape[0]
        if n is None:
            n = tf.shape(flat_xs[0])[0]

    def element(i):
        return None if xs is None else tree.pack_sequence_as(xs, [x[i] for x in flat_xs])

    probe = None if xs is None else tree.pack_sequence_as(xs, [x[0] for x in flat_xs])
    y_spec = _trace_outputs(lambda c, x: f(c, x)[1], init, probe)
    flat_y_spec = tree.flatten(y_spec)
    arrays = [None if s is None else tf.TensorArray(s.dtype, size=n, element_shape=s.shape)
              for s in flat_y_spec]
    flat_carry = tree.flatten(init)

    def step(t, carry, arrays):
        i = n - 1 - t if reverse else t
        new_carry, y = f(tree.pack_sequence_as(init, carry), element(i))
        new_carry = tree.flatten(_same_types(new_carry, init))
        arrays = [a if a is None else a.write(i, v) for a, v in zip(arrays, tree.flatten(y))]
        return t + 1, new_carry, arrays

    live = [a for a in arrays if a is not None]

    def body(t, carry, live_arrays):
        it = iter(live_arrays)
        full = [None if a is None else next(it) for a in arrays]
        t, carry, full = step(t, carry, full)
        return t, carry, [a for a in full if a is not None]

    _, carry, live = tf.while_loop(lambda t, c, a: t < n, body, (tf.constant(0), flat_carry, live),
                                   maximum_iterations=n if isinstance(n, int) else None,
                                   parallel_iterations=unroll if isinstance(unroll, int) and unroll > 1 else 1)
    it = iter(live)
    ys = [None if a is None else next(it).stack() for a in arrays]
    return tree.pack_sequence_as(init, carry), tree.pack_sequence_as(y_spec, ys)


def map(f, xs):  # noqa: A001 - public op name
    """``f`` applied to each slice of ``xs`` along axis 0, results stacked (a ``tf.while_loop``)."""
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    """``tf.vectorized_map(function, elements)`` (falls back to a loop for unsupported ops)."""
    return tf.vectorized_map(function, _tensors(elements))


_SCAN_PRIMITIVES = ScanPrimitives(lambda x, order, axis: tf.gather(x, order, axis=axis),
                                  lambda xs, axis: tf.concat(xs, axis=axis),
                                  lambda x, axis: tf.reverse(x, [axis]), convert_to_tensor)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` along ``axis`` with the associative binary ``f``.

    Example:
        >>> associative_scan(lambda a, b: a + b, tf.range(1.0, 5.0)).numpy().tolist()
        [1.0, 3.0, 6.0, 10.0]
    """
    return associative_scan_by_halving(f, elems, reverse, axis, _SCAN_PRIMITIVES)


def custom_gradient(f):
    """``tf.custom_gradient``: ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` gives the input grads.

    Variables read inside ``f`` get no gradient through it (only the arguments do).

    Example:
        >>> h = custom_gradient(lambda x: (x * 2, lambda up: up * 0.5))
        >>> x = tf.ones(2)
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = tf.reduce_sum(h(x))
        >>> tape.gradient(y, x).numpy().tolist()
        [0.5, 0.5]
    """
    import functools

    @functools.wraps(f)
    def forward(*args):
        output, grad_fn = f(*args)

        def grad(*upstream, variables=None):
            # Upstream gradients may arrive as IndexedSlices (from gathers): make them dense.
            upstream = [tf.convert_to_tensor(u) if isinstance(u, tf.IndexedSlices) else u
                        for u in upstream]
            grads = grad_fn(upstream[0] if len(upstream) == 1 else tuple(upstream))
            if variables:
                return grads, [None] * len(variables)
            return grads

        return output, grad

    return tf.custom_gradient(forward)


def _static_broadcast(shapes):
    """Broadcast static shapes whose dims may be None (unknown)."""
    rank = max((len(shape) for shape in shapes), default=0)
    out = []
    for axis in range(rank):
        dims = [shape[axis - rank + len(shape)] for shape in shapes if axis - rank + len(shape) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"vectorize: loop dimensions {shapes} cannot be broadcast together")
        out.append(known.pop() if known else (1 if all(d == 1 for d in dims) else None))
    return out


def vectorize(pyfunc, excluded=None, signature=None):
    """``numpy.vectorize``-style broadcasting of ``pyfunc``, batched with ``tf.vectorized_map``.

    Loop dimensions of the vectorized arguments are broadcast together and
    flattened into one batch axis (with dynamic shapes, so unknown dimensions
    inside ``tf.function`` work), mapped over once, and restored afterwards.

    Example:
        >>> vectorize(lambda a, b: a * b)(tf.ones((2, 1)), tf.range(3.0)).shape
        TensorShape([2, 3])
    """

    def run(values, cores, call):
        if any(v.shape.rank < c for v, c in zip(values, cores)):
            raise ValueError(f"vectorize: an input has fewer dimensions than its core dimensions "
                             f"({[tuple(v.shape) for v in values]} vs {cores})")
        splits = [v.shape.rank - c for v, c in zip(values, cores)]
        static_loop = _static_broadcast([tuple(v.shape)[:n] for v, n in zip(values, splits)])
        if not static_loop:
            return call(values)
        loop = tf.shape(values[0])[:splits[0]]
        for v, n in zip(values[1:], splits[1:]):
            loop = tf.broadcast_dynamic_shape(loop, tf.shape(v)[:n])
        batch = tf.reduce_prod(loop, keepdims=True)
        flat = [tf.reshape(tf.broadcast_to(v, tf.concat([loop, tf.shape(v)[n:]], 0)),
                           tf.concat([batch, tf.shape(v)[n:]], 0)) for v, n in zip(values, splits)]
        out = vectorized_map(call, tuple(flat))

        def restore(o):
            result = tf.reshape(o, tf.concat([loop, tf.shape(o)[1:]], 0))
            result.set_shape(static_loop + list(o.shape[1:]))
            return result

        return tree.map_structure(restore, out)

    return vectorized_function(pyfunc, excluded, signature, convert_to_tensor, run)
