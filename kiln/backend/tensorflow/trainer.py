"""TensorFlow training steps: ``tf.GradientTape`` inside one ``tf.function``.

``compile(jit_compile=True)`` adds XLA; ``run_eagerly=True`` skips tf.function.

Example:
    >>> # used by kiln.Model.fit; see kiln/trainers/trainer.py
"""

import tensorflow as tf

from kiln import tree


def _maybe_function(model, fn):
    if model.run_eagerly:
        return fn
    # autograph=False: Kiln code branches on Python values only (ops.cond for tensors),
    # and converting every Kiln module costs seconds on the first call.
    return tf.function(fn, jit_compile=bool(model.jit_compile), reduce_retracing=True, autograph=False)


def make_train_function(model):
    tvars = list(model.trainable_variables)
    optimizer = model.optimizer

    def step(batch):
        x, y, sw = batch
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x, y, y_pred, sw, training=True)
        grads = tape.gradient(loss, [v._value for v in tvars])
        optimizer.apply(grads, tvars)
        return model.compute_metrics(x, y, y_pred, sw, loss=loss)

    return _maybe_function(model, step)


def make_test_function(model):
    def step(batch):
        x, y, sw = batch
        y_pred = model(x, training=False)
        loss = model.compute_loss(x, y, y_pred, sw, training=False)
        return model.compute_metrics(x, y, y_pred, sw, loss=loss)

    return _maybe_function(model, step)


def make_predict_function(model):
    def step(x):
        return model(x, training=False)

    return _maybe_function(model, step)


def to_backend_batch(batch):
    return tree.map_structure(lambda a: None if a is None else tf.convert_to_tensor(a), batch)


def sync_state(model):
    """Nothing to do: tf.Variables are updated in place by the step."""
