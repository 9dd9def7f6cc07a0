"""``TorchModuleWrapper``: any ``torch.nn.Module`` used as a Kiln layer (torch backend).

The module's parameters become Kiln variables (trainable unless
``requires_grad`` is False), so ``fit`` trains them, ``get_weights`` /
``set_weights`` and weight files see them, and the module itself computes with
them.

Example:
    >>> import torch, kiln  # doctest: +SKIP
    >>> layer = kiln.layers.TorchModuleWrapper(torch.nn.Linear(4, 2))  # doctest: +SKIP
    >>> [tuple(w.shape) for w in layer.get_weights()]  # doctest: +SKIP
    [(2, 4), (2,)]
"""

import io

import numpy as np

from kiln import ops, tree
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.bridges import bridge_utils
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


class TorchModuleWrapper(Layer):
    """Wraps a ``torch.nn.Module`` so it runs, trains and saves as a Kiln layer.

    Only on the torch backend. ``call(*args, training=None, **kwargs)`` runs
    ``module(*args, **kwargs)``, with the module in eval mode when
    ``training=False`` and in train mode otherwise. Parameters are tracked
    once, at construction (lazy modules must be materialized first); buffers
    (e.g. batch-norm statistics) stay inside the module and travel with its
    pickled copy in the config.

    Args:
        module: the ``torch.nn.Module`` to wrap.
        name: the layer's name.
        output_shape: the full output shape (batch included) for symbolic
            calls; None finds it by running the module once on zeros.

    Loading a saved wrapper unpickles the module, which runs code from the
    file: ``from_config`` refuses it while safe mode is on.

    Example:
        >>> import torch, kiln  # doctest: +SKIP
        >>> model = kiln.Sequential([kiln.Input((3,)),  # doctest: +SKIP
        ...                          kiln.layers.TorchModuleWrapper(torch.nn.Linear(3, 1))])
        >>> model.compile(optimizer="adam", loss="mse")  # doctest: +SKIP
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        bridge_utils.require_backend("TorchModuleWrapper", "torch")
        super().__init__(name=name, **kwargs)
        import torch

        if not isinstance(module, torch.nn.Module):
            raise ValueError(f"TorchModuleWrapper '{self.name}': `module` must be a torch.nn.Module; "
                             f"received {type(module).__name__}")
        if any(isinstance(p, torch.nn.parameter.UninitializedParameter) for p in module.parameters()):
            raise ValueError(
                f"TorchModuleWrapper '{self.name}': the module has uninitialized (lazy) parameters; "
                "run it once on an example input before wrapping it")
        self.module = module.to(ops.convert_to_tensor(0.0).device)
        self.output_shape = tree.lists_to_tuples(output_shape) if output_shape is not None else None
        self._track_module_parameters()

    def _track_module_parameters(self):
        """One Kiln variable per distinct parameter; the module then computes with the variables."""
        by_id = {}
        for param_name, param in self.module.named_parameters():
            value = param.detach().clone()
            variable = self.add_weight(
                shape=tuple(param.shape), dtype=dtypes.standardize_dtype(param.dtype),
                initializer=lambda shape, dtype=None, v=value: v,
                trainable=param.requires_grad, name=param_name.replace(".", "_"))
            by_id[id(param)] = variable
        # Hand the variables' storage to every place the module (and its shared submodules) holds a
        # parameter, so module(...) reads what fit() updates and set_weights() writes.
        for submodule in self.module.modules():
            for param_name, param in list(submodule.named_parameters(recurse=False)):
                variable = by_id.get(id(param))
                if variable is not None:
                    setattr(submodule, param_name, variable.value)
        self.built = True

    def call(self, *args, training=None, **kwargs):
        if training is False:
            self.module.eval()
        else:
            self.module.train()
        args, kwargs = tree.map_structure(_to_tensor, (args, kwargs))
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self.output_shape is not None:
            return self.output_shape
        specs = tree.map_structure(lambda s: KerasTensor(s), _shapes_as_specs(input_shape))
        return tree.map_structure(lambda t: t.shape, self.compute_output_spec(specs))

    def compute_output_spec(self, *args, training=None, **kwargs):
        if self.output_shape is not None:
            return _shapes_as_specs(self.output_shape, self.compute_dtype)
        import torch

        device = ops.convert_to_tensor(0.0).device

        def realize(x, size):
            if not isinstance(x, KerasTensor):
                return x
            shape = tuple(size if d is None else d for d in x.shape)
            return torch.zeros(shape, dtype=getattr(torch, x.dtype), device=device)

        traces = []
        was_training = self.module.training
        try:
            self.module.eval()
            with torch.no_grad():
                for size in bridge_utils.trace_sizes((args, kwargs)):
                    call_args = tree.map_structure(lambda x: realize(x, size), args)
                    call_kwargs = tree.map_structure(lambda x: realize(x, size), kwargs)
                    traces.append(self.module(*call_args, **call_kwargs))
        finally:
            self.module.train(was_training)
        return bridge_utils.specs_from_traces(
            traces, lambda t: (tuple(t.shape), dtypes.standardize_dtype(t.dtype)))

    def get_config(self):
        import torch

        config = super().get_config()
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        config["module"] = bridge_utils.bytes_envelope(buffer.getvalue())
        config["output_shape"] = self.output_shape
        return config

    @classmethod
    def from_config(cls, config):
        import torch

        config = dict(config)
        module = config.get("module")
        if not isinstance(module, torch.nn.Module):
            if serialization_lib.in_safe_mode():
                raise ValueError(
                    "TorchModuleWrapper: the saved module is a pickle; loading it runs code from the "
                    "file, which safe_mode forbids. If you trust the file, load it with "
                    "safe_mode=False (kiln.saving.serialization_lib.SafeModeScope(False)).")
            data = bridge_utils.bytes_from_envelope(module, "TorchModuleWrapper", "module")
            config["module"] = torch.load(io.BytesIO(data), weights_only=False)
        if config.get("output_shape") is not None:
            config["output_shape"] = tree.lists_to_tuples(config["output_shape"])
        return super().from_config(config)


def _to_tensor(x):
    """NumPy arrays (and other array-likes with a dtype) become backend tensors."""
    if isinstance(x, np.ndarray) or type(x).__module__ == "numpy":
        return ops.convert_to_tensor(x)
    return x


def _shapes_as_specs(shapes, dtype="float32"):
    """A shape, or a structure of shapes, as KerasTensors."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return KerasTensor(shapes, dtype=dtype)
    if isinstance(shapes, dict):
        return {k: _shapes_as_specs(v, dtype) for k, v in shapes.items()}
    return type(shapes)(_shapes_as_specs(s, dtype) for s in shapes)
