"""Model export on torch: ONNX with ``torch.onnx.export``.

There is no in-process converter from torch to TensorFlow here, so
``format="tf_saved_model"`` is written by ``kiln.export`` from the model rebuilt
on the tensorflow backend (in a subprocess). ``torch.onnx.export`` needs the
``onnx`` package (and ``onnxscript`` for torch's default, torch.export-based
exporter; without it the TorchScript exporter is used).

Example:
    >>> example_shape((None, 3))
    (2, 3)
"""

import importlib.util

import torch

from kiln import tree
from kiln.backend.common.dtypes import standardize_dtype

# Formats this backend writes in the running process.
FORMATS = ("onnx",)

# export_model itself is a partial gap: it writes only ONNX, and only where onnx is installed.
UNSUPPORTED = {"export_model": "writes format='onnx' only (needs the onnx package); "
                               "tf_saved_model is written by kiln.export from the model rebuilt "
                               "on tensorflow"}


def example_shape(shape):
    """A concrete shape for tracing: unknown dims get 2 (1 would be specialized away)."""
    return tuple(2 if dim is None else dim for dim in shape)


class _Inference(torch.nn.Module):
    """The model's inference call as a plain module for the exporter."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *args):
        return self.model(*args, training=False)


def export_model(model, filepath, format="tf_saved_model", input_signature=None, **kwargs):
    """Write ``model`` as an ONNX file with ``torch.onnx.export``.

    ``input_signature`` is a list (one entry per positional input) of nested
    ``kiln.InputSpec`` objects with a shape and a dtype; unknown dims are exported as
    dynamic. ``opset_version`` is passed on to the exporter.
    """
    if format != "onnx":
        raise NotImplementedError(f"export.export_model: the torch backend converts only "
                                  f"format='onnx' here, received format={format!r}")
    opset_version = kwargs.pop("opset_version", None)
    if kwargs:
        raise TypeError(f"export(format='onnx'): unexpected keyword arguments {sorted(kwargs)}; "
                        "accepted: opset_version")
    if importlib.util.find_spec("onnx") is None:
        raise ImportError(
            "export(format='onnx') on the torch backend needs the 'onnx' package for torch.onnx "
            "(pip install onnx onnxscript); it is not installed."
        )
    dynamo = importlib.util.find_spec("onnxscript") is not None
    leaves = tree.flatten(input_signature)
    examples = tree.pack_sequence_as(list(input_signature), [
        torch.zeros(example_shape(spec.shape), dtype=getattr(torch, standardize_dtype(spec.dtype)))
        for spec in leaves])
    names = [spec.name or f"input_{i}" for i, spec in enumerate(leaves)]
    module = _Inference(model).eval()
    options = {"input_names": names, "opset_version": opset_version, "dynamo": dynamo}
    if dynamo:
        # torch.export form: one entry per positional argument of forward(*args), nested
        # like the inputs; unknown dims are DYNAMIC (the exporter finds their relations).
        dynamic = tree.map_structure(
            lambda spec: {axis: torch.export.Dim.DYNAMIC
                          for axis, dim in enumerate(spec.shape) if dim is None},
            list(input_signature))
        options["dynamic_shapes"] = (tuple(dynamic),)
    else:
        dynamic = {name: [axis for axis, dim in enumerate(spec.shape) if dim is None]
                   for name, spec in zip(names, leaves)}
        options["dynamic_axes"] = {name: axes for name, axes in dynamic.items() if axes} or None
    with torch.no_grad():
        torch.onnx.export(module, tuple(examples), str(filepath), **options)
