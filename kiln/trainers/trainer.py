"""The training loop, written once: ``compile``, ``fit``, ``evaluate``, ``predict``.

Backends supply only how to make one step (``kiln.backend.<name>.trainer``):
``make_train_function``, ``make_test_function``, ``make_predict_function``,
how batches become native tensors (``to_backend_batch``) and how state held
by a compiled step is written back to the variables (``sync_state``).

Example:
    >>> import numpy as np, kiln
    >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
"""

import numpy as np

from kiln import tree
from kiln.backend import current as _backend
from kiln.backend.common.scopes import StatelessScope, get_stateless_scope
from kiln.trainers.compile_utils import CompileLoss, CompileMetrics
from kiln.trainers.deferred_logs import DeferredLogs
from kiln.backend.common import train_steps
from kiln.trainers.data_adapters import (
    EpochIterator,
    get_data_adapter,
    is_array_like,
    train_validation_split,
    unpack_x_y_sample_weight,
)


def _to_float_logs(logs):
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[key] = float(np.asarray(_backend.core.convert_to_numpy(value)))
        except Exception:
            out[key] = value
    return out


class Trainer:
    """Mixin giving :class:`kiln.Model` its training API."""

    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self.steps_per_execution = 1
        self._run_eagerly = False
        self._jit_compile = None
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._compile_config = None
        self.train_function = None
        self.test_function = None
        self.predict_function = None

    # -- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure training: the optimizer, the loss(es), metrics and compilation.

        Example:
            >>> import kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(3)])
            >>> m.compile(optimizer=kiln.optimizers.Adam(1e-3),
            ...           loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True),
            ...           metrics=["accuracy"])
        """
        from kiln import metrics as metrics_module
        from kiln import optimizers

        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        output_names = self._output_names()
        self._compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics, loss, output_names)
        self._loss_tracker = metrics_module.Mean(name="loss")
        if jit_compile == "auto":
            jit_compile = _backend.NAME == "jax"
        if jit_compile and run_eagerly:
            raise ValueError("compile(): jit_compile=True and run_eagerly=True cannot be combined")
        if not isinstance(steps_per_execution, int) or isinstance(steps_per_execution, bool) or \
                steps_per_execution < 1:
            raise ValueError(f"compile(): steps_per_execution must be an int >= 1, received "
                             f"{steps_per_execution!r}")
        if auto_scale_loss and self.optimizer is not None and \
                getattr(self.dtype_policy, "name", None) == "mixed_float16":
            self.optimizer = _with_loss_scaling(self.optimizer)
        self._jit_compile = bool(jit_compile)
        self._run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self._compile_config = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics, "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution, "jit_compile": jit_compile,
            "auto_scale_loss": auto_scale_loss,
        }
        self.compiled = True
        self._reset_backend_state()

    @property
    def jit_compile(self):
        return self._jit_compile

    @property
    def run_eagerly(self):
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)
        self._reset_backend_state()

    def get_compile_config(self):
        """The arguments given to ``compile``, serialized for ``config.json``."""
        from kiln.saving.serialization_lib import serialize_kiln_object

        if not self.compiled:
            return {}
        config = dict(self._compile_config)
        config["optimizer"] = serialize_kiln_object(self.optimizer)
        loss = config["loss"]
        config["loss"] = loss if isinstance(loss, str) else serialize_kiln_object(loss)
        return config

    def _output_names(self):
        outputs = getattr(self, "outputs", None)
        if isinstance(outputs, list) and outputs:
            names = []
            for t in outputs:
                history = getattr(t, "_keras_history", None)
                names.append(history.operation.name if history is not None else t.name)
            return names
        layers = getattr(self, "layers", None)
        if type(self).__name__ == "Sequential" and layers:
            return [layers[-1].name]
        return None

    def _assert_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(f"You must call compile() on model '{self.name}' before {what}()")

    # -- losses and metrics -------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The training loss: compiled loss(es) plus losses added by layers (``add_loss``).

        Override to customise; it is called inside every backend's train step.
        """
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(y, y_pred, sample_weight)
        scope = get_stateless_scope()
        if scope is not None and scope.collect_losses:
            extra = list(scope.losses) + self._regularization_losses()
        else:
            extra = self.losses
        from kiln import ops

        for value in extra:
            value = ops.sum(value)
            total = value if total is None else ops.add(total, ops.cast(value, total.dtype))
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss: pass loss= to compile() or add losses with add_loss()"
            )
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with one batch; return every metric's result (loss included).

        Override to customise; the default steps call it after updating the
        loss tracker.
        """
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_compiled_metrics(self, y, y_pred, sample_weight):
        if y is None:
            return
        if self._compile_loss is not None:
            self._compile_loss.update_trackers(y, y_pred, sample_weight)
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)

    def _eager_step_logs(self, x, y, y_pred, sample_weight, loss):
        """Metric update for an eager step; the results are computed when the logs are read."""
        if type(self).compute_metrics is not Trainer.compute_metrics:
            return train_steps.update_loss_and_metrics(self, x, y, y_pred, sample_weight, loss)
        if loss is not None and self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=train_steps.batch_size_of(x))
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return DeferredLogs(self.get_metrics_result)

    # -- the steps (Keras 3's signatures for the current backend; override to customise) ----
    def train_step(self, *args, **kwargs):
        """One training step. jax: ``train_step(state, data) -> (logs, state)``; torch and
        tensorflow: ``train_step(data) -> logs``.

        Example:
            >>> import kiln
            >>> callable(kiln.Model.train_step)
            True
        """
        return _backend.trainer.train_step(self, *args, **kwargs)

    def test_step(self, *args, **kwargs):
        """One evaluation step. jax: ``test_step(state, data) -> (logs, state)``; others:
        ``test_step(data) -> logs``."""
        return _backend.trainer.test_step(self, *args, **kwargs)

    def predict_step(self, *args, **kwargs):
        """One prediction step. jax: ``predict_step(state, data) -> (outputs, non_trainable)``;
        others: ``predict_step(data) -> outputs``."""
        return _backend.trainer.predict_step(self, *args, **kwargs)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, metrics_variables,
                                 x, y, sample_weight, training=False, optimizer_variables=None):
        """JAX only: the pure loss function the default ``train_step`` differentiates.

        Returns ``(loss, (unscaled_loss, y_pred, non_trainable_variables, metrics_variables))``;
        ``loss`` is scaled by the optimizer's loss scale when training.
        """
        compute = getattr(_backend.trainer, "compute_loss_and_updates", None)
        if compute is None:
            raise NotImplementedError(
                f"compute_loss_and_updates() is part of the JAX trainer; the {_backend.NAME} "
                "backend computes the loss in train_step() directly")
        return compute(self, trainable_variables, non_trainable_variables, metrics_variables, x, y,
                       sample_weight, training=training, optimizer_variables=optimizer_variables)

    def get_metrics_result(self):
        """Current results of every metric, as a dict of scalars."""
        logs = {}
        if self._loss_tracker is not None:
            logs["loss"] = self._loss_tracker.result()
        if self._compile_loss is not None and self._compile_loss.built:
            logs.update((t.name, t.result()) for t in self._compile_loss.metrics)
        if self._compile_metrics is not None and self._compile_metrics.built:
            logs.update(self._compile_metrics.result())
        return logs

    @property
    def metrics(self):
        """The loss tracker and the compiled metrics (once built by the first batch)."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_loss is not None and self._compile_loss.built:
            out.extend(self._compile_loss.metrics)
        if self._compile_metrics is not None and self._compile_metrics.built:
            out.extend(self._compile_metrics.metrics)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self):
        """Reset the state of every metric."""
        for metric in self.metrics:
            metric.reset_state()

    # -- backend step state -------------------------------------------------------------
    def _reset_backend_state(self):
        if getattr(self, "_step_state_owner", None) is not None:
            self._sync_backend_state()
        self.train_function = None
        self.test_function = None
        self.predict_function = None

    def _sync_backend_state(self):
        if "_tracked_ids" in self.__dict__:
            _backend.trainer.sync_state(self)

    def _symbolic_build(self, batch):
        """Build the model, optimizer and compiled losses/metrics from one real batch."""
        x, y, _ = unpack_x_y_sample_weight(batch)
        needs_build = (not self.built or (self._compile_metrics is not None and not self._compile_metrics.built)
                       or (self._compile_loss is not None and not self._compile_loss.built))
        if needs_build:
            y_pred = self(x, training=False)
            if self._compile_loss is not None and not self._compile_loss.built:
                self._compile_loss.build(y, y_pred)
            if self._compile_metrics is not None and not self._compile_metrics.built:
                self._compile_metrics.build(y, y_pred)
                if y is not None:
                    # Metrics that create their state on the first batch (R2Score) do it now,
                    # before a compiled step captures the metric variables.
                    with StatelessScope():
                        self._compile_metrics.update_state(y, y_pred)
        if self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)

    def make_train_function(self, force=False):
        if self.train_function is None or force:
            self.train_function = _backend.trainer.make_train_function(self)
        return self.train_function

    def make_test_function(self, force=False):
        if self.test_function is None or force:
            self.test_function = _backend.trainer.make_test_function(self)
        return self.test_function

    def make_predict_function(self, force=False):
        if self.predict_function is None or force:
            self.predict_function = _backend.trainer.make_predict_function(self)
        return self.predict_function

    # -- fit ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over the data; returns a ``History``.

        Example:
            >>> import numpy as np, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> m.compile("adam", "mse")
            >>> m.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0).history.keys()
            dict_keys(['loss'])
        """
        from kiln import config
        from kiln.callbacks.callback_list import CallbackList

        self._assert_compiled("fit")
        if not isinstance(validation_freq, int) or isinstance(validation_freq, bool) or validation_freq < 1:
            raise ValueError(f"fit(): validation_freq must be an int >= 1, received {validation_freq!r}")
        if validation_split and validation_data is None:
            if not all(part is None or is_array_like(part) for part in (x, y, sample_weight)):
                raise ValueError(
                    f"fit(): validation_split is only supported when x, y and sample_weight are arrays or tensors; "
                    f"x is a {type(x).__name__}. Pass validation_data instead.")
            (x, y, sample_weight), validation_data = train_validation_split(
                (_as_array_tree(x), _as_array_tree(y), _as_array_tree(sample_weight)), validation_split)
        if config.max_epochs() is not None:
            epochs = min(epochs, config.max_epochs())
        if config.max_steps_per_epoch() is not None:
            steps_per_epoch = min(steps_per_epoch or config.max_steps_per_epoch(), config.max_steps_per_epoch())
        adapter = get_data_adapter(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps_per_epoch,
                                   shuffle=shuffle)
        batches = EpochIterator(adapter, steps_per_epoch)
        first_batch = adapter.peek()
        class_weights = _class_weight_table(class_weight, first_batch[1])
        val_batches = None
        if validation_data is not None:
            val_batches = EpochIterator(
                _validation_adapter(validation_data, validation_batch_size or adapter.batch_size or batch_size,
                                    validation_steps), validation_steps, role="validation")
        verbose = 1 if verbose == "auto" else verbose
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=batches.num_batches,
                                     batch_size=adapter.batch_size)

        def to_data(batch):
            x_b, y_b, sw_b = batch
            if class_weights is not None:
                sw_b = _apply_class_weight(class_weights, y_b, sw_b)
            return _backend.trainer.to_backend_batch(train_steps.pack_x_y_sample_weight(x_b, y_b, sw_b))

        self._symbolic_build(to_data(first_batch))
        train_function = self.make_train_function()
        self.stop_training = False
        self._stop_reason = None
        # The shuffle order of epoch e is a pure function of (seed, e), so a resumed run (see
        # BackupAndRestore) replays the same batches; the seed comes from NumPy's global generator,
        # which kiln.utils.set_random_seed seeds.
        shuffle_seed = int(np.random.randint(0, 2**31 - 1))
        self._fit_callbacks = callback_list.callbacks
        self._fit_position = {"epoch": initial_epoch, "step": 0, "shuffle_seed": shuffle_seed}
        callback_list.on_train_begin()
        start_epoch, skip_steps = initial_epoch, 0
        resume = self.__dict__.pop("_fit_resume_position", None)
        if resume is not None:
            start_epoch, skip_steps = int(resume["epoch"]), int(resume["step"])
            shuffle_seed = int(resume["shuffle_seed"])
            self._fit_position = {"epoch": start_epoch, "step": skip_steps, "shuffle_seed": shuffle_seed}
        per_execution = self.steps_per_execution
        epoch_logs = {}
        try:
            for epoch in range(start_epoch, epochs):
                resumed_mid_epoch = epoch == start_epoch and skip_steps > 0
                if not resumed_mid_epoch:
                    self.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                logs = {}
                epoch_batches = batches.epoch(epoch=epoch, seed=shuffle_seed)
                if resumed_mid_epoch:
                    epoch_batches = _skip(epoch_batches, skip_steps)
                first_step = skip_steps if resumed_mid_epoch else 0
                for steps, group in _executions(epoch_batches, per_execution, first_step):
                    callback_list.on_train_batch_begin(steps[0])
                    if len(group) == 1:
                        logs = train_function(to_data(group[0]))
                    else:
                        logs = train_function.run_steps([to_data(b) for b in group])
                    self._fit_position = {"epoch": epoch, "step": steps[-1] + 1,
                                          "shuffle_seed": shuffle_seed}
                    callback_list.on_train_batch_end(steps[-1], logs)
                    if self.stop_training:
                        break
                self._sync_backend_state()
                adapter.on_epoch_end()
                if batches.ran_out:
                    self.stop_training = True
                    if not logs:
                        break
                epoch_logs = _to_float_logs(logs)
                if val_batches is not None and not self.stop_training and (epoch + 1) % validation_freq == 0:
                    val_logs = self.evaluate(val_batches, verbose=0, return_dict=True, callbacks=callback_list)
                    if not val_batches.ran_out:
                        epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                self._fit_position = {"epoch": epoch + 1, "step": 0, "shuffle_seed": shuffle_seed}
                callback_list.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        finally:
            self._sync_backend_state()
            batches.close()
            if val_batches is not None:
                val_batches.close()
        if self.optimizer is not None and hasattr(self.optimizer, "finalize_variable_values"):
            # With use_ema, the model ends training holding the moving averages (as Keras).
            self.optimizer.finalize_variable_values(self.trainable_variables)
        callback_list.on_train_end(epoch_logs)
        self._fit_callbacks = None
        return self.history

    # -- evaluate -----------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss and metric values over the data (a scalar, a list, or a dict).

        Example:
            >>> import numpy as np, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, kernel_initializer="zeros")])
            >>> m.compile("sgd", "mse")
            >>> m.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
            1.0
        """
        from kiln.callbacks.callback_list import CallbackList

        self._assert_compiled("evaluate")
        if kwargs:
            raise TypeError(f"evaluate(): unexpected arguments {sorted(kwargs)}")
        if isinstance(x, EpochIterator):
            # fit's validation data, adapted once for the whole run.
            batches, owned = x, False
        else:
            batches = EpochIterator(get_data_adapter(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps,
                                                     shuffle=False), steps, role="evaluation")
            owned = True
        verbose = 1 if verbose == "auto" else verbose
        if isinstance(callbacks, CallbackList):
            # fit's own list (validation): its callbacks keep their fit parameters.
            callback_list = callbacks
        else:
            callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                         epochs=1, steps=batches.num_batches,
                                         batch_size=batches.adapter.batch_size, mode="test")

        def to_data(batch):
            return _backend.trainer.to_backend_batch(train_steps.pack_x_y_sample_weight(*batch))

        try:
            if owned or not self.built:
                self._symbolic_build(to_data(batches.adapter.peek()))
            self._sync_backend_state()
            test_function = self.make_test_function()
            self.reset_metrics()
            callback_list.on_test_begin()
            logs = {}
            for step, batch in enumerate(batches.epoch()):
                callback_list.on_test_batch_begin(step)
                logs = test_function(to_data(batch))
                callback_list.on_test_batch_end(step, logs)
            batches.adapter.on_epoch_end()
        finally:
            if owned:
                batches.close()
        logs = _to_float_logs(logs)
        callback_list.on_test_end(logs)
        if return_dict:
            return logs
        return self._format_logs(logs, False)

    # -- predict --------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for ``x`` as NumPy arrays, computed batch by batch.

        Example:
            >>> import numpy as np, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(3)])
            >>> m.predict(np.zeros((5, 2)), verbose=0).shape
            (5, 3)
        """
        from kiln.callbacks.callback_list import CallbackList

        x, _, _ = unpack_x_y_sample_weight(x) if isinstance(x, tuple) and len(x) in (2, 3) and \
            not isinstance(getattr(self, "_inputs_struct", None), (list, tuple)) else (x, None, None)
        batches = EpochIterator(get_data_adapter(x, batch_size=batch_size, steps_per_epoch=steps, shuffle=False), steps,
                                role="prediction")
        verbose = 1 if verbose == "auto" else verbose
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1, steps=batches.num_batches, batch_size=batches.adapter.batch_size,
                                     mode="predict")

        def to_data(batch):
            return _backend.trainer.to_backend_batch((batch[0],))

        try:
            if not self.built:
                self(to_data(batches.adapter.peek())[0], training=False)
            self._sync_backend_state()
            predict_function = self.make_predict_function()
            callback_list.on_predict_begin()
            outputs = []
            for step, batch in enumerate(batches.epoch()):
                callback_list.on_predict_batch_begin(step)
                out = predict_function(to_data(batch))
                outputs.append(tree.map_structure(_backend.core.convert_to_numpy, out))
                callback_list.on_predict_batch_end(step, {"outputs": out})
        finally:
            batches.close()
        if not outputs:
            raise ValueError("predict(): the input data is empty (it yielded no batch)")
        callback_list.on_predict_end()
        return tree.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    # -- single batches -------------------------------------------------------------------
    def _single_batch(self, x, y, sample_weight, class_weight=None):
        x = tree.map_structure(np.asarray, x)
        y = None if y is None else tree.map_structure(np.asarray, y)
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        table = _class_weight_table(class_weight, y)
        if table is not None:
            sample_weight = _apply_class_weight(table, y, sample_weight)
        return _backend.trainer.to_backend_batch(train_steps.pack_x_y_sample_weight(x, y, sample_weight))

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """Run one training step on one batch; returns the metric values after it."""
        self._assert_compiled("train_on_batch")
        data = self._single_batch(x, y, sample_weight, class_weight)
        self._symbolic_build(data)
        logs = _to_float_logs(self.make_train_function()(data))
        self._sync_backend_state()
        return self._format_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Evaluate one batch (metrics are reset first)."""
        self._assert_compiled("test_on_batch")
        data = self._single_batch(x, y, sample_weight)
        self._symbolic_build(data)
        self._sync_backend_state()
        self.reset_metrics()
        logs = _to_float_logs(self.make_test_function()(data))
        return self._format_logs(logs, return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy arrays."""
        data = _backend.trainer.to_backend_batch((tree.map_structure(np.asarray, x),))
        if not self.built:
            self(data[0], training=False)
        self._sync_backend_state()
        out = self.make_predict_function()(data)
        return tree.map_structure(_backend.core.convert_to_numpy, out)

    def _format_logs(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        values += [v for k, v in logs.items() if k not in self.metrics_names]
        return values[0] if len(values) == 1 else values


def _validation_adapter(validation_data, batch_size, steps):
    """``fit(validation_data=...)``: a tuple ``(x, y[, sample_weight])`` of arrays, or any input kind."""
    if isinstance(validation_data, (tuple, list)):
        if not 1 <= len(validation_data) <= 3:
            raise ValueError("fit(): validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                             f"val_sample_weight), or a dataset; received a {type(validation_data).__name__} of "
                             f"{len(validation_data)} elements")
        x, y, sample_weight = unpack_x_y_sample_weight(tuple(validation_data))
        return get_data_adapter(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps, shuffle=False)
    return get_data_adapter(validation_data, batch_size=batch_size, steps_per_epoch=steps, shuffle=False)


def _as_array_tree(x):
    if x is None:
        return None
    return tree.map_structure(lambda a: None if a is None else np.asarray(a), x)


def _skip(batches, count):
    for i, batch in enumerate(batches):
        if i >= count:
            yield batch


def _executions(batches, per_execution, first_step):
    """Group an epoch's batches for ``steps_per_execution``: yields (step indices, batches).

    A group holds ``per_execution`` batches of identical shapes (one compiled call runs them);
    a batch of another shape (the short last batch) runs on its own.
    """
    step = first_step
    if per_execution == 1:
        for batch in batches:
            yield [step], [batch]
            step += 1
        return
    group = []
    for batch in batches:
        if group and _shapes(batch) != _shapes(group[0]):
            for single in group:
                yield [step], [single]
                step += 1
            group = []
        group.append(batch)
        if len(group) == per_execution:
            yield list(range(step, step + per_execution)), group
            step += per_execution
            group = []
    for single in group:
        yield [step], [single]
        step += 1


def _shapes(batch):
    return [None if a is None else a.shape for a in tree.flatten(batch)]


def _class_weight_table(class_weight, y):
    """Validate ``fit(class_weight=...)`` and return it as a NumPy lookup table (or None)."""
    if class_weight is None:
        return None
    if not isinstance(class_weight, dict) or not class_weight:
        raise ValueError(f"fit(): class_weight must be a non-empty dict {{class index: weight}}, "
                         f"received {class_weight!r}")
    if y is not None and not isinstance(y, np.ndarray):
        raise ValueError("fit(): class_weight is only supported for models with a single output "
                         f"(received targets of type {type(y).__name__}); use sample_weight instead")
    keys = sorted(class_weight)
    if not all(isinstance(k, (int, np.integer)) and k >= 0 for k in keys):
        raise ValueError(f"fit(): class_weight keys must be class indices (ints >= 0), received {keys}")
    table = np.ones(int(keys[-1]) + 1, dtype="float32")
    for key, weight in class_weight.items():
        table[int(key)] = float(weight)
    return table


def _apply_class_weight(table, y, sample_weight):
    """Per-sample weights ``table[class of y]`` (times ``sample_weight`` when given)."""
    y = np.asarray(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        classes = np.argmax(y, axis=-1)
    else:
        classes = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype("int64")
    if classes.ndim > 1:
        classes = classes.reshape(classes.shape[0], -1)[:, 0]
    if classes.size and (classes.min() < 0 or classes.max() >= len(table)):
        raise ValueError(f"fit(): class_weight has no entry for class {int(classes.max())}; it covers "
                         f"classes 0..{len(table) - 1}")
    weights = table[classes]
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, dtype="float32").reshape(weights.shape[0], -1)[:, 0]
    return weights


def _with_loss_scaling(optimizer):
    """Wrap ``optimizer`` in a LossScaleOptimizer (mixed_float16 with ``auto_scale_loss``)."""
    from kiln import optimizers

    scaler = getattr(optimizers, "LossScaleOptimizer", None)
    if scaler is None or isinstance(optimizer, scaler):
        return optimizer
    return scaler(optimizer, name="loss_scale_optimizer")
