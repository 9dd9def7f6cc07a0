"""JAX training steps: one ``jax.jit``-compiled pure step over explicit state.

The steps follow Keras 3's JAX signatures, so a model may override them:
``train_step(state, data) -> (logs, state)`` with ``state = (trainable,
non_trainable, optimizer, metrics)`` variable values, ``test_step(state, data)
-> (logs, state)`` with ``state = (trainable, non_trainable, metrics)``, and
``predict_step(state, data) -> (outputs, non_trainable)``.

Between steps the state lives in a holder on the model; its buffers are
donated to each step and written back into the Variables by :func:`sync_state`
(at each epoch's end, before evaluation, saving and per-batch callbacks that
read weights). ``steps_per_execution=N`` runs N steps in one compiled call
(``lax.scan`` over N stacked batches), traced once.

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import jax
import jax.numpy as jnp
import numpy as np

from kiln.backend.common import train_steps
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
    if not isinstance(logs, dict):
        return logs
    ordered = {name: logs[name] for name in names if name in logs}
    ordered.update((k, v) for k, v in logs.items() if k not in ordered)
    return ordered


def _as_lists(state):
    # lax.scan and donation need the same structure in and out; overrides may return tuples.
    return tuple(list(group) for group in state)


# -- the default steps (Keras 3's JAX signatures) ----------------------------------------
def compute_loss_and_updates(model, trainable_variables, non_trainable_variables, metrics_variables,
                             x, y, sample_weight, training=False, optimizer_variables=None):
    """The (scaled) loss and ``(unscaled_loss, y_pred, non_trainable_variables, metrics_variables)``."""
    mapping = list(zip(model.trainable_variables, trainable_variables))
    ntvars = model.non_trainable_variables
    mapping += list(zip(ntvars, non_trainable_variables))
    optimizer = model.optimizer
    if optimizer_variables is not None and optimizer is not None:
        # The loss scale of a LossScaleOptimizer is an optimizer variable.
        mapping += list(zip(optimizer.variables, optimizer_variables))
    with StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
        y_pred = model(x, training=training)
        loss = train_steps.compute_loss(model, x, y, y_pred, sample_weight, training)
        unscaled_loss = loss
        if training and optimizer is not None:
            loss = optimizer.scale_loss(loss)
    new_ntv = [_updated(scope, v, old) for v, old in zip(ntvars, non_trainable_variables)]
    return loss, (unscaled_loss, y_pred, new_ntv, metrics_variables)


def _stateless_metrics(model, metrics_variables, x, y, y_pred, sample_weight, loss):
    mvars = model.metrics_variables
    with StatelessScope(state_mapping=list(zip(mvars, metrics_variables))) as scope:
        logs = train_steps.update_loss_and_metrics(model, x, y, y_pred, sample_weight, loss)
    return logs, [_updated(scope, v, old) for v, old in zip(mvars, metrics_variables)]


def train_step(model, state, data):
    """One training step as a pure function: ``(logs, new_state)``."""
    tv, ntv, ov, mv = state
    x, y, sample_weight = train_steps.unpack_x_y_sample_weight(data)
    grad_fn = jax.value_and_grad(model.compute_loss_and_updates, has_aux=True)
    (_, (unscaled_loss, y_pred, ntv, mv)), grads = grad_fn(
        tv, ntv, mv, x, y, sample_weight, training=True, optimizer_variables=ov)
    if tv:
        tv, ov = model.optimizer.stateless_apply(ov, grads, tv)
    logs, mv = _stateless_metrics(model, mv, x, y, y_pred, sample_weight, unscaled_loss)
    return logs, (list(tv), list(ntv), list(ov), mv)


def test_step(model, state, data):
    """One evaluation step as a pure function: ``(logs, (trainable, non_trainable, metrics))``."""
    tv, ntv, mv = state
    x, y, sample_weight = train_steps.unpack_x_y_sample_weight(data)
    # The module function, not the method: a model that overrides compute_loss_and_updates
    # with its own signature (Keras' recipe for a custom train_step) still evaluates.
    _, (unscaled_loss, y_pred, ntv, mv) = compute_loss_and_updates(
        model, tv, ntv, mv, x, y, sample_weight, training=False)
    logs, mv = _stateless_metrics(model, mv, x, y, y_pred, sample_weight, unscaled_loss)
    return logs, (tv, ntv, mv)


def predict_step(model, state, data):
    """One prediction step as a pure function: ``(outputs, non_trainable)``."""
    tv, ntv = state
    x, _, _ = train_steps.unpack_x_y_sample_weight(data)
    mapping = list(zip(model.trainable_variables, tv)) + list(zip(model.non_trainable_variables, ntv))
    with StatelessScope(state_mapping=mapping) as scope:
        outputs = model(x, training=False)
    return outputs, [_updated(scope, v, old) for v, old in zip(model.non_trainable_variables, ntv)]


# -- compiled functions used by the epoch loop -------------------------------------------
def _jit(model, fn, **kwargs):
    return jax.jit(fn, **kwargs) if model.jit_compile else fn


def make_train_function(model):
    """``train_function(data)`` for one batch; ``train_function.run_steps(batches)`` for N same-shaped ones."""
    holder = _attach(model, _groups(model))
    names = model.metrics_names

    def one_step(state, data):
        logs, state = model.train_step(state, data)
        return logs, _as_lists(state)

    def many_steps(state, stacked):
        def body(carry, data):
            logs, carry = one_step(carry, data)
            return carry, logs

        state, logs = jax.lax.scan(body, state, stacked)
        return jax.tree_util.tree_map(lambda v: v[-1], logs), state

    compiled_one = _jit(model, one_step, donate_argnums=0)
    compiled_many = _jit(model, many_steps, donate_argnums=0)

    def train_function(data):
        logs, state = compiled_one(holder.take(), data)
        holder.put(state)
        return _in_metric_order(names, logs)

    def run_steps(batches):
        stacked = jax.tree_util.tree_map(lambda *leaves: np.stack(leaves), *batches)
        logs, state = compiled_many(holder.take(), stacked)
        holder.put(state)
        return _in_metric_order(names, logs)

    train_function.run_steps = run_steps
    return train_function


def make_test_function(model):
    tvars, ntvars, _, mvars = _groups(model)
    names = model.metrics_names

    def one_step(tv, ntv, mv, data):
        logs, (_, ntv, mv) = model.test_step((tv, ntv, mv), data)
        return logs, list(mv)

    compiled = _jit(model, one_step)

    def test_function(data):
        logs, mv = compiled([v.value for v in tvars], [v.value for v in ntvars],
                            [v.value for v in mvars], data)
        for variable, value in zip(mvars, mv):
            variable._direct_assign(value)
        return _in_metric_order(names, logs)

    return test_function


def make_predict_function(model):
    tvars, ntvars = list(model.trainable_variables), list(model.non_trainable_variables)

    def one_step(tv, ntv, data):
        outputs, _ = model.predict_step((tv, ntv), data)
        return outputs

    compiled = _jit(model, one_step)

    def predict_function(data):
        return compiled([v.value for v in tvars], [v.value for v in ntvars], data)

    return predict_function


def to_backend_batch(batch):
    # NumPy batches go straight into the jitted step; JAX transfers them once there.
    return batch


def sync_state(model):
    holder = model.__dict__.get("_step_state_owner")
    if holder is not None:
        holder.sync()
