"""Customization at every level, on every training backend (issue 5, item 6).

Overriding ``train_step``/``test_step``/``predict_step`` with Keras 3's signature for
the backend (JAX: stateless ``(state, data)``; torch and TensorFlow: ``(data)``),
``compute_loss``, ``compute_metrics``; ``steps_per_execution`` (one compiled call runs
N steps, traced once); multi-output models with dict/list losses, ``loss_weights`` and
per-output metrics; ``sample_weight`` and ``class_weight``; ``validation_freq``; clear
errors for bad targets and names.
"""

import numpy as np
import pytest

import kiln
from kiln import layers, ops

BACKEND = kiln.backend.backend()
needs_training = pytest.mark.skipif(BACKEND == "numpy", reason="numpy backend has no autodiff")


def _regression(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32") + 0.5).astype("float32")
    return x, y


def _dense_model(seed=1):
    return kiln.Sequential([kiln.Input((4,)),
                            layers.Dense(1, kernel_initializer=kiln.initializers.GlorotUniform(seed))])


# -- train_step / test_step / predict_step overrides, as Keras documents them per backend ----
if BACKEND == "jax":
    import jax

    class CustomModel(kiln.Sequential):
        """Keras' JAX recipe: a pure train_step over explicit state."""

        def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=True)
            return self.compute_loss(x, y, y_pred), (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            self.custom_steps = getattr(self, "custom_steps", 0) + 1  # counts traces on jax
            trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, x, y)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            new_metrics_variables, logs = [], {}
            for metric in self.metrics:
                count = len(metric.variables)
                values = metrics_variables[len(new_metrics_variables):len(new_metrics_variables) + count]
                if metric.name == "loss":
                    values = metric.stateless_update_state(values, loss)
                else:
                    values = metric.stateless_update_state(values, y, y_pred)
                logs[metric.name] = metric.stateless_result(values)
                new_metrics_variables += values
            logs["custom"] = ops.convert_to_tensor(1.0)
            return logs, (trainable_variables, non_trainable_variables, optimizer_variables,
                          new_metrics_variables)

        def test_step(self, state, data):
            trainable_variables, non_trainable_variables, metrics_variables = state
            logs, state = super().test_step(state, data)
            logs["tested"] = ops.convert_to_tensor(2.0)
            return logs, state

        def predict_step(self, state, data):
            outputs, non_trainable_variables = super().predict_step(state, data)
            return ops.multiply(outputs, 0.0), non_trainable_variables

elif BACKEND == "torch":
    import torch

    class CustomModel(kiln.Sequential):
        """Keras' torch recipe: zero_grad, backward, optimizer.apply under no_grad."""

        def train_step(self, data):
            self.custom_steps = getattr(self, "custom_steps", 0) + 1
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            logs = {m.name: m.result() for m in self.metrics}
            logs["custom"] = 1.0
            return logs

        def test_step(self, data):
            logs = super().test_step(data)
            logs["tested"] = 2.0
            return logs

        def predict_step(self, data):
            return ops.multiply(super().predict_step(data), 0.0)

elif BACKEND == "tensorflow":
    import tensorflow as tf

    class CustomModel(kiln.Sequential):
        """Keras' TensorFlow recipe: a GradientTape over the trainable variables."""

        def train_step(self, data):
            self.custom_steps = getattr(self, "custom_steps", 0) + 1  # counts traces in tf.function
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            trainable_vars = self.trainable_variables
            gradients = tape.gradient(loss, trainable_vars)
            self.optimizer.apply(gradients, trainable_vars)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            logs = {m.name: m.result() for m in self.metrics}
            logs["custom"] = tf.constant(1.0)
            return logs

        def test_step(self, data):
            logs = super().test_step(data)
            logs["tested"] = tf.constant(2.0)
            return logs

        def predict_step(self, data):
            return ops.multiply(super().predict_step(data), 0.0)


@needs_training
def test_overridden_steps_train_evaluate_and_predict():
    x, y = _regression()
    model = CustomModel([kiln.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["custom"] == [1.0] * 5
    assert model.custom_steps >= 1
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["tested"] == 2.0 and logs["loss"] < history.history["loss"][0]
    np.testing.assert_array_equal(model.predict(x[:3], verbose=0), np.zeros((3, 1)))


@needs_training
def test_compute_loss_and_compute_metrics_overrides():
    class Penalized(kiln.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):  # no `training`
            base = super().compute_loss(x, y, y_pred, sample_weight)
            return ops.add(base, ops.multiply(0.0, ops.sum(y_pred)))

        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            logs = super().compute_metrics(x, y, y_pred, sample_weight)
            logs["pred_mean"] = ops.mean(y_pred)
            return logs

    x, y = _regression()
    model = Penalized([kiln.Input((4,)), layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.SGD(0.05), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["pred_mean"]) == 3


# -- steps_per_execution ---------------------------------------------------------------------
@needs_training
@pytest.mark.parametrize("per_execution", [1, 4])
def test_steps_per_execution_matches_single_steps_and_traces_once(per_execution):
    x, y = _regression(n=72)  # 4 full batches of 16 and one of 8 per epoch
    results = []
    for spe in (1, per_execution):
        model = _dense_model()
        model.compile(optimizer=kiln.optimizers.SGD(0.02), loss="mse", steps_per_execution=spe)
        calls = []
        original = model.call

        def counting_call(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)

        model.call = counting_call
        model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        results.append([v.numpy() for v in model.trainable_variables])
        if BACKEND in ("jax", "tensorflow"):
            # The model is traced a bounded number of times (once per compiled function and
            # batch shape), not once per step: 15 steps ran.
            assert len(calls) <= 4, f"{len(calls)} traces for 15 steps with steps_per_execution={spe}"
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@needs_training
def test_steps_per_execution_calls_batch_hooks_once_per_execution():
    x, y = _regression(n=64)
    seen = []
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=2)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[
        kiln.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))])
    assert seen == [1, 3]


# -- multi-output, weights, validation --------------------------------------------------------
def _two_output_model():
    inputs = {"a": kiln.Input((3,), name="a"), "b": kiln.Input((2,), name="b")}
    merged = layers.Concatenate()([inputs["a"], inputs["b"]])
    hidden = layers.Dense(8, activation="relu")(merged)
    value = layers.Dense(1, name="value")(hidden)
    label = layers.Dense(3, name="label")(hidden)
    return kiln.Model(inputs, {"value": value, "label": label})


@needs_training
def test_multi_input_multi_output_with_dict_losses_weights_and_metrics():
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(size=(64, 3)).astype("float32"), "b": rng.normal(size=(64, 2)).astype("float32")}
    y = {"value": x["a"][:, :1] * 2.0, "label": (x["b"][:, 0] > 0).astype("int32")}
    model = _two_output_model()
    model.compile(optimizer=kiln.optimizers.Adam(0.02),
                  loss={"value": "mse",
                        "label": kiln.losses.SparseCategoricalCrossentropy(from_logits=True)},
                  loss_weights={"value": 0.5, "label": 2.0},
                  metrics={"value": ["mae"], "label": ["accuracy"]})
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0)
    assert {"loss", "value_loss", "label_loss", "value_mae", "label_accuracy"} <= set(history.history)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    # The total is the weighted sum of the per-output losses.
    preds = model.predict(x, verbose=0)
    mse = np.mean((preds["value"] - y["value"]) ** 2)
    logits = preds["label"] - preds["label"].max(-1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    ce = -np.mean(log_probs[np.arange(64), y["label"]])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], 0.5 * mse + 2.0 * ce, rtol=1e-4)
    np.testing.assert_allclose(logs["value_loss"], mse, rtol=1e-4)
    np.testing.assert_allclose(logs["label_loss"], ce, rtol=1e-4)


@needs_training
def test_list_losses_for_list_outputs():
    inputs = kiln.Input((4,))
    out_a, out_b = layers.Dense(1, name="a")(inputs), layers.Dense(1, name="b")(inputs)
    model = kiln.Model(inputs, [out_a, out_b])
    model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.0], metrics=[["mse"], ["mae"]])
    x, y = _regression()
    logs = model.evaluate(x, [y, y], verbose=0, return_dict=True)
    preds = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["loss"], np.mean((preds[0] - y) ** 2), rtol=1e-5)
    assert {"a_mse", "b_mae"} <= set(logs)


@needs_training
def test_sample_weight_and_class_weight_agree():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    class_weight = {0: 0.25, 1: 3.0}
    sample_weight = np.where(y == 1, 3.0, 0.25).astype("float32")
    losses = []
    for kwargs in ({"class_weight": class_weight}, {"sample_weight": sample_weight}):
        model = kiln.Sequential([kiln.Input((4,)), layers.Dense(2, kernel_initializer="ones")])
        model.compile(optimizer=kiln.optimizers.SGD(0.1),
                      loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0, **kwargs)
        losses.append([v.numpy() for v in model.trainable_variables])
    for a, b in zip(*losses):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, y, class_weight=[1.0, 2.0], verbose=0)


@needs_training
def test_validation_freq_validates_every_nth_epoch():
    x, y = _regression()
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=4, validation_data=(x[:16], y[:16]), validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_loss"]) == 2
    with pytest.raises(ValueError, match="validation_freq"):
        model.fit(x, y, validation_freq=0, verbose=0)


# -- clear errors ------------------------------------------------------------------------------
def test_target_shape_mismatch_names_the_output_and_both_shapes():
    x, _ = _regression()
    model = _two_output_model()
    model.compile(optimizer="sgd", loss={"value": "mse", "label": "mse"})
    bad = {"value": np.zeros((64, 1), "float32"), "label": np.zeros((64, 5), "float32")}
    with pytest.raises(ValueError, match=r"'label'.*\(\d+, 5\).*\(\d+, 3\)"):
        model.evaluate({"a": x[:, :3], "b": x[:, :2]}, bad, verbose=0)


def test_unknown_names_list_the_valid_ones():
    model = _dense_model()
    with pytest.raises(ValueError, match="adam"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error"):
        model.compile(optimizer="sgd", loss="mean_squared_eror")
    with pytest.raises(ValueError, match="mean_absolute_error"):
        model.compile(optimizer="sgd", loss="mse", metrics=["mean_absolute_eror"])
