"""Activation functions, written with :mod:`kiln.ops` so they run on every backend.

Each function takes a tensor and returns a tensor of the same shape. Layers
look them up by name through :func:`kiln.activations.get`.

Example:
    >>> import kiln
    >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
    >>> kiln.ops.convert_to_numpy(kiln.activations.relu(x)).tolist()
    [0.0, 0.0, 2.0]
"""

from kiln import ops


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, optionally leaky, capped and shifted.

    ``max_value`` for ``x >= max_value``; ``x`` for ``threshold <= x < max_value``;
    ``negative_slope * (x - threshold)`` below the threshold.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-2.0, 1.0, 8.0])
        >>> kiln.ops.convert_to_numpy(relu(x, negative_slope=0.5, max_value=6.0)).tolist()
        [-1.0, 1.0, 6.0]
    """
    if negative_slope == 0 and max_value is None and threshold == 0:
        return ops.relu(x)
    if max_value == 6 and negative_slope == 0 and threshold == 0:
        return ops.relu6(x)
    x = ops.convert_to_tensor(x)
    if threshold == 0 and max_value is None:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    below = ops.multiply(ops.subtract(x, threshold), negative_slope) if negative_slope != 0 \
        else ops.zeros_like(x)
    y = ops.where(ops.greater_equal(x, threshold), x, below)
    if max_value is not None:
        y = ops.minimum(y, ops.cast(max_value, ops.dtype(y)))
    return y


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(leaky_relu(kiln.ops.convert_to_tensor([-2.0, 1.0]), 0.5)).tolist()
        [-1.0, 1.0]
    """
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(relu6(x)).tolist()]
        [0.0, 0.0, 2.0]
    """
    return ops.relu6(x)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(elu(x)).tolist()]
        [-0.6321, 0.0, 2.0]
    """
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit (self-normalizing constants).

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(selu(x)).tolist()]
        [-1.1113, 0.0, 2.1014]
    """
    return ops.selu(x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(celu(x, alpha=0.5)).tolist()]
        [-0.4323, 0.0, 2.0]
    """
    x = ops.convert_to_tensor(x)
    return ops.add(ops.maximum(x, 0.0),
                   ops.minimum(ops.multiply(ops.expm1(ops.divide(x, alpha)), alpha), 0.0))


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(sigmoid(x)).tolist()]
        [0.2689, 0.5, 0.8808]
    """
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(hard_sigmoid(x)).tolist()]
        [0.3333, 0.5, 0.8333]
    """
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard swish).

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(hard_silu(x)).tolist()]
        [-0.3333, 0.0, 1.6667]
    """
    return ops.hard_silu(x)


hard_swish = hard_silu


def log_sigmoid(x):
    """``log(sigmoid(x))`` computed stably.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(log_sigmoid(x)).tolist()]
        [-1.3133, -0.6931, -0.1269]
    """
    return ops.log_sigmoid(x)


def softmax(x, axis=-1):
    """Normalized exponentials along ``axis`` (each slice sums to 1).

    Example:
        >>> import kiln
        >>> y = softmax(kiln.ops.convert_to_tensor([[0.0, 0.0]]))
        >>> kiln.ops.convert_to_numpy(y).tolist()
        [[0.5, 0.5]]
    """
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """Logarithm of :func:`softmax` along ``axis``, computed stably.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(log_softmax(x)).tolist()]
        [-3.1698, -2.1698, -0.1698]
    """
    return ops.log_softmax(x, axis=axis)


def tanh(x):
    """Hyperbolic tangent.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(tanh(x)).tolist()]
        [-0.7616, 0.0, 0.964]
    """
    return ops.tanh(x)


def tanh_shrink(x):
    """``x - tanh(x)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(tanh_shrink(x)).tolist()]
        [-0.2384, 0.0, 1.036]
    """
    x = ops.convert_to_tensor(x)
    return ops.subtract(x, ops.tanh(x))


def hard_tanh(x):
    """``clip(x, -1, 1)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(hard_tanh(x)).tolist()]
        [-1.0, 0.0, 1.0]
    """
    return ops.clip(x, -1.0, 1.0)


def softplus(x):
    """``log(1 + exp(x))``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(softplus(x)).tolist()]
        [0.3133, 0.6931, 2.1269]
    """
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(softsign(x)).tolist()]
        [-0.5, 0.0, 0.6667]
    """
    return ops.softsign(x)


def silu(x):
    """Sigmoid linear unit ``x * sigmoid(x)`` (also called swish).

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(silu(x)).tolist()]
        [-0.2689, 0.0, 1.7616]
    """
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * P(X <= x)``, ``X ~ N(0, 1)``.

    ``approximate=True`` uses the tanh approximation. Note the default
    (exact) differs from ``kiln.ops.gelu``'s, as in Keras.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(gelu(x)).tolist()]
        [-0.1587, 0.0, 1.9545]
    """
    return ops.gelu(x, approximate=approximate)


def exponential(x):
    """``exp(x)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(exponential(x)).tolist()]
        [0.3679, 1.0, 7.3891]
    """
    return ops.exp(x)


def mish(x):
    """``x * tanh(softplus(x))``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(mish(x)).tolist()]
        [-0.3034, 0.0, 1.944]
    """
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def linear(x):
    """The identity: returns ``x`` unchanged.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(linear(x)).tolist()]
        [-1.0, 0.0, 2.0]
    """
    return x


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.2, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(hard_shrink(x)).tolist()]
        [-1.0, 0.0, 2.0]
    """
    x = ops.convert_to_tensor(x)
    return ops.where(ops.greater(ops.abs(x), threshold), x, ops.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.2, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(soft_shrink(x)).tolist()]
        [-0.5, 0.0, 1.5]
    """
    x = ops.convert_to_tensor(x)
    zero = ops.zeros_like(x)
    return ops.where(ops.greater(x, threshold), ops.subtract(x, threshold),
                     ops.where(ops.less(x, -threshold), ops.add(x, threshold), zero))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.5, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(threshold(x, 1.0, -5.0)).tolist()]
        [-5.0, -5.0, 2.0]
    """
    x = ops.convert_to_tensor(x)
    return ops.where(ops.greater(x, threshold), x, ops.full_like(x, default_value))


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(squareplus(x)).tolist()]
        [0.618, 1.0, 2.4142]
    """
    x = ops.convert_to_tensor(x)
    return ops.divide(ops.add(x, ops.sqrt(ops.add(ops.square(x), b))), 2.0)


def sparse_plus(x):
    """0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1)**2 / 4`` between.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(sparse_plus(x)).tolist()]
        [0.0, 0.25, 2.0]
    """
    x = ops.convert_to_tensor(x)
    middle = ops.divide(ops.square(ops.add(x, 1.0)), 4.0)
    return ops.where(ops.less_equal(x, -1.0), ops.zeros_like(x),
                     ops.where(ops.greater_equal(x, 1.0), x, middle))


def sparse_sigmoid(x):
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([-1.0, 0.0, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(sparse_sigmoid(x)).tolist()]
        [0.0, 0.5, 1.0]
    """
    x = ops.convert_to_tensor(x)
    return ops.clip(ops.divide(ops.add(x, 1.0), 2.0), 0.0, 1.0)


def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in two halves ``a, b`` along ``axis``; ``a * sigmoid(b)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[-1.0, 0.0, 1.0, 2.0]])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(glu(x))[0].tolist()]
        [-0.7311, 0.0]
    """
    x = ops.convert_to_tensor(x)
    size = ops.shape(x)[axis]
    if size is not None and size % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, received shape {ops.shape(x)}")
    a, b = ops.split(x, 2, axis=axis)
    return ops.multiply(a, ops.sigmoid(b))


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax it returns non-negative values summing to 1, but can give exact zeros.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([0.1, 1.5, 2.0])
        >>> [round(v, 4) + 0.0 for v in kiln.ops.convert_to_numpy(sparsemax(x)).tolist()]
        [0.0, 0.25, 0.75]
    """
    x = ops.convert_to_tensor(x)
    ndim = len(ops.shape(x))
    axis = axis % ndim
    moved = axis != ndim - 1
    if moved:
        x = ops.moveaxis(x, axis, -1)
    n = ops.shape(x)[-1]
    z = ops.flip(ops.sort(x, axis=-1), axis=-1)
    k = ops.cast(ops.arange(1, n + 1), ops.dtype(x))
    cumsum = ops.cumsum(z, axis=-1)
    support = ops.greater(ops.add(ops.multiply(k, z), 1.0), cumsum)
    k_z = ops.sum(ops.cast(support, ops.dtype(x)), axis=-1, keepdims=True)
    tau_sum = ops.sum(ops.where(support, z, ops.zeros_like(z)), axis=-1, keepdims=True)
    tau = ops.divide(ops.subtract(tau_sum, 1.0), k_z)
    out = ops.maximum(ops.subtract(x, tau), 0.0)
    if moved:
        out = ops.moveaxis(out, -1, axis)
    return out

