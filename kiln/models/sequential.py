"""``Sequential``: a plain stack of layers, each feeding the next.

Example:
    >>> import kiln
    >>> model = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(8, activation="relu"),
    ...                          kiln.layers.Dense(1)])
    >>> model(kiln.ops.ones((2, 4))).shape
    (2, 1)
"""

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.core.input_layer import InputLayer
from kiln.layers.layer import Layer
from kiln.models.model import Model


class Sequential(Model):
    """A model whose layers run one after another.

    Args:
        layers: list of layers (optionally starting with ``kiln.Input(...)``).
        trainable: whether the model's weights are trained.
        name: the model name.

    Example:
        >>> import kiln
        >>> m = kiln.Sequential(name="stack")
        >>> m.add(kiln.Input((3,)))
        >>> m.add(kiln.layers.Dense(2))
        >>> [w.path for w in m.weights]
        ['stack/dense/kernel', 'stack/dense/bias']
    """

    _INTERNAL_ATTRS = Model._INTERNAL_ATTRS | {"_input_layer", "_call_plan", "_propagates_masks"}

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        Model.__init__(self, trainable=trainable, name=name, **kwargs)
        self._input_layer = None
        self._call_plan = []
        self._propagates_masks = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Append a layer (or a ``kiln.Input`` tensor) to the stack."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history.operation
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential.add: expected a Layer or kiln.Input, received {type(layer).__name__}: {layer!r}")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError(f"Sequential '{self.name}': an Input can only be the first entry")
            self._input_layer = layer
        else:
            if (self._input_layer is None and not self._layers
                    and getattr(layer, "_input_shape_arg", None) is not None):
                self._input_layer = InputLayer(batch_shape=layer._input_shape_arg)
            if any(existing is layer for existing in self._layers):
                raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' was already added")
            self._track_value(layer)
            self._backend_track_sublayer(layer.name, layer)
            self.built = False
        self._call_plan = [(l, l._has_training_arg) for l in self._layers]
        self._propagates_masks = any(l._computes_masks for l in self._layers)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}' has no layers to pop")
        layer = self._layers.pop()
        self._tracked_ids.discard(id(layer))
        self._call_plan = [(l, l._has_training_arg) for l in self._layers]
        self._propagates_masks = any(l._computes_masks for l in self._layers)
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    @property
    def inputs(self):
        return [self._input_layer.output] if self._input_layer is not None else None

    @property
    def input_shape(self):
        return self._input_layer.batch_shape if self._input_layer is not None else None

    def build(self, input_shape=None):
        """Build every layer by passing a symbolic input of ``input_shape`` through the stack."""
        if input_shape is None:
            raise ValueError(f"Sequential '{self.name}': build needs an input shape")
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=tuple(input_shape))
        x = KerasTensor(tuple(input_shape), dtype=self._input_layer.dtype)
        with name_scope(self.name, caller=self):
            for layer in self._layers:
                x = self._symbolic_step(layer, x)
        self._build_shapes = tuple(input_shape)
        self.built = True
        self._backend_after_build()

    @staticmethod
    def _symbolic_step(layer, x):
        if not layer.built:
            layer._maybe_build((x,), {})
        out = layer.compute_output_spec(x)
        # Remembered for summary(): a Sequential records no graph nodes.
        object.__setattr__(layer, "_summary_output_shape", getattr(out, "shape", None))
        return out

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if not self._propagates_masks:
            for layer, takes_training in self._call_plan:
                x = layer(x, training=training) if takes_training else layer(x)
            return x
        # A layer in the stack makes masks: hand each one to the next explicitly, since
        # not every backend's tensors can carry a mask attribute (JAX arrays cannot).
        for layer, takes_training in self._call_plan:
            kwargs = {"training": training} if takes_training else {}
            if mask is not None and layer._has_mask_arg:
                kwargs["mask"] = mask
            y = layer(x, **kwargs)
            mask = layer.compute_mask(x, mask) if (layer.supports_masking or layer._computes_masks) else None
            x = y
        return x



    def compute_output_spec(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._layers:
            x = self._symbolic_step(layer, x)
        return x

    def compute_output_shape(self, input_shape):
        x = KerasTensor(tuple(input_shape))
        return self.compute_output_spec(x).shape

    @property
    def output(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential '{self.name}' has no defined input, so no output")
        return self.compute_output_spec(self._input_layer.output)

    def get_build_config(self):
        if self._build_shapes is None:
            return None
        return {"input_shape": list(self._build_shapes)}

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None:
            self.build(tuple(config["input_shape"]))

    def get_config(self):
        from kiln.saving.serialization_lib import serialize_kiln_object
        from kiln.layers.layer import _serialize_policy

        entries = []
        if self._input_layer is not None:
            entries.append(serialize_kiln_object(self._input_layer))
        entries.extend(serialize_kiln_object(layer) for layer in self._layers)
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": _serialize_policy(self.dtype_policy), "layers": entries}
        if self._build_shapes is not None:
            config["build_input_shape"] = list(self._build_shapes)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kiln.saving.serialization_lib import deserialize_kiln_object

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            model.add(deserialize_kiln_object(entry, custom_objects), rebuild=False)
        model._maybe_rebuild()
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
