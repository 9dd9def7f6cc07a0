"""MultiOptimizer and OptimizerMap: a different optimizer for different variables.

An :class:`OptimizerMap` maps variable paths — exact paths, or regular
expressions that must match the whole path — to optimizers, with a default
for every other variable. :class:`MultiOptimizer` routes each variable's
gradient to its optimizer.

Example:
    >>> import kiln
    >>> enc = kiln.Variable([1.0], name="w")
    >>> opts = OptimizerMap(kiln.optimizers.SGD(1.0, name="sgd_d"), {"w": kiln.optimizers.SGD(0.5, name="sgd_w")})
    >>> opts(enc).name
    'sgd_w'
"""

import re
from collections.abc import MutableMapping

from kiln.optimizers.base_optimizer import Optimizer


class OptimizerMap(MutableMapping):
    """A mapping from variable paths (or path regexes) to optimizers, with a default.

    ``optimizer_map[path]`` returns the optimizer stored under exactly
    ``path`` if there is one; else the optimizer of the one key that, read as
    a regular expression, matches the whole path (``re.fullmatch``: use
    ``"encoder/.*"`` for everything under ``encoder``); else
    ``default_optimizer``. A path matching several keys is an error. Calling
    the map on a variable looks up ``variable.path``.

    Args:
        default_optimizer: the optimizer of every variable no key matches.
        optimizer_map: optional dict ``{path or regex: optimizer}``.

    Example:
        >>> import kiln
        >>> sgd, adam = kiln.optimizers.SGD(name="s"), kiln.optimizers.Adam(name="a")
        >>> m = OptimizerMap(default_optimizer=sgd)
        >>> m["encoder/.*"] = adam
        >>> m["encoder/dense/kernel"].name, m["decoder/dense/kernel"].name
        ('a', 's')
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("OptimizerMap: `default_optimizer` must be a kiln Optimizer instance, "
                            f"received {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError("OptimizerMap: `optimizer_map` must be a dict {path or regex: "
                            f"optimizer}} or None, received {type(optimizer_map).__name__}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self):
        """The optimizer of the variables no key matches."""
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"OptimizerMap: the path '{key}' matches several keys {matches}; "
                             "each variable must map to one optimizer.")
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: keys must be strings (a path or a regex), received "
                             f"{key!r}")
        if key in self._optimizer_map:
            raise ValueError(f"OptimizerMap: the key '{key}' is already mapped (to "
                             f"{self._optimizer_map[key].name!r}); keys must be unique.")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"OptimizerMap: the value for '{key}' must be a kiln Optimizer "
                             f"instance, received {optimizer!r}")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError(f"OptimizerMap: the value for '{key}' is a MultiOptimizer; "
                             "MultiOptimizers cannot be nested.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        """The optimizer of ``variable`` (looked up by its path)."""
        return self[variable.path]

    def get_config(self):
        """``{"default_optimizer": envelope, "optimizer_map": {key: envelope}}``."""
        from kiln.saving import serialization_lib

        serialize = serialization_lib.serialize_kiln_object
        return {"default_optimizer": serialize(self._default_optimizer),
                "optimizer_map": {key: serialize(opt) for key, opt in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the map (and its optimizers) from :meth:`get_config`'s output."""
        from kiln import optimizers

        default = optimizers.deserialize(config["default_optimizer"], custom_objects=custom_objects)
        mapping = {key: optimizers.deserialize(env, custom_objects=custom_objects)
                   for key, env in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


class MultiOptimizer(Optimizer):
    """Applies a different optimizer to each group of variables.

    ``optimizer_map`` is an :class:`OptimizerMap` or a callable returning the
    optimizer of a given variable. At build time each variable is assigned
    its optimizer and each optimizer is built with its own variables; each
    :meth:`apply` hands every optimizer its gradients (a sub-optimizer's
    ``iterations`` counts the steps it took) and counts one step in
    :attr:`iterations`.

    The sub-optimizers are :attr:`optimizers`: the map's distinct values in
    order, then its default, then any further optimizer a callable returned.
    ``variables`` are this optimizer's (``iteration``, ``learning_rate``),
    then each sub-optimizer's in that order. There is no single learning
    rate: reading or setting ``learning_rate`` raises AttributeError (use the
    sub-optimizers'). ``loss_scale_factor`` replaces the sub-optimizers' own.

    Args:
        optimizer_map: an :class:`OptimizerMap`, or a callable ``variable -> Optimizer``.
        loss_scale_factor: multiplies the loss in ``scale_loss``; the
            sub-optimizers divide the gradients by it.
        name: the optimizer's name.

    Example:
        >>> import kiln
        >>> enc = kiln.Variable([1.0], name="enc")
        >>> dec = kiln.Variable([1.0], name="dec")
        >>> opt = MultiOptimizer(OptimizerMap(kiln.optimizers.SGD(1.0), {"enc": kiln.optimizers.SGD(0.5)}))
        >>> opt.apply([kiln.ops.ones((1,)), kiln.ops.ones((1,))], [enc, dec])
        >>> enc.numpy().tolist(), dec.numpy().tolist(), len(opt.optimizers)
        ([0.5], [0.0], 2)
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        if not callable(optimizer_map):
            raise TypeError("MultiOptimizer: `optimizer_map` must be an OptimizerMap or a callable "
                            f"returning an optimizer for a variable, received {optimizer_map!r}")
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        self._var_to_optimizer = {}
        if isinstance(optimizer_map, OptimizerMap):
            for optimizer in list(optimizer_map.values()) + [optimizer_map.default_optimizer]:
                self._add_inner(optimizer)

    def _add_inner(self, optimizer):
        if any(optimizer is known for known in self._inner_optimizers):
            return
        optimizer.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(optimizer)

    @property
    def optimizers(self):
        """The sub-optimizers, in the order their variables are saved."""
        return list(self._inner_optimizers)

    def build(self, variables):
        if self.built:
            return
        groups = {}
        self._var_to_optimizer = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            if not isinstance(optimizer, Optimizer) or isinstance(optimizer, MultiOptimizer):
                raise ValueError(
                    f"MultiOptimizer '{self.name}': the optimizer map returned {optimizer!r} for "
                    f"variable '{variable.path}'; expected a (non-Multi) kiln Optimizer instance.")
            self._add_inner(optimizer)
            self._var_to_optimizer[id(variable)] = optimizer
            groups.setdefault(id(optimizer), []).append(variable)
        for optimizer in self._inner_optimizers:
            if id(optimizer) in groups:
                optimizer.build(groups[id(optimizer)])
        super().build(variables)

    @property
    def variables(self):
        """``iteration``, ``learning_rate``, then every sub-optimizer's variables."""
        out = list(self._variables)
        for optimizer in self._inner_optimizers:
            out.extend(optimizer.variables)
        return out

    @property
    def learning_rate(self):
        raise AttributeError(f"MultiOptimizer '{self.name}' has no single learning rate; read "
                             "it on its sub-optimizers (`optimizer.optimizers`).")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(f"MultiOptimizer '{self.name}' has no single learning rate; set it "
                             "on its sub-optimizers (`optimizer.optimizers`).")

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        trainable_variables = self._variables_to_update(trainable_variables)
        self._check_gradient_count(grads, trainable_variables)
        if not grads:
            return
        routed = {}
        for grad, variable in zip(grads, trainable_variables):
            optimizer = self._var_to_optimizer.get(id(variable))
            if optimizer is None:
                raise ValueError(
                    f"MultiOptimizer '{self.name}': unknown variable '{variable.path}'. It was not "
                    "in the list the optimizer was built with.")
            pair = routed.setdefault(id(optimizer), ([], []))
            pair[0].append(grad)
            pair[1].append(variable)
        for optimizer in self._inner_optimizers:
            if id(optimizer) in routed:
                sub_grads, sub_vars = routed[id(optimizer)]
                optimizer.apply(sub_grads, sub_vars)
        self._iterations.assign_add(1)

    def finalize_variable_values(self, var_list):
        """Each sub-optimizer finalizes its own variables (EMA weights, if any)."""
        for optimizer in self._inner_optimizers:
            mine = [v for v in var_list if self._var_to_optimizer.get(id(v)) is optimizer]
            if mine:
                optimizer.finalize_variable_values(mine)

    def get_config(self):
        from kiln.saving import serialization_lib

        return {"optimizer_map": serialization_lib.serialize_kiln_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor,
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kiln.saving import serialization_lib

        config = dict(config)
        mapping = config["optimizer_map"]
        if isinstance(mapping, dict) and mapping.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(mapping["config"],
                                                               custom_objects=custom_objects)
        else:
            config["optimizer_map"] = serialization_lib.deserialize_kiln_object(
                mapping, custom_objects=custom_objects)
        return cls(**config)
