"""Errors of failed eager op calls, re-raised so that they name the op and its arguments.

Every public op's eager entry (made by :func:`kiln.ops.operation.op`) hands a
failure to :func:`raise_for_op`. A framework's own shape or argument error
("mat1 and mat2 shapes cannot be multiplied", "Incompatible shapes: [2] vs.
[3]") then reads ``matmul: invalid arguments (x1=tensor of shape (2, 3) and
dtype float32, x2=...): <the framework's message>``, and a framework without a
kernel for a dtype says which backend, op and dtype. The original error stays
attached as ``__cause__``. Nothing here runs unless an op failed.

Example:
    >>> try:
    ...     raise_for_op("add", ValueError("shapes do not match"), {"x1": 1, "x2": [1, 2]})
    ... except ValueError as error:
    ...     print(error)
    add: invalid arguments (x1=1, x2=[1, 2]): shapes do not match
"""

import builtins

from kiln import config
from kiln.backend.common import dtypes

# Set on errors already raised by raise_for_op, so an op that fails inside another op is
# reported once, by the innermost op.
_NAMED = "_kiln_names_op"


def describe_argument(value):
    """A short description of an op argument: shape and dtype for tensors, else a short repr.

    Example:
        >>> import numpy as np
        >>> describe_argument(np.zeros((2, 3), "float32"))
        'tensor of shape (2, 3) and dtype float32'
    """
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return f"tensor of shape {tuple(shape)} and dtype {dtypes.standardize_dtype(value.dtype)}"
    if isinstance(value, (list, tuple)) and value and builtins.all(hasattr(v, "shape") for v in value):
        return f"{len(value)} tensors of shapes {[tuple(v.shape) for v in value]}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def raise_for_op(name, error, arguments):
    """Re-raise ``error``, raised by op ``name`` called with ``arguments``, so that it names them.

    - A framework lacking a kernel for a dtype (torch and uint16/uint32, for instance)
      becomes ``NotImplementedError("<op>: <dtype> is not supported by the <backend> backend")``.
    - Shape and argument errors (ValueError, TypeError, IndexError, a plain RuntimeError from
      torch, InvalidArgumentError from TensorFlow) become ValueError (TypeError stays
      TypeError) naming the op and describing each argument.
    - Anything else (JAX tracing errors, arithmetic errors, errors named by an inner op) is
      re-raised unchanged.

    Example:
        >>> try:
        ...     raise_for_op("add", NotImplementedError("add_stub not implemented for 'UInt32'"), {})
        ... except NotImplementedError as error:
        ...     print(str(error).split(" (")[0].replace(config.backend(), "<backend>"))
        add: uint32 is not supported by the <backend> backend
    """
    if getattr(error, _NAMED, False):
        raise error  # named already, by the inner op that failed
    message = str(error)
    if isinstance(error, NotImplementedError) and "not implemented for '" in message:
        dtype = message.split("not implemented for '")[1].split("'")[0].lower()
        named = NotImplementedError(f"{name}: {dtype} is not supported by the {config.backend()} "
                                    f"backend ({message.strip()})")
    else:
        wrap = (isinstance(error, (ValueError, TypeError, IndexError)) or type(error) is RuntimeError
                or type(error).__name__ == "InvalidArgumentError")
        if not wrap or type(error).__module__.startswith("jax"):
            raise error
        described = ", ".join(f"{arg}={describe_argument(value)}" for arg, value in arguments.items())
        first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
        if first.startswith(f"{name}:"):  # Kiln's own checks name the op already
            first = first[len(name) + 1:].strip()
        kind = TypeError if isinstance(error, TypeError) else ValueError
        named = kind(f"{name}: invalid arguments ({described}): {first}")
    setattr(named, _NAMED, True)
    raise named from error
