"""``TFSMLayer``: a TensorFlow SavedModel endpoint used as a Kiln layer (tensorflow backend).

Example:
    >>> import kiln  # doctest: +SKIP
    >>> layer = kiln.layers.TFSMLayer("path/to/saved_model", call_endpoint="serve")  # doctest: +SKIP
    >>> outputs = layer(inputs)  # doctest: +SKIP
"""


import numpy as np

from kiln import ops, tree
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.scopes import name_scope
from kiln.layers.bridges import bridge_utils
from kiln.layers.layer import Layer


class TFSMLayer(Layer):
    """Calls a SavedModel endpoint; the variables it uses become this layer's weights.

    The SavedModel is loaded with ``tf.saved_model.load``. ``call_endpoint``
    names a function attribute of the loaded object (``"serve"`` for
    exported models) or an entry of its ``signatures``
    (``"serving_default"``); ``call_training_endpoint``, if given, is used
    when the layer is called with ``training=True``. The endpoint takes one
    argument (a tensor, or a list/dict of tensors). Variables the endpoints
    read become Kiln variables (trainable when the saved variable is and
    ``trainable=True``), so ``fit`` fine-tunes them. Only the tensorflow
    backend runs SavedModels; other backends refuse the layer.

    Args:
        filepath: path of the SavedModel directory.
        call_endpoint: the inference endpoint's name.
        call_training_endpoint: optional training-time endpoint's name.
        trainable, name, dtype: as for every layer.

    Example:
        >>> import kiln  # doctest: +SKIP
        >>> kiln.layers.TFSMLayer("exported", call_endpoint="serving_default").weights  # doctest: +SKIP
        [...]
    """

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None, trainable=True,
                 name=None, dtype=None):
        bridge_utils.require_backend("TFSMLayer", "tensorflow")
        super().__init__(trainable=trainable, name=name, dtype=dtype)
        import tensorflow as tf

        self.filepath = str(filepath)
        self.call_endpoint = call_endpoint
        self.call_training_endpoint = call_training_endpoint
        try:
            self._reloaded_obj = tf.saved_model.load(self.filepath)
        except (OSError, ValueError) as e:
            raise ValueError(f"TFSMLayer '{self.name}': cannot load a SavedModel from "
                             f"filepath={self.filepath!r}: {e}") from e
        self.call_endpoint_fn = self._endpoint(call_endpoint, "call_endpoint")
        self.call_training_endpoint_fn = (None if call_training_endpoint is None else
                                          self._endpoint(call_training_endpoint,
                                                         "call_training_endpoint"))
        functions = [self.call_endpoint_fn]
        if self.call_training_endpoint_fn is not None:
            functions.append(self.call_training_endpoint_fn)
        self._adopt_variables(functions)
        self.built = True

    def _endpoint(self, endpoint, argument):
        obj = self._reloaded_obj
        if isinstance(endpoint, str) and hasattr(obj, endpoint) and callable(getattr(obj, endpoint)):
            return getattr(obj, endpoint)
        signatures = getattr(obj, "signatures", {})
        if endpoint in signatures:
            return signatures[endpoint]
        functions = sorted(n for n in dir(obj) if not n.startswith("_")
                           and hasattr(getattr(obj, n, None), "concrete_functions"))
        raise ValueError(
            f"TFSMLayer '{self.name}': `{argument}`={endpoint!r} is neither a function of the "
            f"SavedModel at {self.filepath!r} nor one of its signatures; available functions: "
            f"{functions}, signatures: {sorted(signatures)}")

    def _adopt_variables(self, functions):
        """Wrap each tf.Variable the endpoints read in a Kiln variable sharing its storage."""
        found = {}
        for fn in functions:
            concretes = getattr(fn, "concrete_functions", None) or [fn]
            for concrete in concretes:
                for v in concrete.variables:
                    found.setdefault(id(v), v)
        taken = set()
        adopted_cls = _adopting_variable_class()
        for v in sorted(found.values(), key=lambda v: (not v.trainable, v.name)):
            name = bridge_utils.unique_variable_name(v.name.split(":")[0], taken, "variable")
            with name_scope(self.name, caller=self):
                variable = adopted_cls.adopt(v, trainable=bool(v.trainable), name=name)
            self._track_variable(variable)

    def call(self, inputs, training=False):
        # Signature endpoints take tensors only (no NumPy arrays).
        inputs = tree.map_structure(
            lambda x: ops.convert_to_tensor(x) if isinstance(x, np.ndarray) else x, inputs)
        if training and self.call_training_endpoint_fn is not None:
            return self.call_training_endpoint_fn(inputs)
        return self.call_endpoint_fn(inputs)

    def get_config(self):
        config = super().get_config()
        # The path is where this machine found the SavedModel; configs are not portable across machines.
        config.update({"filepath": self.filepath, "call_endpoint": self.call_endpoint,
                       "call_training_endpoint": self.call_training_endpoint})
        return config


_ADOPTING = []


def _adopting_variable_class():
    """A backend Variable subclass whose storage is an existing tf.Variable (made once)."""
    if not _ADOPTING:
        class AdoptedVariable(_backend.core.Variable):
            """A Kiln variable around a tf.Variable restored from a SavedModel (no copy)."""

            @classmethod
            def adopt(cls, tf_variable, trainable, name):
                variable = cls.__new__(cls)
                variable._adopted = tf_variable
                variable.__init__(tf_variable.read_value(),
                                  dtype=dtypes.standardize_dtype(tf_variable.dtype.name),
                                  trainable=trainable, name=name)
                return variable

            def _initialize(self, value):
                self._value = self._adopted
                del self._adopted
                self._on_trainable_change()

        _ADOPTING.append(AdoptedVariable)
    return _ADOPTING[0]
