"""Backend-neutral pieces of the control-flow ops, shared by the backends' ``core`` modules.

Nothing here imports a framework. Functions that need tensor operations take a
backend's primitives as arguments (``take``, ``concat``, ``flip``, ``reshape``,
``broadcast_to``, ``to_tensor``, a batch ``map``), so the same algorithm runs
on NumPy, torch and TensorFlow tensors; the rest works on dtype names, shapes
and strings.

Example:
    >>> import numpy as np
    >>> saturate_cast_bounds("int32", "int8")
    (-128, 127)
    >>> parse_gufunc_signature("(m,n),(n)->(m)")
    ([('m', 'n'), ('n',)], [('m',)])
    >>> ops = ScanPrimitives(lambda x, order, axis: np.take(x, order, axis=axis),
    ...                      lambda xs, axis: np.concatenate(xs, axis=axis), np.flip, np.asarray)
    >>> associative_scan_by_halving(lambda a, b: a + b, np.arange(1, 6), False, 0, ops).tolist()
    [1, 3, 6, 10, 15]
"""

import functools
import math
import re

import ml_dtypes
import numpy as np

from kiln import tree


# ---------------------------------------------------------------- saturate_cast

def _numpy_dtype(name):
    return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


def _range_info(name):
    return np.iinfo(name) if "int" in name else ml_dtypes.finfo(name)


def saturate_cast_bounds(src, dst):
    """``(low, high)`` in dtype ``src`` such that clipping to them and casting to ``dst`` stays in range.

    Both are Kiln dtype names. The bounds are values of ``src`` (so the clip
    itself is exact) that lie inside ``dst``'s range; where rounding into
    ``src`` would step outside it they move one representable step towards
    zero. None when no clipping is needed (same dtype, bool or complex).

    Example:
        >>> saturate_cast_bounds("int32", "int8")
        (-128, 127)
        >>> saturate_cast_bounds("float32", "uint8")
        (0.0, 255.0)
        >>> saturate_cast_bounds("float32", "int32")  # 2**31 - 1 rounds up to 2**31 in float32
        (-2147483648.0, 2147483520.0)
        >>> saturate_cast_bounds("int64", "float16")
        (-65504, 65504)
        >>> saturate_cast_bounds("bool", "int8") is None
        True
    """
    if src == dst or "bool" in (src, dst) or src.startswith("complex") or dst.startswith("complex"):
        return None
    src_np = _numpy_dtype(src)
    # Python ints and floats compare exactly with each other (NumPy would round int64 to float64).
    dst_is_int = "int" in dst
    lo_dst = int(_range_info(dst).min) if dst_is_int else float(_range_info(dst).min)
    hi_dst = int(_range_info(dst).max) if dst_is_int else float(_range_info(dst).max)
    if "int" in src:  # integer bounds are exact Python ints
        return (max(int(_range_info(src).min), math.ceil(lo_dst)),
                min(int(_range_info(src).max), math.floor(hi_dst)))
    lo = np.asarray(max(float(_range_info(src).min), float(lo_dst))).astype(src_np)
    hi = np.asarray(min(float(_range_info(src).max), float(hi_dst))).astype(src_np)
    # Rounding into ``src`` may step outside ``dst``'s range: move back towards zero.
    while float(hi) > hi_dst:
        hi = np.nextafter(hi, np.zeros((), src_np))
    while float(lo) < lo_dst:
        lo = np.nextafter(lo, np.zeros((), src_np))
    return lo.item(), hi.item()


# ---------------------------------------------------------------- associative_scan

class ScanPrimitives:
    """The four tensor operations :func:`associative_scan_by_halving` needs from a backend.

    ``take(x, order, axis)`` gathers the positions ``order`` (a list of ints)
    along ``axis``; ``concat(xs, axis)`` joins tensors along ``axis``;
    ``flip(x, axis)`` reverses ``axis``; ``to_tensor(x)`` converts an input or
    an output of the combining function.

    Example:
        >>> p = ScanPrimitives(lambda x, order, axis: np.take(x, order, axis=axis),
        ...                    lambda xs, axis: np.concatenate(xs, axis=axis), np.flip, np.asarray)
        >>> p.take(np.arange(4), [3, 0], 0).tolist()
        [3, 0]
    """

    __slots__ = ("take", "concat", "flip", "to_tensor")

    def __init__(self, take, concat, flip, to_tensor):
        self.take = take
        self.concat = concat
        self.flip = flip
        self.to_tensor = to_tensor


def associative_scan_by_halving(f, elems, reverse, axis, ops):
    """Inclusive scan of ``elems`` along ``axis`` with the associative ``f``, in O(log n) batched calls of ``f``.

    ``elems`` is a tensor or a nested structure of tensors that share the size
    along ``axis``; ``f(a, b)`` combines two such structures element-wise.
    Neighbours are paired and combined in one call, the pair results are
    scanned recursively (they give the odd positions), the even positions are
    derived from them in one more call, and both are interleaved. ``ops`` is
    the backend's :class:`ScanPrimitives`.

    Example:
        >>> ops = ScanPrimitives(lambda x, order, axis: np.take(x, order, axis=axis),
        ...                      lambda xs, axis: np.concatenate(xs, axis=axis), np.flip, np.asarray)
        >>> x = np.arange(1, 6)
        >>> associative_scan_by_halving(lambda a, b: a + b, x, False, 0, ops).tolist()
        [1, 3, 6, 10, 15]
        >>> associative_scan_by_halving(lambda a, b: a * b, x, True, -1, ops).tolist()
        [120, 120, 60, 20, 5]
    """
    take, concat, flip, to_tensor = ops.take, ops.concat, ops.flip, ops.to_tensor
    flat = [to_tensor(e) for e in tree.flatten(elems)]
    ndim = len(flat[0].shape)
    axis = axis + ndim if axis < 0 else axis
    if not 0 <= axis < ndim:
        raise ValueError(f"associative_scan: axis {axis} is out of range for rank {ndim}")
    if len({int(x.shape[axis]) for x in flat}) != 1:
        raise ValueError("associative_scan: every input needs the same size along axis "
                         f"{axis}, received {[tuple(x.shape) for x in flat]}")

    def part(xs, start, stop=None, step=2):
        key = (slice(None),) * axis + (slice(start, stop, step),)
        return [x[key] for x in xs]

    def combine(a, b):
        out = f(tree.pack_sequence_as(elems, a), tree.pack_sequence_as(elems, b))
        return [to_tensor(o) for o in tree.flatten(out)]

    def prefix(xs):
        n = int(xs[0].shape[axis])
        if n < 2:
            return xs
        evens, odds = part(xs, 0), part(xs, 1)
        half = n // 2
        odd_out = prefix(combine(part(evens, 0, half, 1), odds))
        n_even = n - half
        even_out = part(evens, 0, 1, 1)
        if n_even > 1:
            rest = combine(part(odd_out, 0, n_even - 1, 1), part(evens, 1, None, 1))
            even_out = [concat([a, b], axis) for a, b in zip(even_out, rest)]
        order = [0] * n  # a plain list: compilers treat it as a constant
        order[0::2] = range(n_even)
        order[1::2] = range(n_even, n)
        return [take(concat([e, o], axis), order, axis) for e, o in zip(even_out, odd_out)]

    if reverse:
        flat = [flip(x, axis) for x in flat]
    out = prefix(flat)
    if reverse:
        out = [flip(x, axis) for x in out]
    return tree.pack_sequence_as(elems, out)


# ---------------------------------------------------------------- scan

def scan_length(xs_leaves, length):
    """The number of ``scan`` steps: ``length``, else the leading size of the leaves of ``xs``.

    ``xs_leaves`` is None when ``scan`` got no ``xs``. Every leaf must have
    that leading size. Static shapes only.

    Example:
        >>> scan_length([np.zeros((3, 2)), np.zeros(3)], None)
        3
        >>> scan_length(None, 4)
        4
        >>> scan_length([np.zeros(3)], 2)
        Traceback (most recent call last):
        ValueError: scan: every leaf of xs needs leading length 2, received [(3,)]
    """
    if xs_leaves is None:
        if length is None:
            raise ValueError("scan: give `xs`, `length`, or both")
        return int(length)
    n = int(length) if length is not None else int(xs_leaves[0].shape[0])
    if any(int(leaf.shape[0]) != n for leaf in xs_leaves):
        raise ValueError(f"scan: every leaf of xs needs leading length {n}, received "
                         f"{[tuple(leaf.shape) for leaf in xs_leaves]}")
    return n


# ---------------------------------------------------------------- vectorize

def parse_gufunc_signature(signature):
    """The core dimension names of a generalized-ufunc signature: ``(inputs, outputs)``.

    Example:
        >>> parse_gufunc_signature("(m,n),(n)->(m)")
        ([('m', 'n'), ('n',)], [('m',)])
        >>> parse_gufunc_signature("(),()->()")
        ([(), ()], [()])
        >>> parse_gufunc_signature("(n)")
        Traceback (most recent call last):
        ValueError: vectorize: signature '(n)' has no '->'
    """

    def dims(part):
        groups = re.findall(r"\(([^()]*)\)", part)
        if not groups and part.strip():
            raise ValueError(f"vectorize: cannot parse signature {signature!r}")
        return [tuple(d.strip() for d in g.split(",") if d.strip()) for g in groups]

    if "->" not in signature:
        raise ValueError(f"vectorize: signature {signature!r} has no '->'")
    inputs, outputs = signature.split("->")
    return dims(inputs), dims(outputs)


def bind_vectorized_arguments(pyfunc, args, kwargs, excluded, core_inputs, signature, to_tensor):
    """Split a call of a vectorized ``pyfunc`` into the tensors it maps over and a way back.

    Returns ``(values, core_ranks, call)``: ``values`` are the arguments not in
    ``excluded`` (positions, then keywords) as tensors, ``core_ranks`` how many
    trailing dimensions of each are core dimensions (from ``core_inputs``, the
    parsed signature's inputs, or all 0 without a signature), and
    ``call(items)`` calls ``pyfunc`` with ``items`` in their places and the
    excluded arguments as given.

    Example:
        >>> values, ranks, call = bind_vectorized_arguments(
        ...     lambda a, s, b: a * s + b, (np.ones(2), 10.0, np.ones(2)), {}, {1}, None, None, np.asarray)
        >>> len(values), ranks, call([np.ones(2), np.zeros(2)]).tolist()
        (2, [0, 0], [10.0, 10.0])
    """
    positions = [i for i in range(len(args)) if i not in excluded]
    names = [k for k in kwargs if k not in excluded]
    values = [to_tensor(args[i]) for i in positions] + [to_tensor(kwargs[k]) for k in names]
    if core_inputs is not None:
        if names or len(core_inputs) != len(values):
            raise ValueError(f"vectorize: signature {signature!r} describes {len(core_inputs)} "
                             f"positional inputs, received {len(values)} vectorized arguments")
        core_ranks = [len(c) for c in core_inputs]
    else:
        core_ranks = [0] * len(values)

    def call(items):
        full, kw = list(args), dict(kwargs)
        for i, item in zip(positions, items):
            full[i] = item
        for k, item in zip(names, items[len(positions):]):
            kw[k] = item
        return pyfunc(*full, **kw)

    return values, core_ranks, call


def vectorized_function(pyfunc, excluded, signature, to_tensor, run):
    """``pyfunc`` wrapped so that each call runs ``run(values, core_ranks, call)``.

    The signature is parsed once; at every call the arguments are split by
    :func:`bind_vectorized_arguments` and ``run`` decides how to batch them
    (static or dynamic shapes, which map).

    Example:
        >>> def run(values, core_ranks, call):
        ...     return [call(items) for items in zip(*values)]
        >>> pairs = vectorized_function(lambda a, b: a + b, None, None, np.asarray, run)
        >>> [v.item() for v in pairs([1, 2], [10, 20])]
        [11, 22]
    """
    excluded = frozenset(excluded or ())
    core_in = parse_gufunc_signature(signature)[0] if signature else None

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        return run(*bind_vectorized_arguments(pyfunc, args, kwargs, excluded, core_in, signature,
                                              to_tensor))

    return wrapped


def vectorize_with_batch_map(batch_map, pyfunc, excluded, signature, to_tensor, broadcast_to, reshape):
    """``numpy.vectorize`` semantics on top of a backend's ``vectorized_map`` (static shapes).

    The loop dimensions of all vectorized arguments are broadcast together
    and flattened into one batch axis, ``batch_map(fn, tensors)`` maps over it
    once, and the loop dimensions are restored on every output.

    Example:
        >>> def batch_map(fn, xs):
        ...     return np.stack([fn([x[i] for x in xs]) for i in range(len(xs[0]))])
        >>> outer = vectorize_with_batch_map(batch_map, lambda a, b: a * b, None, None,
        ...                                  np.asarray, np.broadcast_to, np.reshape)
        >>> outer(np.arange(2.0).reshape(2, 1), np.arange(3.0)).tolist()
        [[0.0, 0.0, 0.0], [0.0, 1.0, 2.0]]
        >>> norms = vectorize_with_batch_map(batch_map, lambda v: (v * v).sum(), None, "(n)->()",
        ...                                  np.asarray, np.broadcast_to, np.reshape)
        >>> norms(np.ones((2, 3))).tolist()
        [3.0, 3.0]
    """

    def run(values, cores, call):
        loops = []
        for v, c in zip(values, cores):
            shape = tuple(int(d) for d in v.shape)
            if len(shape) < c:
                raise ValueError(f"vectorize: an input of shape {shape} has fewer than its {c} core "
                                 "dimensions")
            loops.append(shape[:len(shape) - c])
        loop = np.broadcast_shapes(*loops) if loops else ()
        batch = int(np.prod(loop, dtype=np.int64))
        flat = [reshape(broadcast_to(v, loop + tuple(v.shape)[len(v.shape) - c:]),
                        (batch,) + tuple(v.shape)[len(v.shape) - c:]) for v, c in zip(values, cores)]
        if not loop:
            return call([reshape(v, tuple(v.shape)[1:]) for v in flat])
        out = batch_map(call, tuple(flat))
        return tree.map_structure(lambda o: reshape(o, loop + tuple(o.shape)[1:]), out)

    return vectorized_function(pyfunc, excluded, signature, to_tensor, run)
