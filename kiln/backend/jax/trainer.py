"""JAX training steps: one ``jax.jit``-compiled pure step over explicit state.

The state ``(trainable, non_trainable, optimizer, metric)`` values lives in a
holder on the model between steps; its buffers are donated to each step, and
written back into the Variables by :func:`sync_state` (at each epoch's end,
before evaluation and saving).

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import jax
import jax.numpy as jnp

from kiln.backend.common.scopes import StatelessScope


class _StepState:
    """Holds the step state between jitted steps; None means "read the Variables"."""

    def __init__(self, groups):
        self.groups = groups
        self.values = None

    def take(self):
        if self.values is None:
            # Copies: the step donates its input buffers, which must not be the Variables' own.
            return tuple([jnp.array(v.value, copy=True) for v in group] for group in self.groups)
        values, self.values = self.values, None
        return values

    def put(self, values):
        self.values = values

    def sync(self):
        if self.values is None:
            return
        for group, values in zip(self.groups, self.values):
            for variable, value in zip(group, values):
                variable._direct_assign(value)
        self.values = None


def _updated(scope, variable, old):
    value = scope.get_current_value(variable)
    return old if value is None else value


def _groups(model):
    optimizer_vars = list(model.optimizer.variables) if model.optimizer is not None else []
    return (list(model.trainable_variables), list(model.non_trainable_variables), optimizer_vars,
            list(model.metrics_variables))


def _attach(model, groups):
    holder = model.__dict__.get("_step_state_owner")
    if holder is not None:
        holder.sync()
    holder = _StepState(groups)
    object.__setattr__(model, "_step_state_owner", holder)
    return holder


def _in_metric_order(names, logs):
    # jax.jit returns dicts with sorted keys; show logs in the model's metric order.
    return {name: logs[name] for name in names if name in logs}


def make_train_function(model):
    groups = _groups(model)
    tvars, ntvars, _, mvars = groups
    optimizer = model.optimizer

    def loss_fn(tv, ntv, x, y, sw):
        mapping = list(zip(tvars, tv)) + list(zip(ntvars, ntv))
        with StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x, y, y_pred, sw, training=True)
        new_ntv = [_updated(scope, v, old) for v, old in zip(ntvars, ntv)]
        return loss, (y_pred, new_ntv)

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

    def step(state, batch):
        tv, ntv, ov, mv = state
        x, y, sw = batch
        (loss, (y_pred, ntv)), grads = grad_fn(tv, ntv, x, y, sw)
        tv, ov = optimizer.stateless_apply(ov, grads, tv)
        with StatelessScope(state_mapping=list(zip(mvars, mv))) as scope:
            logs = model.compute_metrics(x, y, y_pred, sw, loss=loss)
        mv = [_updated(scope, v, old) for v, old in zip(mvars, mv)]
        return logs, (list(tv), ntv, list(ov), mv)

    compiled = jax.jit(step, donate_argnums=0) if model.jit_compile else step
    holder = _attach(model, groups)

    names = model.metrics_names

    def train_function(batch):
        logs, state = compiled(holder.take(), batch)
        holder.put(state)
        return _in_metric_order(names, logs)

    return train_function


def make_test_function(model):
    tvars, ntvars, _, mvars = _groups(model)

    def step(tv, ntv, mv, batch):
        x, y, sw = batch
        mapping = list(zip(tvars, tv)) + list(zip(ntvars, ntv))
        with StatelessScope(state_mapping=mapping, collect_losses=True):
            y_pred = model(x, training=False)
            loss = model.compute_loss(x, y, y_pred, sw, training=False)
        with StatelessScope(state_mapping=list(zip(mvars, mv))) as scope:
            logs = model.compute_metrics(x, y, y_pred, sw, loss=loss)
        return logs, [_updated(scope, v, old) for v, old in zip(mvars, mv)]

    compiled = jax.jit(step) if model.jit_compile else step
    names = model.metrics_names

    def test_function(batch):
        logs, mv = compiled([v.value for v in tvars], [v.value for v in ntvars],
                            [v.value for v in mvars], batch)
        for variable, value in zip(mvars, mv):
            variable._direct_assign(value)
        return _in_metric_order(names, logs)

    return test_function


def make_predict_function(model):
    tvars, ntvars = list(model.trainable_variables), list(model.non_trainable_variables)

    def step(tv, ntv, x):
        mapping = list(zip(tvars, tv)) + list(zip(ntvars, ntv))
        with StatelessScope(state_mapping=mapping):
            return model(x, training=False)

    compiled = jax.jit(step) if model.jit_compile else step

    def predict_function(x):
        return compiled([v.value for v in tvars], [v.value for v in ntvars], x)

    return predict_function


def to_backend_batch(batch):
    # NumPy batches go straight into the jitted step; JAX transfers them once there.
    return batch


def sync_state(model):
    holder = model.__dict__.get("_step_state_owner")
    if holder is not None:
        holder.sync()
