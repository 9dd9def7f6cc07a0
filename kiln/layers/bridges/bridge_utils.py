"""Helpers shared by the framework bridges: backend checks and shape tracing on real zeros.

Example:
    >>> merge_traced_shapes([(2, 5), (3, 5)])
    (None, 5)
"""

import base64
import re

from kiln import config, tree
from kiln.backend.common.keras_tensor import KerasTensor


def require_backend(owner, *backends):
    """Raise ValueError unless the active backend is one of ``backends``."""
    active = config.backend()
    if active not in backends:
        names = " or ".join(repr(b) for b in backends)
        raise ValueError(
            f"{owner} only works with the {names} backend (set KILN_BACKEND); the active backend "
            f"is {active!r}")


def merge_traced_shapes(shapes):
    """Dimensions that agree across traces with different stand-in sizes; the rest become None.

    Example:
        >>> merge_traced_shapes([(4, 3)])
        (4, 3)
    """
    first = tuple(shapes[0])
    return tuple(d if all(s[i] == d for s in shapes) else None for i, d in enumerate(first))


def trace_sizes(structure):
    """The stand-in sizes for None dims: one trace without None dims, two with."""
    has_none = any(isinstance(t, KerasTensor) and None in t.shape for t in tree.flatten(structure))
    return (2, 3) if has_none else (2,)


def specs_from_traces(traces, to_shape_dtype):
    """KerasTensors for the outputs of several traces (same structure), None where sizes differ."""
    flat = [tree.flatten(t) for t in traces]
    specs = []
    for leaves in zip(*flat):
        shapes_dtypes = [to_shape_dtype(leaf) for leaf in leaves]
        shape = merge_traced_shapes([s for s, _ in shapes_dtypes])
        specs.append(KerasTensor(shape, dtype=shapes_dtypes[0][1]))
    return tree.pack_sequence_as(traces[0], specs)


def bytes_envelope(data):
    """Binary data (a pickled module...) as a JSON-friendly ``__bytes__`` envelope."""
    return {"class_name": "__bytes__", "config": {"value": base64.b64encode(data).decode("ascii")}}


def bytes_from_envelope(envelope, owner, what):
    """The data of :func:`bytes_envelope`; raw bytes pass through."""
    if isinstance(envelope, (bytes, bytearray)):
        return bytes(envelope)
    if isinstance(envelope, dict) and envelope.get("class_name") == "__bytes__":
        return base64.b64decode(envelope["config"]["value"])
    raise ValueError(f"{owner}: cannot read the saved {what} from {type(envelope).__name__}")


def unique_variable_name(raw, taken, default):
    """``raw`` reduced to ``[0-9A-Za-z_]`` (``default`` if nothing is left), made unique
    against ``taken`` with a ``_1``, ``_2``... suffix; the result is added to ``taken``.

    Example:
        >>> taken = set()
        >>> unique_variable_name("['dense']['w']", taken, "param")
        'dense_w'
        >>> unique_variable_name("dense/w", taken, "param"), unique_variable_name("", taken, "param")
        ('dense_w_1', 'param')
    """
    base = re.sub(r"[^0-9A-Za-z_]+", "_", raw).strip("_") or default
    name, i = base, 1
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name
