"""Subprocess worker for ``test_cross_backend.py``: saves or loads ``.keras`` files on one backend.

``KILN_BACKEND=<b> python cross_backend_worker.py <folder> [--save] [--load <saver> ...]``

The backend is chosen by the environment before Kiln is imported, so each
backend runs in its own interpreter, and one run does all of that backend's
saves and loads.

``--save`` builds a small two-input functional model (Conv2D,
BatchNormalization, Dropout, Dense, LSTM), compiles it with Adam and trains it
two steps where the backend can train (numpy cannot: it builds the optimizer
untrained), then writes ``<b>.keras`` and ``<b>.npz``: the fixed inputs, the
predictions, and every trainable and optimizer variable by path and in order.

``--load`` waits for each named saver to finish (so loaders can start while
the saver works), loads its file and writes ``<saver>_to_<b>.json``
(or the error, so the test names the failing pair): the largest prediction,
weight and optimizer-variable differences against the saver's record, the
variable paths on both sides, one Adam step with fixed gradients against a
NumPy Adam computed from the saver's state (so the restored moments and step
count are the ones used), and, where this backend trains and is not the
saver, two more ``fit`` steps.
"""

import json
import os
import sys
import time
import traceback

import numpy as np

BACKEND = os.environ["KILN_BACKEND"]
LEARNING_RATE = 0.01
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def fixed_inputs():
    rng = np.random.default_rng(1234)
    return [rng.normal(size=(4, 6, 6, 2)).astype("float32"),
            rng.normal(size=(4, 5, 3)).astype("float32")]


def training_data():
    rng = np.random.default_rng(99)
    inputs = [rng.normal(size=(8, 6, 6, 2)).astype("float32"),
              rng.normal(size=(8, 5, 3)).astype("float32")]
    return inputs, rng.normal(size=(8, 2)).astype("float32")


def fixed_gradient(shape, index):
    """A deterministic gradient of ``shape``, different for every variable."""
    n = int(np.prod(shape, dtype=np.int64))
    values = np.sin(np.arange(n, dtype="float64") + 3.0 * index) * 0.5
    return values.reshape(shape).astype("float32")


def build_model(kiln):
    kiln.utils.set_random_seed(7)
    image = kiln.Input((6, 6, 2), name="image")
    sequence = kiln.Input((5, 3), name="sequence")
    x = kiln.layers.Conv2D(3, 3, activation="relu", name="conv")(image)
    x = kiln.layers.BatchNormalization(name="bn")(x)
    x = kiln.layers.Flatten(name="flatten")(x)
    x = kiln.layers.Dropout(0.25, name="drop")(x)
    x = kiln.layers.Dense(4, activation="tanh", name="dense_image")(x)
    y = kiln.layers.LSTM(4, name="lstm")(sequence)
    z = kiln.layers.Concatenate(name="concat")([x, y])
    out = kiln.layers.Dense(2, name="head")(z)
    return kiln.Model([image, sequence], out, name="cross_backend_model")


def to_numpy(kiln, variable):
    return np.array(kiln.ops.convert_to_numpy(variable.value))


def save(kiln, folder):
    model = build_model(kiln)
    optimizer = kiln.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1, beta_2=BETA_2,
                                     epsilon=EPSILON)
    model.compile(optimizer=optimizer, loss="mse")
    if BACKEND == "numpy":
        model.optimizer.build(model.trainable_variables)
    else:
        inputs, target = training_data()
        model.fit(inputs, target, batch_size=4, epochs=1, shuffle=False, verbose=0)
    record = {"prediction": model.predict(fixed_inputs(), verbose=0)}
    record.update({"weight:" + v.path: to_numpy(kiln, v) for v in model.weights})
    record.update({"opt:" + v.path: to_numpy(kiln, v) for v in model.optimizer.variables})
    model.save(os.path.join(folder, f"{BACKEND}.keras"))
    np.savez(os.path.join(folder, f"{BACKEND}.npz"), **record)
    order = {"weights": [v.path for v in model.weights],
             "trainable": [v.path for v in model.trainable_variables],
             "optimizer": [v.path for v in model.optimizer.variables]}
    with open(os.path.join(folder, f"{BACKEND}.order.json"), "w") as f:
        json.dump(order, f)


def _max_diffs(kiln, variables, record, prefix):
    """{path: max |loaded - saved|}, None where the saver has no such path or another shape."""
    out = {}
    for v in variables:
        saved, value = record.get(prefix + v.path), to_numpy(kiln, v)
        ok = saved is not None and saved.shape == value.shape
        out[v.path] = (float(np.max(np.abs(value.astype("float64") - saved), initial=0.0))
                       if ok else None)
    return out


def _adam_step_errors(kiln, model, record):
    """Apply fixed gradients; compare with NumPy Adam run from the saver's weights and moments."""
    trainable = model.trainable_variables
    grads = [fixed_gradient(tuple(v.shape), i) for i, v in enumerate(trainable)]
    model.optimizer.apply_gradients(zip([kiln.ops.convert_to_tensor(g) for g in grads], trainable))
    # The saver's step count, plus this step.
    step = float(record["opt:" + model.optimizer.iterations.path]) + 1
    alpha = LEARNING_RATE * np.sqrt(1 - BETA_2 ** step) / (1 - BETA_1 ** step)
    errors = {}
    for v, g in zip(trainable, grads):
        name = v.path.replace("/", "_")
        m = record[f"opt:adam/{name}_momentum"].astype("float64")
        s = record[f"opt:adam/{name}_velocity"].astype("float64")
        m = m + (g - m) * (1 - BETA_1)
        s = s + (g * g - s) * (1 - BETA_2)
        expected = record["weight:" + v.path] - alpha * m / (np.sqrt(s) + EPSILON)
        errors[v.path] = float(np.max(np.abs(to_numpy(kiln, v) - expected)))
    return errors


def load_one(kiln, folder, saver):
    with np.load(os.path.join(folder, f"{saver}.npz")) as data:
        record = {k: data[k] for k in data.files}
    with open(os.path.join(folder, f"{saver}.order.json")) as f:
        saved_order = json.load(f)
    model = kiln.models.load_model(os.path.join(folder, f"{saver}.keras"))
    prediction = model.predict(fixed_inputs(), verbose=0)
    result = {"prediction_max_diff": float(np.max(np.abs(prediction - record["prediction"]))),
              "prediction_shape": list(prediction.shape),
              "saved_order": saved_order,
              "loaded_order": {"weights": [v.path for v in model.weights],
                               "trainable": [v.path for v in model.trainable_variables],
                               "optimizer": ([v.path for v in model.optimizer.variables]
                                             if model.optimizer is not None else None)},
              "weight_diffs": _max_diffs(kiln, model.weights, record, "weight:")}
    if model.optimizer is None:
        return result
    result["optimizer_diffs"] = _max_diffs(kiln, model.optimizer.variables, record, "opt:")
    result["adam_step_errors"] = _adam_step_errors(kiln, model, record)
    if BACKEND not in ("numpy", saver):  # the saver itself trained this model already
        iterations = int(to_numpy(kiln, model.optimizer.iterations))
        inputs, target = training_data()
        history = model.fit(inputs, target, batch_size=4, epochs=1, shuffle=False, verbose=0)
        result["continued"] = {
            "iterations_before": iterations,
            "iterations_after": int(to_numpy(kiln, model.optimizer.iterations)),
            "loss": [float(x) for x in history.history["loss"]],
            "all_finite": bool(all(np.all(np.isfinite(to_numpy(kiln, v))) for v in model.weights)),
        }
    return result


def wait_for(folder, saver, timeout_s=600):
    """Wait until ``saver`` has written its files (loaders start at once and import meanwhile)."""
    deadline = time.monotonic() + timeout_s
    while not os.path.exists(os.path.join(folder, f"{saver}.done")):
        if os.path.exists(os.path.join(folder, f"{saver}.failed")):
            raise RuntimeError(f"the {saver} worker failed to save its model (see its output)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no model from the {saver} worker after {timeout_s} s")
        time.sleep(0.05)


def main(argv):
    import kiln

    folder, args = argv[0], argv[1:]
    if args and args[0] == "--save":
        try:
            save(kiln, folder)
        except BaseException:
            open(os.path.join(folder, f"{BACKEND}.failed"), "w").close()
            raise
        open(os.path.join(folder, f"{BACKEND}.done"), "w").close()
        args = args[1:]
    if args:
        if args[0] != "--load":
            raise SystemExit("cross_backend_worker: expected --save and/or --load <saver> ..., "
                             f"received {args}")
        for saver in args[1:]:
            try:
                wait_for(folder, saver)
                result = load_one(kiln, folder, saver)
            except Exception as e:  # written for the test, which fails naming the pair
                result = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
            with open(os.path.join(folder, f"{saver}_to_{BACKEND}.json"), "w") as f:
                json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
