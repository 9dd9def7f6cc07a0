"""``Pipeline``: layers applied one after the other, in a model or in ``tf.data``.

Example:
    >>> import kiln
    >>> pipe = kiln.layers.Pipeline([kiln.layers.Rescaling(2.0), kiln.layers.Rescaling(1.0, offset=1.0)])
    >>> kiln.ops.convert_to_numpy(pipe(kiln.ops.ones((1, 2)))).tolist()
    [[3.0, 3.0]]
"""

from kiln import tree
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.saving import serialization_lib


class Pipeline(DataLayer):
    """Applies ``layers`` in order; each receives the previous one's output (and its mask).

    Unlike a ``Sequential`` model it is a plain layer: usable inside
    ``tf.data`` pipelines (``ds.map(pipeline)``) on every backend when its
    layers are preprocessing layers. ``training`` is passed to the layers that
    take it.

    Args:
        layers: a list of layers.
        name: the layer's name.

    Example:
        >>> import kiln
        >>> pipe = Pipeline([kiln.layers.CenterCrop(2, 2), kiln.layers.Rescaling(0.5)])
        >>> kiln.ops.shape(pipe(kiln.ops.ones((1, 4, 4, 3))))
        (1, 2, 2, 3)
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        from kiln.layers.layer import Layer

        layers = list(layers) if isinstance(layers, (list, tuple)) else layers
        if not isinstance(layers, list) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline '{self.name}': `layers` must be a list of layers; received "
                             f"layers={layers!r}")
        self._pipeline_layers = layers
        for layer in layers:
            self._track_value(layer)
        self.supports_masking = True
        # Each layer casts for itself.
        self.autocast = False

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def build(self, input_shape):
        pass

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if layer._has_mask_arg and mask is not None:
                kwargs["mask"] = mask
            if layer._has_training_arg and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
            mask = tree.map_structure(lambda x: getattr(x, "_keras_mask", None), outputs)
            if tree.flatten(mask) == [None] * len(tree.flatten(mask)):
                mask = None
        return outputs

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._pipeline_layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def compute_output_spec(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            outputs = layer.compute_output_spec(outputs)
        return outputs

    def get_config(self):
        return {"layers": [serialization_lib.serialize_kiln_object(layer)
                           for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layers"] = [serialization_lib.deserialize_kiln_object(layer)
                            for layer in config["layers"]]
        return cls(**config)
