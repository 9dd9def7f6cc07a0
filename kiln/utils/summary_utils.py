"""The table ``Model.summary()`` prints.

Example:
    >>> import kiln
    >>> m = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2, name="d")], name="s")
    >>> lines = []
    >>> print_summary(m, print_fn=lines.append)
    >>> any("d (Dense)" in line for line in lines)
    True
"""


def _format_shape(layer):
    try:
        nodes = layer._inbound_nodes
        if nodes and nodes[-1].outputs:
            shapes = [tuple(t.shape) for t in nodes[-1].outputs]
            return str(shapes[0]) if len(shapes) == 1 else str(shapes)
    except AttributeError:
        pass
    shape = getattr(layer, "_summary_output_shape", None)
    return str(tuple(shape)) if shape is not None else "?"


def _count(variables):
    total = 0
    for v in variables:
        n = 1
        for d in v.shape:
            n *= d
        total += n
    return total


def print_summary(model, line_length=None, print_fn=None, expand_nested=False, show_trainable=False):
    """Print one row per layer (name and class, output shape, parameter count) and totals."""
    print_fn = print_fn or print
    width = line_length or 80
    columns = [("Layer (type)", 0.45), ("Output Shape", 0.33), ("Param #", 0.22)]
    widths = [int(width * f) for _, f in columns]

    def row(cells):
        return "".join(str(c)[: w - 1].ljust(w) for c, w in zip(cells, widths))

    print_fn(f'Model: "{model.name}"')
    print_fn("━" * width)
    print_fn(row([c for c, _ in columns]))
    print_fn("━" * width)

    def emit(layers, indent=""):
        for layer in layers:
            print_fn(row([f"{indent}{layer.name} ({type(layer).__name__})", _format_shape(layer),
                          f"{layer.count_params():,}"]))
            if expand_nested and getattr(layer, "_layers", None):
                emit(layer._layers, indent + "  ")

    layers = list(model.layers)
    emit(layers)
    print_fn("─" * width)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f" Total params: {trainable + non_trainable:,}")
    print_fn(f" Trainable params: {trainable:,}")
    print_fn(f" Non-trainable params: {non_trainable:,}")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        print_fn(f" Optimizer params: {_count(optimizer.variables):,}")
