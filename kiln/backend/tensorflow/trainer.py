"""TensorFlow training steps: ``tf.GradientTape`` inside one ``tf.function``.

The steps follow Keras 3's TensorFlow signatures, so a model may override them:
``train_step(data) -> logs``, ``test_step(data) -> logs``,
``predict_step(data) -> outputs``. ``compile(jit_compile=True)`` adds XLA;
``run_eagerly=True`` skips tf.function. ``steps_per_execution=N`` runs N
steps inside one traced function (a ``tf.while_loop`` over N stacked
batches), traced once.

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import numpy as np
import tensorflow as tf

from kiln import tree
from kiln.backend.common import train_steps


def _maybe_function(model, fn):
    if model.run_eagerly:
        return fn
    # One tf.function per combination of input ranks: reduce_retracing relaxes sizes to None,
    # but a rank change (targets (N,) after (N, 1)) would relax to an unknown rank, which the
    # losses' rank alignment cannot read.
    by_ranks = {}

    def call(data):
        key = tuple(len(leaf.shape) for leaf in tree.flatten(data) if leaf is not None)
        compiled = by_ranks.get(key)
        if compiled is None:
            # autograph=False: Kiln code branches on Python values only (ops.cond for tensors),
            # and converting every Kiln module costs seconds on the first call.
            compiled = by_ranks[key] = tf.function(fn, jit_compile=bool(model.jit_compile), reduce_retracing=True,
                                                   autograph=False)
        return compiled(data)

    return call


def train_step(model, data):
    """One training step (traced into the step function); returns the logs."""
    x, y, sample_weight = train_steps.unpack_x_y_sample_weight(data)
    tvars = model.trainable_variables
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = train_steps.compute_loss(model, x, y, y_pred, sample_weight, True)
        scaled_loss = model.optimizer.scale_loss(loss)
    if tvars:
        grads = tape.gradient(scaled_loss, [v.value for v in tvars])
        model.optimizer.apply(grads, tvars)
    return train_steps.update_loss_and_metrics(model, x, y, y_pred, sample_weight, loss)


# Forward, loss and metrics need nothing TensorFlow-specific (tf.function traces them as they are).
test_step = train_steps.test_step
predict_step = train_steps.predict_step


def make_train_function(model):
    """``train_function(data)`` for one batch; ``train_function.run_steps(batches)`` for N same-shaped ones."""
    one = _maybe_function(model, lambda data: model.train_step(data))

    def many(stacked):
        first = tree.map_structure(lambda t: t[0], stacked)
        logs = model.train_step(first)
        count = tf.shape(tree.flatten(stacked)[0])[0]

        def body(i, logs):
            data = tree.map_structure(lambda t: t[i], stacked)
            new_logs = model.train_step(data)
            return i + 1, {k: tf.cast(new_logs[k], logs[k].dtype) for k in logs}

        _, logs = tf.while_loop(lambda i, _: i < count, body, (tf.constant(1), dict(logs)))
        return logs

    compiled_many = _maybe_function(model, many)

    def train_function(data):
        return one(data)

    def run_steps(batches):
        stacked = tree.map_structure(lambda *leaves: tf.stack(leaves), *batches)
        return compiled_many(stacked)

    train_function.run_steps = run_steps
    return train_function


def make_test_function(model):
    return _maybe_function(model, lambda data: model.test_step(data))


def make_predict_function(model):
    return _maybe_function(model, lambda data: model.predict_step(data))


def to_backend_batch(batch):
    return tree.map_structure(lambda a: None if a is None else tf.convert_to_tensor(a), batch)


def sync_state(model):
    """Nothing to do: tf.Variables are updated in place by the step."""
