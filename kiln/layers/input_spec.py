"""``InputSpec``: what a layer accepts (rank, sizes of given axes, dtype).

Example:
    >>> from kiln.layers import InputSpec
    >>> InputSpec(min_ndim=2, axes={-1: 8}).axes
    {-1: 8}
"""


class InputSpec:
    """Constraints a layer places on an input; checked on every call.

    Example:
        >>> spec = InputSpec(ndim=4)
        >>> spec.ndim
        4
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def _describe(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def assert_input_compatibility(input_spec, inputs, layer):
    """Raise ValueError naming ``layer`` when ``inputs`` break ``input_spec``.

    The message gives the expected and the received shape, and reminds that a
    layer's ``input_shape`` excludes the batch dimension. This runs on every
    call, so the passing path builds no strings.
    """
    if input_spec is None:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else (input_spec,)
    values = inputs if len(specs) > 1 and isinstance(inputs, (list, tuple)) else (inputs,)
    for index, (spec, x) in enumerate(zip(specs, values)):
        if spec is None or x is None:
            continue
        shape = getattr(x, "shape", None)
        if shape is None:
            continue
        ndim = len(shape)
        if spec.ndim is not None and ndim != spec.ndim:
            _fail(layer, index, shape, f"expected ndim={spec.ndim}, received ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            _fail(layer, index, shape, f"expected min_ndim={spec.min_ndim}, received ndim={ndim}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            _fail(layer, index, shape, f"expected max_ndim={spec.max_ndim}, received ndim={ndim}")
        for axis, size in spec.axes.items():
            if size is None:
                continue
            if not -ndim <= axis < ndim:
                _fail(layer, index, shape, f"expected an axis {axis} of size {size}")
            got = shape[axis]
            if got is not None and got != size and _static(got) != size:
                _fail(layer, index, shape, f"expected axis {axis} of the input shape to have value {size}")
        if spec.shape is not None:
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and _static(got) not in (None, expected):
                    _fail(layer, index, shape, f"expected shape {_describe(spec.shape)}")


def _static(dim):
    """A dimension as an int, or None when it is not known statically."""
    try:
        return None if dim is None else int(dim)
    except (TypeError, ValueError):
        return None


def _fail(layer, index, shape, what):
    shape = tuple(_static(d) for d in shape)
    raise ValueError(
        f"Input {index} of layer '{layer.name}' ({type(layer).__name__}) is incompatible: {what}, "
        f"but received input with shape {_describe(shape)}. (The first dimension is the batch; a "
        "layer's input_shape / Input(shape=...) excludes it.)"
    )
