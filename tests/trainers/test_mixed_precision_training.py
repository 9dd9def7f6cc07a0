"""Mixed precision training (issue 5, item 7): a small CNN trains under ``mixed_float16``
and ``mixed_bfloat16`` on every training backend; ``compile`` wraps the optimizer in a
LossScaleOptimizer under ``mixed_float16`` (``auto_scale_loss``) whose dynamic scale
skips non-finite steps.
"""

import numpy as np
import pytest

import kiln
from kiln import layers

BACKEND = kiln.backend.backend()
needs_training = pytest.mark.skipif(BACKEND == "numpy", reason="numpy backend has no autodiff")


@pytest.fixture
def policy(request):
    kiln.mixed_precision.set_global_policy(request.param)
    yield request.param
    kiln.mixed_precision.set_global_policy("float32")


def _images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype("int32")
    x = rng.normal(scale=0.3, size=(n, 8, 8, 1)).astype("float32")
    x[y == 1, 2:6, 2:6, 0] += 1.5  # class 1 has a bright square
    return x, y


def _cnn():
    return kiln.Sequential([
        kiln.Input((8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(2),
        layers.Activation("softmax", dtype="float32"),
    ])


@needs_training
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
def test_cnn_trains_under_mixed_policy(policy):
    x, y = _images()
    model = _cnn()
    compute = policy.split("_")[1]
    assert model.layers[0].compute_dtype == compute
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    model.compile(optimizer=kiln.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    if policy == "mixed_float16":
        assert isinstance(model.optimizer, kiln.optimizers.LossScaleOptimizer)
    else:
        assert not isinstance(model.optimizer, kiln.optimizers.LossScaleOptimizer)
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    out = model.predict(x[:4], verbose=0)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))


@needs_training
@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_dynamic_loss_scale_skips_overflowing_steps(policy):
    x, y = _images(n=16)
    model = _cnn()
    model.compile(optimizer=kiln.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    optimizer = model.optimizer
    model.train_on_batch(x, y)
    scale = float(optimizer.dynamic_scale.numpy()) if hasattr(optimizer, "dynamic_scale") else \
        float(optimizer.scale_loss(kiln.ops.ones(())))
    before = [v.numpy().copy() for v in model.trainable_variables]
    huge = x * np.float32(6e4)  # the float16 forward pass overflows: a non-finite step
    model.train_on_batch(huge, y)
    after = [v.numpy() for v in model.trainable_variables]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    new_scale = float(optimizer.scale_loss(kiln.ops.ones(())))
    assert new_scale == scale / 2


@needs_training
def test_auto_scale_loss_false_keeps_the_optimizer():
    kiln.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _cnn()
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", auto_scale_loss=False)
        assert type(model.optimizer).__name__ == "SGD"
    finally:
        kiln.mixed_precision.set_global_policy("float32")
