"""Model export on TensorFlow: SavedModel endpoints are ``tf.function`` traces of Kiln code.

Kiln variables on this backend already live in ``tf.Variable`` objects, so an
endpoint is the Kiln function itself, traced; ``kiln.export.ExportArchive``
collects the variables and writes the SavedModel. ONNX goes through ``tf2onnx``
when it is installed.

Example:
    >>> import kiln
    >>> v = kiln.Variable(1.0)
    >>> tf_variables([v])[0] is v.value
    True
"""

import tensorflow as tf

from kiln import tree

# Formats this backend writes in the running process (kiln.export rebuilds the model in
# another backend's process for the others).
FORMATS = ("tf_saved_model", "onnx")

# export_model itself is a partial gap: it writes only ONNX, and only where tf2onnx is installed.
UNSUPPORTED = {"export_model": "writes format='onnx' only (needs the tf2onnx package); "
                               "tf_saved_model is written by kiln.export.ExportArchive through "
                               "tf_variables/tf_function"}


def tf_variables(variables):
    """The ``tf.Variable`` that stores each Kiln variable (its own storage: no copy)."""
    return [variable.value for variable in variables]


def tf_function(fn, variables, tf_vars, input_signature, **kwargs):
    """A function of TF tensors computing ``fn``: on TensorFlow, ``fn`` itself.

    ``kwargs`` carries options meant for other backends' converters; none apply here.
    """
    if kwargs:
        raise TypeError(f"ExportArchive.add_endpoint: unexpected keyword arguments for the "
                        f"tensorflow backend: {sorted(kwargs)}")
    return fn


def export_model(model, filepath, format="tf_saved_model", input_signature=None, **kwargs):
    """Write ``model`` as ONNX through ``tf2onnx`` (SavedModel is written by kiln.export).

    ``input_signature`` is a list (one entry per positional input) of nested
    ``kiln.InputSpec`` objects with a shape and a dtype.
    """
    if format != "onnx":
        raise NotImplementedError(f"export.export_model: the tensorflow backend converts only "
                                  f"format='onnx' here, received format={format!r}")
    return tf2onnx_export(lambda *args: model(*args, training=False), tensor_specs(input_signature),
                          filepath, **kwargs)


def tensor_specs(input_signature):
    """Map every ``kiln.InputSpec`` leaf of ``input_signature`` to a ``tf.TensorSpec``."""
    return tree.map_structure(lambda spec: tf.TensorSpec(spec.shape, spec.dtype, name=spec.name),
                              input_signature)


def tf2onnx_export(fn, input_signature, filepath, opset_version=None, **kwargs):
    """Convert the TF function ``fn`` to an ONNX file with ``tf2onnx`` (raise if it is missing)."""
    if kwargs:
        raise TypeError(f"export(format='onnx'): unexpected keyword arguments {sorted(kwargs)}; "
                        "accepted: opset_version")
    try:
        import tf2onnx
    except ImportError as error:
        raise ImportError(
            "export(format='onnx') on the tensorflow and jax backends needs the 'tf2onnx' package "
            "(pip install tf2onnx onnx); it is not installed. The torch backend exports ONNX with "
            "torch.onnx instead."
        ) from error
    traced = tf.function(fn, input_signature=input_signature, autograph=False)
    tf2onnx.convert.from_function(traced, input_signature=input_signature, opset=opset_version,
                                  output_path=str(filepath))
