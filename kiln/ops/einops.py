"""Einstein-notation array rearrangement (``kiln.ops.rearrange``), in the style of einops.

A pattern ``"<input axes> -> <output axes>"`` names every axis of the input
and says where it goes. Parentheses group axes: ``(h w)`` on the left splits
one axis into ``h`` and ``w`` (sizes from ``axes_lengths``, one may be
inferred); on the right it merges them. ``...`` stands for the axes not
named, ``()`` or ``1`` for a size-1 axis. Built on ``reshape`` and
``transpose``.

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.ops.rearrange(kiln.ops.zeros((2, 3)), "a b -> b a"))
    (3, 2)
"""

import re

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.numpy import _dtype, reshape, transpose
from kiln.ops.operation import op

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\.\.\.|\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
_ELLIPSIS = "..."


def _error(pattern, message):
    return ValueError(f"rearrange: {message} (pattern {pattern!r})")


def _parse_side(side, pattern):
    """Parse one side into a list of groups; each group is a list of axis names.

    A bare name is a group of one; ``()`` and ``1`` are empty groups (size 1).
    A bare ``...`` stays the string ``"..."`` (it keeps its axes apart); inside
    parentheses it is a name in the group (its axes are merged).
    """
    groups = []
    current = None
    for token in _TOKEN.findall(side):
        if token == "(":
            if current is not None:
                raise _error(pattern, "nested parentheses are not allowed")
            current = []
        elif token == ")":
            if current is None:
                raise _error(pattern, "unbalanced ')'")
            groups.append(current)
            current = None
        elif token == _ELLIPSIS or token[0].isalpha() or token[0] == "_":
            if current is None:
                groups.append(token if token == _ELLIPSIS else [token])
            else:
                current.append(token)
        elif token.isdigit():
            if token != "1":
                raise _error(pattern, f"only the anonymous size 1 is allowed, received {token!r}")
            if current is None:
                groups.append([])
        else:
            raise _error(pattern, f"unexpected character {token!r}")
    if current is not None:
        raise _error(pattern, "unbalanced '('")
    names = [n for g in groups for n in ([g] if g == _ELLIPSIS else g)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _error(pattern, f"axes {duplicates} appear more than once on one side")
    return groups


def _plan(shape, pattern, axes_lengths):
    """Work out ``(split_shape, permutation, output_shape)`` for a static shape (None = unknown)."""
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"rearrange: pattern must be a string 'left -> right', received {pattern!r}")
    left_text, right_text = pattern.split("->")
    left, right = _parse_side(left_text, pattern), _parse_side(right_text, pattern)
    for name, value in axes_lengths.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"rearrange: axes_lengths[{name!r}] must be a positive int, received {value!r}")

    # Match the left groups with the input axes; the ellipsis takes what is left over.
    has_ellipsis = _ELLIPSIS in left
    fixed = len(left) - (1 if has_ellipsis else 0)
    if (has_ellipsis and len(shape) < fixed) or (not has_ellipsis and len(shape) != fixed):
        raise _error(pattern, f"the input has rank {len(shape)} but the left side names {len(left)} axes")
    ell_rank = len(shape) - fixed
    ell_names = [f"...{i}" for i in range(ell_rank)]

    sizes = {}
    split_names = []
    position = 0
    for group in left:
        if group == _ELLIPSIS:
            for name in ell_names:
                sizes[name] = shape[position]
                split_names.append(name)
                position += 1
            continue
        if _ELLIPSIS in group:
            raise _error(pattern, "'...' cannot be inside parentheses on the left side")
        dim = shape[position]
        position += 1
        known = 1
        unknown = []
        for name in group:
            if name in axes_lengths:
                known *= axes_lengths[name]
            else:
                unknown.append(name)
        if len(group) == 1 and not unknown:
            if dim is not None and dim != known:
                raise _error(pattern, f"axis {group[0]!r} has size {dim}, not {known}")
            sizes[group[0]] = known
        elif len(group) == 1:
            sizes[group[0]] = dim
        else:
            if len(unknown) > 1:
                raise _error(pattern, f"cannot infer the sizes of {unknown}; pass them as axes_lengths")
            if unknown:
                if dim is None:
                    sizes[unknown[0]] = None
                elif dim % known:
                    raise _error(pattern, f"an axis of size {dim} cannot be split into {group}")
                else:
                    sizes[unknown[0]] = dim // known
            elif dim is not None and dim != known:
                raise _error(pattern, f"an axis of size {dim} cannot be split into {group} of sizes "
                                      f"{[axes_lengths[n] for n in group]}")
            for name in group:
                if name in axes_lengths:
                    sizes[name] = axes_lengths[name]
        split_names.extend(group)
        if not group and dim not in (1, None):
            raise _error(pattern, f"an anonymous axis must have size 1, received {dim}")

    # The right side must use exactly the left side's axes.
    right_names = []
    out_shape = []
    for group in right:
        if group == _ELLIPSIS:
            for name in ell_names:
                right_names.append(name)
                out_shape.append(sizes.get(name))
            continue
        members = []
        for name in group:
            members.extend(ell_names if name == _ELLIPSIS else [name])
        right_names.extend(members)
        total = 1
        for name in members:
            total = None if total is None or sizes.get(name) is None else total * sizes[name]
        out_shape.append(total)
    missing = sorted(set(split_names) - set(right_names))
    extra = sorted(set(right_names) - set(split_names))
    if missing or extra:
        raise _error(pattern, f"both sides must name the same axes; only on the left: {missing}, "
                              f"only on the right: {extra}")
    split_shape = tuple(sizes[n] for n in split_names)
    permutation = tuple(split_names.index(n) for n in right_names)
    return split_shape, permutation, tuple(out_shape)


def _rearrange_spec(tensor, pattern, **axes_lengths):
    shape = rules.shape_of(tensor)
    _, _, out_shape = _plan(shape, pattern, axes_lengths)
    return KerasTensor(out_shape, _dtype(tensor))


def _reshape_target(shape):
    """``shape`` for reshape: one unknown dimension becomes -1 (more is an error)."""
    unknown = sum(d is None for d in shape)
    if unknown > 1:
        raise ValueError(f"rearrange: cannot reshape to {shape} with more than one unknown dimension")
    return tuple(-1 if d is None else d for d in shape)


@op(_rearrange_spec, module="einops")
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, split and merge axes as described by an einops-style ``pattern``.

    Args:
        tensor: the input tensor.
        pattern: ``"<input axes> -> <output axes>"``, e.g. ``"b (h w) c -> b h w c"``.
        **axes_lengths: sizes of axes that cannot be inferred from the input.

    Example:
        >>> import kiln
        >>> x = kiln.ops.reshape(kiln.ops.arange(6), (2, 3))
        >>> kiln.ops.convert_to_numpy(kiln.ops.rearrange(x, "a b -> (b a)")).tolist()
        [0, 3, 1, 4, 2, 5]
        >>> kiln.ops.shape(kiln.ops.rearrange(kiln.ops.zeros((2, 12)), "b (h w) -> b h w", h=3))
        (2, 3, 4)
    """
    from kiln.ops.core import shape as _shape

    # Unknown sizes (None, or a traced size tensor) count as unknown.
    shape = tuple(d if isinstance(d, int) else None for d in _shape(tensor))
    split_shape, permutation, out_shape = _plan(shape, pattern, axes_lengths)
    x = tensor
    if split_shape != shape:
        x = reshape(x, _reshape_target(split_shape))
    if permutation != tuple(range(len(permutation))):
        x = transpose(x, permutation)
    if out_shape != split_shape:
        x = reshape(x, _reshape_target(out_shape))
    elif x is tensor:
        x = reshape(x, _reshape_target(out_shape))
    return x

