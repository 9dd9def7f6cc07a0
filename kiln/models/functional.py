"""Functional models: a graph of layers and ops between symbolic inputs and outputs.

Example:
    >>> import kiln
    >>> a = kiln.Input((3,), name="a")
    >>> b = kiln.Input((2,), name="b")
    >>> merged = kiln.layers.Concatenate()([a, b])
    >>> model = kiln.Model([a, b], [kiln.layers.Dense(1)(merged), kiln.layers.Dense(4)(merged)])
    >>> [o.shape for o in model(
    ...     [kiln.ops.ones((2, 3)), kiln.ops.ones((2, 2))])]
    [(2, 1), (2, 4)]
"""

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.core.input_layer import InputLayer
from kiln.layers.layer import Layer
from kiln.models.model import Model


def _node_of(tensor):
    history = tensor._keras_history
    return history.operation._inbound_nodes[history.node_index]


def _graph_nodes(flat_inputs, flat_outputs):
    """Nodes between inputs and outputs, producers before consumers (Keras' depth order)."""
    input_ids = {id(t) for t in flat_inputs}
    post_order, visited, depth = [], set(), {}

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for tensor in node.input_tensors:
            if tensor._keras_history is None:
                raise ValueError(f"Functional model: tensor {tensor} was not produced by a layer or Input")
            if id(tensor) not in input_ids:
                visit(_node_of(tensor))
            elif not _node_of(tensor).is_input:
                raise ValueError("Functional model: inputs must be tensors returned by kiln.Input")
        post_order.append(node)

    for tensor in flat_outputs:
        if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
            raise ValueError(
                f"Functional model: every output must be a KerasTensor computed from kiln.Input, received {tensor!r}"
            )
        if id(tensor) in input_ids:
            continue
        visit(_node_of(tensor))
    # Depth: outputs 0, each producer one more than its deepest consumer.
    for node in reversed(post_order):
        depth.setdefault(id(node), 0)
        for tensor in node.input_tensors:
            if id(tensor) in input_ids:
                continue
            parent = _node_of(tensor)
            depth[id(parent)] = max(depth.get(id(parent), 0), depth[id(node)] + 1)
    input_nodes = [_node_of(t) for t in flat_inputs]
    deepest = max(depth.values(), default=0) + 1
    for node in input_nodes:
        depth[id(node)] = deepest
    ordered_inputs = list(dict.fromkeys(input_nodes))
    rest = sorted((n for n in post_order if id(n) not in {id(i) for i in ordered_inputs}),
                  key=lambda n: -depth[id(n)])
    for tensor in flat_inputs:
        produced = _node_of(tensor)
        if not produced.is_input:
            raise ValueError("Functional model: inputs must be tensors returned by kiln.Input")
    return ordered_inputs + rest


class Functional(Model):
    """A model defined by ``Model(inputs, outputs)``; see :class:`kiln.Model`.

    Example:
        >>> import kiln
        >>> x = kiln.Input((2,))
        >>> m = kiln.Model(x, kiln.layers.Dense(3)(x), name="f")
        >>> m.name, len(m.layers)
        ('f', 2)
    """

    _INTERNAL_ATTRS = Model._INTERNAL_ATTRS | {"_nodes", "_inputs_struct", "_outputs_struct",
                                               "_operations", "_plan"}

    def __init__(self, inputs, outputs, name=None, **kwargs):
        trainable = kwargs.pop("trainable", True)
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        if isinstance(inputs, dict):
            inputs = dict(inputs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        flat_inputs = tree.flatten(inputs)
        flat_outputs = tree.flatten(outputs)
        for t in flat_inputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Functional model '{self.name}': inputs must be kiln.Input tensors, received {t!r}")
        self._nodes = _graph_nodes(flat_inputs, flat_outputs)
        operations = []
        for node in self._nodes:
            if node.operation not in operations:
                operations.append(node.operation)
        self._operations = operations
        for op in operations:
            if isinstance(op, Layer):
                self._track_value(op)
                self._backend_track_sublayer(op.name, op)
        self._plan = self._make_plan()
        self.built = True

    @property
    def inputs(self):
        return tree.flatten(self._inputs_struct)

    @property
    def outputs(self):
        return tree.flatten(self._outputs_struct)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _make_plan(self):
        """Per node: (operation, single-input tensor id or None, args, kwargs, output ids)."""
        plan = []
        for node in self._nodes:
            if node.is_input:
                continue
            args, kwargs = node.call_args, node.call_kwargs
            simple = (len(args) == 1 and isinstance(args[0], KerasTensor)
                      and not any(isinstance(v, KerasTensor) for v in tree.flatten(kwargs)))
            plan.append((node.operation, id(args[0]) if simple else None, args, kwargs,
                         [id(t) for t in node.outputs]))
        return plan

    def _standardize_inputs(self, inputs):
        flat = self.inputs
        if isinstance(self._inputs_struct, dict) and isinstance(inputs, dict):
            values = [inputs[name] if name in inputs else inputs[t.name]
                      for name, t in zip(sorted(self._inputs_struct), flat)]
        elif len(flat) == 1 and not isinstance(inputs, (list, tuple, dict)):
            values = [inputs]
        elif isinstance(inputs, dict):
            values = []
            for t in flat:
                if t.name not in inputs:
                    raise ValueError(f"Model '{self.name}': missing input '{t.name}'; received keys {sorted(inputs)}")
                values.append(inputs[t.name])
        else:
            values = tree.flatten(inputs)
        if len(values) != len(flat):
            raise ValueError(
                f"Model '{self.name}' expects {len(flat)} input(s) "
                f"({[t.name for t in flat]}), received {len(values)}"
            )
        return values

    def _run(self, inputs, training, op_fn):
        values = {id(t): v for t, v in zip(self.inputs, self._standardize_inputs(inputs))}
        for operation, single, args, kwargs, output_ids in self._plan:
            if "training" in kwargs and isinstance(operation, Layer):
                kwargs = dict(kwargs, training=training)
            if single is not None:
                outputs = op_fn(operation, (values[single],), kwargs)
            else:
                def fetch(x):
                    return values[id(x)] if isinstance(x, KerasTensor) else x

                outputs = op_fn(operation, tree.map_structure(fetch, args), tree.map_structure(fetch, kwargs))
            if len(output_ids) == 1:
                values[output_ids[0]] = outputs if not isinstance(outputs, (list, tuple)) else tree.flatten(outputs)[0]
            else:
                for oid, value in zip(output_ids, tree.flatten(outputs)):
                    values[oid] = value
        return tree.pack_sequence_as(self._outputs_struct, [values[id(t)] for t in self.outputs])

    def call(self, inputs, training=None, mask=None):
        return self._run(inputs, training, lambda op, args, kwargs: op(*args, **kwargs))

    def compute_output_spec(self, inputs, training=None, mask=None):
        def spec(op, args, kwargs):
            if isinstance(op, Layer) and not op.built:
                op._maybe_build(args, kwargs)
            return op.compute_output_spec(*args, **kwargs)

        return self._run(inputs, training, spec)

    def compute_output_shape(self, input_shape):
        return tree.map_structure(lambda t: t.shape, self._outputs_struct)

    def get_build_config(self):
        return {"input_shape": None}

    def build_from_config(self, config):
        pass

    # -- config (Keras 3 functional layout) -------------------------------------------
    def get_config(self):
        from kiln.saving.serialization_lib import serialize_kiln_object

        node_keys = {}
        layers = []
        for op in self._operations:
            entry = serialize_kiln_object(op)
            entry["name"] = op.name
            own_nodes = [n for n in op._inbound_nodes if n in self._nodes]
            for index, node in enumerate(own_nodes):
                node_keys[id(node)] = index
            entry["inbound_nodes"] = [] if isinstance(op, InputLayer) else [
                {"args": _serialize_call_value(node.call_args, node_keys),
                 "kwargs": _serialize_call_value(node.call_kwargs, node_keys)}
                for node in own_nodes
            ]
            layers.append(entry)

        def history_of(t):
            node = _node_of(t)
            return [node.operation.name, node_keys[id(node)], node.outputs.index(t)]

        input_layers = [history_of(t) for t in self.inputs]
        output_layers = [history_of(t) for t in self.outputs]
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": input_layers[0] if len(input_layers) == 1 else input_layers,
            "output_layers": output_layers[0] if len(output_layers) == 1 else output_layers,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kiln.saving.serialization_lib import deserialize_kiln_object

        created = {}
        produced = {}  # (layer name, node index) -> outputs (flat list)
        pending = []
        for entry in config["layers"]:
            layer = deserialize_kiln_object(
                {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}, custom_objects)
            created[entry["name"]] = layer
            if isinstance(layer, InputLayer):
                produced[(entry["name"], 0)] = [layer.output]
            else:
                for node_index, node in enumerate(entry.get("inbound_nodes", [])):
                    pending.append((entry["name"], node_index, node))

        def resolve(value):
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                name, node_index, tensor_index = value["config"]["keras_history"]
                if (name, node_index) not in produced:
                    raise KeyError((name, node_index))
                return produced[(name, node_index)][tensor_index]
            if isinstance(value, list):
                return [resolve(v) for v in value]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            return value

        while pending:
            progressed = False
            for item in list(pending):
                name, node_index, node = item
                try:
                    args = resolve(node.get("args", []))
                    kwargs = resolve(node.get("kwargs", {}))
                except KeyError:
                    continue
                outputs = created[name](*args, **kwargs)
                produced[(name, node_index)] = tree.flatten(outputs)
                pending.remove(item)
                progressed = True
            if not progressed:
                raise ValueError(
                    f"Functional.from_config: could not connect layers {[p[0] for p in pending]}; "
                    "the config references tensors no layer produces"
                )

        def lookup(spec):
            if spec and isinstance(spec[0], str):
                return produced[(spec[0], spec[1])][spec[2]]
            return [lookup(s) for s in spec]

        inputs = lookup(config["input_layers"])
        outputs = lookup(config["output_layers"])
        return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _serialize_call_value(value, node_keys):
    if isinstance(value, KerasTensor):
        node = _node_of(value)
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": value.dtype,
                           "keras_history": [node.operation.name, node_keys.get(id(node), 0),
                                             node.outputs.index(value)]}}
    if isinstance(value, (list, tuple)):
        return [_serialize_call_value(v, node_keys) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_call_value(v, node_keys) for k, v in value.items()}
    return value
