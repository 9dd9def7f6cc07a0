"""The fused LSTM and GRU time steps, written once for every backend's scan.

A backend passes its own ``matmul``, ``split(x, n, axis)``, ``sigmoid`` and
``tanh``; the step takes ``(carry, x_t)`` where ``x_t`` is the input already
projected by the kernel (and the input bias), and returns
``(new_carry, output)``. Gate orders are Keras': LSTM i, f, c, o; GRU z, r, h
with ``reset_after`` (the recurrent bias inside the reset product).

Example:
    >>> import numpy as np
    >>> sigmoid = lambda x: 1 / (1 + np.exp(-x))
    >>> step = lstm_step(np.matmul, np.split, sigmoid, np.tanh, np.zeros((2, 8)))
    >>> (h, c), out = step((np.zeros((1, 2)), np.zeros((1, 2))), np.zeros((1, 8)))
    >>> h.tolist()
    [[0.0, 0.0]]
"""


def lstm_step(matmul, split, sigmoid, tanh, recurrent_kernel):
    """An LSTM step: carry ``(h, c)``, output ``h``.

    Example:
        >>> import numpy as np
        >>> step = lstm_step(np.matmul, np.split, np.tanh, np.tanh, np.zeros((1, 4)))
        >>> step((np.zeros((1, 1)), np.zeros((1, 1))), np.zeros((1, 4)))[1].shape
        (1, 1)
    """

    def step(carry, x_t):
        h, c = carry
        z_i, z_f, z_c, z_o = split(x_t + matmul(h, recurrent_kernel), 4, axis=-1)
        c_new = sigmoid(z_f) * c + sigmoid(z_i) * tanh(z_c)
        h_new = sigmoid(z_o) * tanh(c_new)
        return (h_new, c_new), h_new

    return step


def gru_step(matmul, split, sigmoid, tanh, recurrent_kernel, recurrent_bias=None):
    """A reset-after GRU step: carry ``(h,)``, output ``h``.

    Example:
        >>> import numpy as np
        >>> sigmoid = lambda x: 1 / (1 + np.exp(-x))
        >>> step = gru_step(np.matmul, np.split, sigmoid, np.tanh, np.zeros((1, 3)))
        >>> step((np.ones((1, 1)),), np.zeros((1, 3)))[1].tolist()  # z = 0.5 keeps half of h
        [[0.5]]
    """

    def step(carry, x_t):
        (h,) = carry
        inner = matmul(h, recurrent_kernel)
        if recurrent_bias is not None:
            inner = inner + recurrent_bias
        x_z, x_r, x_h = split(x_t, 3, axis=-1)
        h_z, h_r, h_h = split(inner, 3, axis=-1)
        z = sigmoid(x_z + h_z)
        r = sigmoid(x_r + h_r)
        h_new = z * h + (1 - z) * tanh(x_h + r * h_h)
        return (h_new,), h_new

    return step
