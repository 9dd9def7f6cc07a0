"""Model export on JAX: Kiln code converted to TensorFlow with ``jax.experimental.jax2tf``.

An endpoint runs the Kiln function statelessly (every variable's value is an
argument) and ``jax2tf.convert`` turns it into a TF function whose variable
arguments are bound to ``tf.Variable`` copies of the weights; unknown dimensions
become symbolic (``batch`` for the first axis, shared by all inputs).
``kiln.export.ExportArchive`` writes the SavedModel. ONNX is not written here:
jax2tf's native serialization emits ``XlaCallModule`` ops that tf2onnx cannot
convert, so ``kiln.export`` rebuilds the model on the torch backend for ONNX.

Example:
    >>> polymorphic_shape((None, 3), 0)
    '(batch, 3)'
"""

from kiln import tree
from kiln.backend.common.scopes import StatelessScope

# Formats this backend writes in the running process.
FORMATS = ("tf_saved_model",)

# export_model is a gap: tf_saved_model is written by kiln.export.ExportArchive through
# tf_variables/tf_function, and ONNX by rebuilding the model on torch.
UNSUPPORTED = {"export_model": "ONNX is written by rebuilding the model on the torch backend "
                               "(jax2tf output is not convertible by tf2onnx); tf_saved_model by "
                               "kiln.export.ExportArchive through tf_variables/tf_function"}


def _tf():
    try:
        import tensorflow as tf
        from jax.experimental import jax2tf
    except ImportError as error:
        raise ImportError(
            "Exporting a model from the jax backend needs 'tensorflow' and jax.experimental.jax2tf "
            f"(pip install tensorflow): {error}"
        ) from error
    return tf, jax2tf


def polymorphic_shape(shape, index):
    """jax2tf's shape string for ``shape``: ``None`` dims become symbols (``batch`` first)."""
    dims = []
    for axis, dim in enumerate(shape):
        if dim is not None:
            dims.append(str(dim))
        else:
            dims.append("batch" if axis == 0 else f"d{index}_{axis}")
    return "(" + ", ".join(dims) + ")"


def tf_variables(variables):
    """New ``tf.Variable`` copies of the Kiln variables' current values (same names)."""
    tf, _ = _tf()
    return [tf.Variable(variable.numpy(), trainable=variable.trainable, name=variable.name)
            for variable in variables]


def tf_function(fn, variables, tf_vars, input_signature, is_static=True, jax2tf_kwargs=None):
    """A function of TF tensors computing ``fn`` with jax2tf.

    ``input_signature`` is a list of nested ``tf.TensorSpec``. With ``is_static=False`` the
    values that ``fn`` assigns to the variables (RNG seeds, counters) are written back to
    ``tf_vars`` after each call.
    """
    tf, jax2tf = _tf()
    variables = list(variables)
    jax2tf_kwargs = dict(jax2tf_kwargs or {})
    if "polymorphic_shapes" not in jax2tf_kwargs:
        leaves = tree.flatten(input_signature)
        shapes = [polymorphic_shape(tuple(spec.shape.as_list()), i)
                  for i, spec in enumerate(leaves)]
        jax2tf_kwargs["polymorphic_shapes"] = [None] + list(
            tree.pack_sequence_as(list(input_signature), shapes))
    jax2tf_kwargs.setdefault("with_gradient", False)

    def stateless(values, *args):
        with StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            outputs = fn(*args)
        if is_static:
            return outputs
        updated = [scope.get_current_value(v) for v in variables]
        return outputs, [value if new is None else new for value, new in zip(values, updated)]

    converted = jax2tf.convert(stateless, **jax2tf_kwargs)

    def endpoint(*args):
        if is_static:
            return converted(tf_vars, *args)
        outputs, new_values = converted(tf_vars, *args)
        for tf_var, value in zip(tf_vars, new_values):
            tf_var.assign(value)
        return outputs

    return endpoint


def export_model(model, filepath, format="tf_saved_model", input_signature=None, **kwargs):
    """Not written in-process on jax; ``kiln.export`` rebuilds the model on torch for ONNX."""
    raise NotImplementedError(
        f"export.export_model (format={format!r}) is not supported by the jax backend: "
        "jax2tf's XlaCallModule ops cannot be converted by tf2onnx; Model.export(format='onnx') "
        "rebuilds the model on the torch backend instead")
