"""The loss and metric containers behind ``compile(loss=..., metrics=...)``.

They map what the user passed (strings, objects, lists per output, dicts by
output name) onto the model's outputs, and resolve ``"accuracy"`` to the right
accuracy for the loss.

Example:
    >>> from kiln.trainers.compile_utils import resolve_accuracy
    >>> type(resolve_accuracy("accuracy", "sparse_categorical_crossentropy")).__name__
    'SparseCategoricalAccuracy'
"""

from kiln import tree

_ACCURACY_NAMES = ("accuracy", "acc")


def _loss_kind(loss):
    """'sparse', 'categorical', 'binary' or None, from a loss spec."""
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", None) or type(loss).__name__
    name = str(name).lower().replace("_", "")
    if "sparsecategorical" in name:
        return "sparse"
    if "categorical" in name:
        return "categorical"
    if "binary" in name:
        return "binary"
    return None


def resolve_accuracy(identifier, loss=None, y_true=None, y_pred=None):
    """Turn ``"accuracy"``/``"acc"`` into the accuracy metric matching the loss (or the shapes).

    Any other identifier goes to ``kiln.metrics.get``.
    """
    from kiln import metrics

    if not (isinstance(identifier, str) and identifier in _ACCURACY_NAMES):
        metric = metrics.get(identifier)
        if not isinstance(metric, metrics.Metric):
            name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
            metric = metrics.MeanMetricWrapper(metric, name=name)
        return metric
    kind = _loss_kind(loss) if loss is not None else None
    if kind is None and y_pred is not None:
        pred_shape = tuple(y_pred.shape)
        true_shape = tuple(y_true.shape) if y_true is not None else pred_shape
        if pred_shape and pred_shape[-1] == 1:
            kind = "binary"
        elif len(true_shape) < len(pred_shape) or (true_shape and true_shape[-1] == 1):
            kind = "sparse"
        else:
            kind = "categorical"
    cls = {"sparse": metrics.SparseCategoricalAccuracy, "categorical": metrics.CategoricalAccuracy,
           "binary": metrics.BinaryAccuracy}.get(kind, metrics.Accuracy)
    return cls(name=identifier)


def _as_loss_object(spec):
    """A Loss object for a compile() loss spec (plain functions get wrapped)."""
    from kiln import losses

    loss = losses.get(spec)
    if not isinstance(loss, losses.Loss):
        name = spec if isinstance(spec, str) else getattr(loss, "__name__", "loss")
        loss = losses.LossFunctionWrapper(loss, name=name)
    return loss


def _per_output(spec, output_names, what):
    """Expand a compile argument to one entry per output."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"compile({what}=...): unknown output names {sorted(unknown)}; "
                             f"the model's outputs are {output_names}")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and n > 1:
        if len(spec) != n:
            raise ValueError(f"compile({what}=...): expected {n} entries (one per output "
                             f"{output_names}), received {len(spec)}")
        return list(spec)
    if isinstance(spec, (list, tuple)) and n == 1 and what == "loss":
        if len(spec) != 1:
            raise ValueError(f"compile(loss=...): the model has one output, received {len(spec)} losses")
        return list(spec)
    return [spec] * n if what == "loss" else [spec] + [None] * (n - 1) if n > 1 else [spec]


class CompileLoss:
    """Sums the per-output losses (times ``loss_weights``) into the training loss."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.loss_spec = loss
        self.loss_weights_spec = loss_weights
        self.output_names = output_names
        self.built = False
        # Resolve identifiers now so a typo fails at compile(), listing the valid names.
        for spec in (loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) else [loss]):
            if spec is not None:
                _as_loss_object(spec)

    def build(self, y_true, y_pred):
        from kiln import losses

        n = len(tree.flatten(y_pred))
        names = self.output_names or [f"output_{i}" for i in range(n)]
        if len(names) != n:
            names = [f"output_{i}" for i in range(n)]
        specs = _per_output(self.loss_spec, names, "loss")
        self.losses = [_as_loss_object(s) if s is not None else None for s in specs]
        weights = self.loss_weights_spec
        if weights is None:
            self.weights = [1.0] * n
        elif isinstance(weights, dict):
            self.weights = [float(weights.get(name, 1.0)) for name in names]
        elif isinstance(weights, (list, tuple)):
            if len(weights) != n:
                raise ValueError(f"compile(loss_weights=...): expected {n} weights, received {len(weights)}")
            self.weights = [float(w) for w in weights]
        else:
            self.weights = [float(weights)] * n
        self.names = names
        # With several outputs, each output's loss is also reported ("<output>_loss"), as in Keras 3.
        from kiln import metrics

        self.trackers = [metrics.Mean(name=f"{name}_loss") if loss is not None else None
                         for name, loss in zip(names, self.losses)] if n > 1 else []
        self.built = True
        if y_true is not None:
            flat_pred = tree.flatten(y_pred)
            flat_true = self._targets(y_true, len(flat_pred))
            for name, loss, yt, yp in zip(names, self.losses, flat_true, flat_pred):
                if loss is not None:
                    _check_target_shape(name, loss, yt, yp)

    def _targets(self, y_true, count):
        if count == 1:
            return [y_true]
        if isinstance(y_true, dict):
            missing = [name for name in self.names if name not in y_true]
            if missing:
                raise ValueError(f"The targets y are a dict without the outputs {missing}; the model's "
                                 f"outputs are {self.names}, received keys {sorted(y_true)}")
            return [y_true[name] for name in self.names]
        return tree.flatten(y_true)

    @property
    def metrics(self):
        """The per-output loss trackers (none for a single output)."""
        return [t for t in getattr(self, "trackers", []) if t is not None]

    def update_trackers(self, y_true, y_pred, sample_weight=None):
        """Update each output's loss tracker with this batch (unweighted by ``loss_weights``)."""
        if not self.metrics:
            return
        from kiln.backend.common.train_steps import batch_size_of

        flat_pred = tree.flatten(y_pred)
        flat_true = self._targets(y_true, len(flat_pred))
        count = batch_size_of(flat_pred[0])
        for tracker, loss_fn, yt, yp in zip(self.trackers, self.losses, flat_true, flat_pred):
            if tracker is not None:
                tracker.update_state(loss_fn(yt, yp, sample_weight=sample_weight), sample_weight=count)

    def __call__(self, y_true, y_pred, sample_weight=None):
        from kiln import ops

        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        flat_true = self._targets(y_true, len(flat_pred))
        if len(flat_true) != len(flat_pred):
            raise ValueError(f"The model has {len(flat_pred)} outputs but {len(flat_true)} targets were given")
        total = None
        per_output = []
        for loss_fn, weight, yt, yp in zip(self.losses, self.weights, flat_true, flat_pred):
            if loss_fn is None:
                per_output.append(None)
                continue
            value = loss_fn(yt, yp, sample_weight=sample_weight)
            per_output.append(value)
            value = value if weight == 1.0 else ops.multiply(value, weight)
            total = value if total is None else ops.add(total, value)
        if total is None:
            raise ValueError("compile(): no loss applies to any output")
        self.last_per_output = per_output
        return total


def _check_target_shape(name, loss, y_true, y_pred):
    """Refuse targets whose shape cannot meet the predictions', naming the output and both shapes."""
    true_shape = tuple(getattr(y_true, "shape", ()) or ())
    pred_shape = tuple(getattr(y_pred, "shape", ()) or ())
    if not true_shape or not pred_shape:
        return
    from kiln.losses.losses import takes_label_targets

    loss_name = getattr(loss, "name", None) or type(loss).__name__
    if takes_label_targets(loss):
        # Integer labels: one dimension fewer (or a trailing 1); only the batch must agree.
        true_shape, pred_shape = true_shape[:1], pred_shape[:1]
    elif len(true_shape) == len(pred_shape) + 1 and true_shape[-1] == 1:
        true_shape = true_shape[:-1]
    elif len(pred_shape) == len(true_shape) + 1 and pred_shape[-1] == 1:
        pred_shape = pred_shape[:-1]
    compatible = len(true_shape) == len(pred_shape) and all(
        a is None or b is None or a == b or a == 1 or b == 1 for a, b in zip(true_shape, pred_shape))
    if not compatible:
        raise ValueError(
            f"Output '{name}': the targets (y) have shape {tuple(getattr(y_true, 'shape', ()))} but the "
            f"model's predictions have shape {tuple(getattr(y_pred, 'shape', ()))}; they must match "
            f"(or broadcast) for the loss '{loss_name}'. Check the y passed to fit/evaluate for this output."
        )


def _flat_names(spec):
    """Every string inside a metrics spec (lists, lists of lists, dicts)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict):
        spec = list(spec.values())
    if isinstance(spec, (list, tuple)):
        return [name for item in spec for name in _flat_names(item)]
    return []


class CompileMetrics:
    """Updates the compiled metrics on each batch and reports their results."""

    def __init__(self, metrics, weighted_metrics=None, loss=None, output_names=None):
        self.metrics_spec = metrics
        self.weighted_spec = weighted_metrics
        self.loss_spec = loss
        self.output_names = output_names
        self.built = False
        self.entries = []  # (output index, metric, weighted)
        # Metrics are created from the first batch (they depend on the outputs), but a
        # misspelled name should fail at compile(), listing the valid names.
        from kiln import metrics as metrics_module

        for spec in (metrics, weighted_metrics):
            for item in _flat_names(spec):
                if item not in _ACCURACY_NAMES:
                    metrics_module.get(item)

    def build(self, y_true, y_pred):
        flat_pred = tree.flatten(y_pred)
        n = len(flat_pred)
        names = self.output_names if self.output_names and len(self.output_names) == n else \
            [f"output_{i}" for i in range(n)]
        losses = _per_output(self.loss_spec, names, "loss") if self.loss_spec is not None else [None] * n
        flat_true = tree.flatten(y_true) if y_true is not None and n > 1 else [y_true]
        for spec, weighted in ((self.metrics_spec, False), (self.weighted_spec, True)):
            if not spec:
                continue
            if n == 1:
                per_output = [spec if isinstance(spec, (list, tuple)) else [spec]]
            elif isinstance(spec, dict):
                per_output = [spec.get(name) for name in names]
            elif isinstance(spec, (list, tuple)) and len(spec) == n and all(
                    isinstance(s, (list, tuple)) or s is None for s in spec):
                per_output = list(spec)
            else:
                per_output = [spec] * n
            for i, items in enumerate(per_output):
                if items is None:
                    continue
                for item in (items if isinstance(items, (list, tuple)) else [items]):
                    yt = flat_true[i] if i < len(flat_true) else None
                    metric = resolve_accuracy(item, losses[i], yt, flat_pred[i])
                    if n > 1:
                        metric.name = f"{names[i]}_{metric.name}"
                    self.entries.append((i, metric, weighted))
        self.built = True

    @property
    def metrics(self):
        return [m for _, m, _ in self.entries]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        flat_pred = tree.flatten(y_pred)
        flat_true = [y_true] if len(flat_pred) == 1 else (
            [y_true[name] for name in self.output_names] if isinstance(y_true, dict) else tree.flatten(y_true))
        for i, metric, weighted in self.entries:
            metric.update_state(flat_true[i], flat_pred[i], sample_weight=sample_weight if weighted else None)

    def result(self):
        return {m.name: m.result() for _, m, _ in self.entries}

    def reset_state(self):
        for _, m, _ in self.entries:
            m.reset_state()
