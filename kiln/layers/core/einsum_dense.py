"""``EinsumDense``: a dense layer whose contraction is any einsum equation.

Example:
    >>> import kiln
    >>> layer = kiln.layers.EinsumDense("abc,cd->abd", output_shape=(None, 4), bias_axes="d")
    >>> tuple(layer(kiln.ops.ones((2, 3, 5))).shape)
    (2, 3, 4)
    >>> [tuple(v.shape) for v in layer.weights]
    [(5, 4), (4,)]
"""

import functools
import re

from kiln import activations, ops
from kiln.layers.core.dense import add_kernel_and_bias, init_projection, project, weight_options_config
from kiln.layers.layer import Layer

# Three accepted forms: "ab,bc->ac", "...b,bc->...c" (leading axes elided) and
# "ab...,bc->ac..." (trailing axes elided).
_PLAIN = re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$")
_LEFT = re.compile(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$")
_RIGHT = re.compile(r"^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]{2,})\.\.\.$")


def parse_equation(equation, owner="EinsumDense"):
    """Split ``equation`` into ``(input, kernel, output, elision)`` subscripts.

    ``elision`` is None, ``"left"`` or ``"right"`` (where ``...`` stands).

    Example:
        >>> parse_equation("...b,bc->...c")
        ('b', 'bc', 'c', 'left')
    """
    text = str(equation).replace(" ", "")
    for pattern, elision in ((_PLAIN, None), (_LEFT, "left"), (_RIGHT, "right")):
        found = pattern.match(text)
        if found:
            return found.group(1), found.group(2), found.group(3), elision
    raise ValueError(
        f"{owner}: invalid einsum `equation` {equation!r}; expected the form 'ab,bc->ac', "
        "'...b,bc->...c' or 'ab...,bc->ac...' (one input, one kernel, letters only)"
    )


def einsum_shapes(equation, bias_axes, input_shape, output_shape, owner="EinsumDense"):
    """Kernel shape, bias shape (or None) and full output shape for an input shape.

    ``output_shape`` leaves out the batch axis and the elided axes; its None
    entries are taken from the input where the output letter is an input axis.

    Example:
        >>> einsum_shapes("abc,cd->abd", "d", (2, 3, 5), (None, 4))
        ((5, 4), (4,), (2, 3, 4))
    """
    in_spec, kernel_spec, out_spec, elision = parse_equation(equation, owner)
    input_shape = tuple(input_shape)
    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (elision is None and elided != 0) or (elision == "left" and elided == 0):
        raise ValueError(
            f"{owner}: equation {equation!r} expects an input of rank {len(in_spec)}"
            f"{' or more' if elision else ''}; received input_shape={input_shape}"
        )
    # The full output shape: batch axis, partial shape, elided axes where the "..." stands.
    full = [input_shape[0]] + partial
    if elision == "left" and elided > 0:
        full = [input_shape[0]] + list(input_shape[1:elided]) + partial
    elif elision == "right" and elided > 0:
        full = full + list(input_shape[len(in_spec):])
    if len(full) != len(out_spec) + (elided if elision else 0):
        raise ValueError(
            f"{owner}: output_shape={tuple(partial)} does not fit equation {equation!r} "
            f"(output '{out_spec}'; batch and '...' axes excluded)"
        )
    in_offset = elided if elision == "left" else 0
    out_offset = elided if elision == "left" else 0
    in_axis = {c: i + in_offset for i, c in enumerate(in_spec)}
    out_axis = {c: i + out_offset for i, c in enumerate(out_spec)}
    for c in out_spec:
        if c not in in_spec and c not in kernel_spec:
            raise ValueError(
                f"{owner}: output letter '{c}' of equation {equation!r} is in neither the input "
                f"'{in_spec}' nor the kernel '{kernel_spec}'"
            )
    for c, i in in_axis.items():
        if c in out_axis:
            want, got = full[out_axis[c]], input_shape[i]
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{owner}: output_shape gives axis '{c}' size {want}, but the input has size "
                    f"{got} there (equation {equation!r}, input_shape={input_shape})"
                )
            if want is None:
                full[out_axis[c]] = got
    kernel_shape = []
    for c in kernel_spec:
        if c in in_axis:
            kernel_shape.append(input_shape[in_axis[c]])
        elif c in out_axis:
            kernel_shape.append(full[out_axis[c]])
        else:
            raise ValueError(
                f"{owner}: kernel letter '{c}' of equation {equation!r} is in neither the input "
                f"nor the output"
            )
    bias_shape = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(
                    f"{owner}: bias_axes letter '{c}' is not an output axis of {equation!r} "
                    f"(output '{out_spec}')"
                )
        first = min(out_spec.find(c) for c in bias_axes)
        bias_shape = [full[out_axis[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if elision == "right":
            bias_shape += [1] * elided
        bias_shape = tuple(bias_shape)
    return tuple(kernel_shape), bias_shape, tuple(full)


class EinsumDense(Layer):
    """A dense layer computing ``einsum(equation, inputs, kernel) + bias``.

    Args:
        equation: the einsum equation ``"<input>,<kernel>-><output>"``; ``...``
            may stand for leading or trailing axes passed through unchanged.
        output_shape: the output shape without the batch axis and the ``...``
            axes (an int for a single axis); None entries are taken from the input.
        activation: activation name or callable (None: linear).
        bias_axes: letters of the output axes the bias spans (None: no bias).
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: optional weight penalties.
        kernel_constraint, bias_constraint: optional projections after updates.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config:
            not supported yet (must be None).

    Example:
        >>> import kiln
        >>> layer = kiln.layers.EinsumDense("ab,bcd->acd", output_shape=(2, 3))
        >>> tuple(layer(kiln.ops.ones((4, 5))).shape)
        (4, 2, 3)
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"EinsumDense '{self.name}'"
        in_spec, kernel_spec, out_spec, elision = parse_equation(equation, owner)
        if isinstance(output_shape, int) and not isinstance(output_shape, bool):
            partial = (output_shape,)
        else:
            try:
                partial = tuple(output_shape)
            except TypeError:
                raise ValueError(f"{owner}: output_shape must be an int or a tuple of ints/None, "
                                 f"received output_shape={output_shape!r}") from None
        if any(d is not None and (isinstance(d, bool) or not isinstance(d, int) or d <= 0)
               for d in partial):
            raise ValueError(f"{owner}: output_shape entries must be positive ints or None, "
                             f"received output_shape={output_shape!r}")
        # A leading "..." holds the batch axis, so the partial shape covers every output letter.
        needed = len(out_spec) if elision == "left" else len(out_spec) - 1
        if len(partial) != needed:
            raise ValueError(
                f"{owner}: output_shape={output_shape!r} has {len(partial)} entries; equation "
                f"{equation!r} has output '{out_spec}', which needs {needed} "
                "(batch and '...' axes excluded)"
            )
        if bias_axes is not None:
            bad = [c for c in bias_axes if c not in out_spec]
            if bad:
                raise ValueError(f"{owner}: bias_axes={bias_axes!r} must be letters of the output "
                                 f"'{out_spec}'; {bad} are not")
        if lora_rank is not None or quantization_config is not None or gptq_unpacked_column_size:
            raise NotImplementedError(
                f"{owner}: LoRA (lora_rank), GPTQ and quantization are not supported yet")
        self.equation = equation
        self.partial_output_shape = partial
        self.bias_axes = bias_axes
        init_projection(self, activation, kernel_initializer, bias_initializer, kernel_regularizer,
                        bias_regularizer, kernel_constraint, bias_constraint, lora_rank, lora_alpha)
        self.full_output_shape = None

    def build(self, input_shape):
        kernel_shape, bias_shape, full = einsum_shapes(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape,
            f"EinsumDense '{self.name}'")
        if any(d is None for d in kernel_shape) or (bias_shape and any(d is None for d in bias_shape)):
            raise ValueError(
                f"EinsumDense '{self.name}': the axes the weights span must be known to build; "
                f"received input_shape={tuple(input_shape)}, kernel shape {kernel_shape}"
            )
        self.full_output_shape = full
        add_kernel_and_bias(self, kernel_shape, bias_shape)
        self.built = True

    @property
    def kernel_shape(self):
        return None if self.kernel is None else tuple(self.kernel.shape)

    def call(self, inputs, training=None):
        return project(self, inputs, functools.partial(ops.einsum, self.equation))

    def compute_output_shape(self, input_shape):
        return einsum_shapes(self.equation, self.bias_axes, input_shape, self.partial_output_shape,
                             f"EinsumDense '{self.name}'")[2]

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            **weight_options_config(self, self._activity_regularizer),
            "quantization_config": None,
        })
        if self.lora_rank is not None:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config
