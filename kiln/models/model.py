"""``Model``: a Layer with training (``compile``/``fit``/``evaluate``/``predict``) and saving.

``Model(inputs, outputs)`` builds a functional model; subclass ``Model`` and
write ``call`` for full control.

Example:
    >>> import kiln
    >>> inputs = kiln.Input((4,))
    >>> outputs = kiln.layers.Dense(2)(inputs)
    >>> model = kiln.Model(inputs, outputs)
    >>> type(model).__name__, model.output.shape
    ('Functional', (None, 2))
"""

from kiln.layers.layer import Layer
from kiln.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features.

    Three ways to build one:
    - ``Sequential([...])`` for a plain stack,
    - ``Model(inputs=..., outputs=...)`` (functional) for any graph,
    - subclass ``Model``, create layers in ``__init__`` and write ``call``.

    Example:
        >>> import kiln
        >>> class TwoLayer(kiln.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = kiln.layers.Dense(8, activation="relu")
        ...         self.out = kiln.layers.Dense(1)
        ...     def call(self, x):
        ...         return self.out(self.hidden(x))
        >>> TwoLayer()(kiln.ops.ones((2, 3))).shape
        (2, 1)
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from kiln.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}: positional/inputs/outputs arguments are only valid for "
                "functional models, Model(inputs, outputs)"
            )
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        Layer.__init__(self, trainable=trainable, name=name, dtype=dtype, **kwargs)
        Trainer.__init__(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild a model; a functional config (with ``input_layers``) gives a functional model."""
        if "input_layers" in config and "layers" in config:
            from kiln.models.functional import Functional

            if cls is Model or cls is Functional:
                return Functional.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)

    @property
    def layers(self):
        """The model's direct sub-layers, in order."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """Return a sub-layer by name or by index.

        Example:
            >>> import kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, name="out")])
            >>> m.get_layer("out").name
            'out'
        """
        if index is not None:
            if index >= len(self.layers):
                raise ValueError(f"get_layer: index {index} out of range; the model has {len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: {[l.name for l in self.layers]}")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers with their output shapes and parameter counts.

        Example:
            >>> import kiln
            >>> kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)]).summary()  # doctest: +ELLIPSIS
            Model: "sequential..."
            ...
        """
        from kiln.utils.summary_utils import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn, expand_nested=expand_nested,
                      show_trainable=show_trainable)

    def to_json(self, **kwargs):
        """The model's architecture (its config envelope, no weights) as a JSON string.

        ``kwargs`` are passed to ``json.dumps`` (e.g. ``indent=2``); read it back
        with :func:`kiln.models.model_from_json`.

        Example:
            >>> import json, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> json.loads(m.to_json())["class_name"]
            'Sequential'
        """
        from kiln.models.json_io import model_to_json

        return model_to_json(self, **kwargs)

    # -- model and weights files -----------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the whole model (architecture, weights, optimizer, compile settings) to ``.keras``.

        Example:
            >>> import kiln, tempfile, os
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> m.save(os.path.join(tempfile.mkdtemp(), "m.keras"))
        """
        from kiln.saving.saving_api import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save all weights (and optimizer state) to a ``.weights.h5`` file, Keras 3 layout.

        With ``max_shard_size`` (GB) the weights are split into
        ``<name>_00000.weights.h5``... shards with a ``<name>.weights.json`` index.

        Example:
            >>> import kiln, tempfile, os
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> m.save_weights(os.path.join(tempfile.mkdtemp(), "m.weights.h5"))
        """
        from kiln.saving.weights_h5 import save_weights

        save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs):
        """Export the inference call for serving: a TF SavedModel (endpoint ``serve``) or ONNX.

        ``format`` is ``"tf_saved_model"`` or ``"onnx"``; ``input_signature`` (one
        ``kiln.InputSpec``/``tf.TensorSpec``/tensor entry per input) defaults to the model's
        inputs. A backend that cannot convert the model itself (torch for SavedModel, numpy)
        rebuilds it on tensorflow or torch in a subprocess. jax options: ``is_static``,
        ``jax2tf_kwargs``; ONNX option: ``opset_version``.

        Example:
            >>> import kiln, tempfile, os  # doctest: +SKIP
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])  # doctest: +SKIP
            >>> m.export(os.path.join(tempfile.mkdtemp(), "served"), verbose=False)  # doctest: +SKIP
        """
        from kiln.export.export_lib import export_model

        export_model(self, filepath, format=format, verbose=verbose, input_signature=input_signature,
                     **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights saved by :meth:`save_weights` (or by Keras 3) into this model.

        Also reads sharded ``.weights.json`` saves and legacy Keras 2 ``.h5``
        files (``by_name=True`` matches those by layer name).

        Example:
            >>> import kiln, tempfile, os
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
            >>> m.save_weights(path); m.load_weights(path)
        """
        from kiln.saving.weights_h5 import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)
