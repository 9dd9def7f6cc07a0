"""Backend choice: environment, settings file, default, errors, and import isolation."""

import json
import os
import subprocess
import sys

import pytest

import kiln

FRAMEWORKS = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}


def _run(code, env_update, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KILN_BACKEND", "KERAS_BACKEND")}
    env["KILN_HOME"] = str(tmp_path)
    env.update(env_update)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_backend_names_agree():
    assert kiln.backend.backend() == kiln.config.backend()
    assert kiln.config.backend() in ("jax", "torch", "tensorflow", "numpy")


def test_config_helpers():
    assert kiln.config.floatx() == "float32"
    assert kiln.config.epsilon() == pytest.approx(1e-7)
    assert kiln.config.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="channels_last"):
        kiln.config.set_image_data_format("nchw")


def test_unknown_backend_lists_valid_ones(tmp_path):
    result = _run("import kiln", {"KILN_BACKEND": "mxnet"}, tmp_path)
    assert result.returncode != 0
    assert "mxnet" in result.stderr
    for name in ("jax", "torch", "tensorflow", "numpy"):
        assert name in result.stderr


def test_keras_backend_variable_and_settings_file(tmp_path):
    code = "import kiln; print(kiln.backend.backend())"
    result = _run(code, {"KERAS_BACKEND": "numpy"}, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "numpy", result.stderr
    (tmp_path / "kiln.json").write_text(json.dumps({"backend": "numpy"}))
    result = _run(code, {}, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "numpy", result.stderr
    # KILN_BACKEND wins over KERAS_BACKEND.
    result = _run(code, {"KILN_BACKEND": "numpy", "KERAS_BACKEND": "mxnet"}, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "numpy", result.stderr


def test_default_backend_is_jax(tmp_path):
    result = _run("import kiln.config as c; print(c.backend())", {}, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "jax", result.stderr


@pytest.mark.slow
def test_import_leaves_other_frameworks_out(tmp_path):
    """``import kiln`` under the active backend imports no other framework (and no keras)."""
    name = kiln.backend.backend()
    code = ("import sys, kiln, json; "
            "print(json.dumps(sorted(m for m in ('jax', 'torch', 'tensorflow', 'keras') if m in sys.modules)))")
    result = _run(code, {"KILN_BACKEND": name}, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    expected = [FRAMEWORKS[name]] if name in FRAMEWORKS else []
    assert loaded == expected


def test_dtype_policy_through_config():
    try:
        kiln.config.set_dtype_policy("mixed_float16")
        assert kiln.config.dtype_policy().compute_dtype == "float16"
        assert kiln.layers.Dense(2).compute_dtype == "float16"
    finally:
        kiln.config.set_dtype_policy("float32")
    assert kiln.layers.Dense(2).compute_dtype == "float32"


@pytest.mark.skipif(kiln.backend.backend() == "numpy", reason="numpy backend does not train")
def test_max_epochs_and_steps_cap_fit():
    import numpy as np

    model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
    model.compile("sgd", "mse")
    seen = []

    class CountBatches(kiln.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    try:
        kiln.config.set_max_epochs(2)
        kiln.config.set_max_steps_per_epoch(3)
        history = model.fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=4, epochs=10,
                            callbacks=[CountBatches()], verbose=0)
    finally:
        kiln.config.set_max_epochs(None)
        kiln.config.set_max_steps_per_epoch(None)
    assert history.epoch == [0, 1] and seen == [0, 1, 2, 0, 1, 2]


def test_unsafe_deserialization_switch():
    from kiln.saving import serialization_lib as sl

    assert sl.in_safe_mode()
    with sl.SafeModeScope(False):
        assert not sl.in_safe_mode()
    lam = {"class_name": "__lambda__", "config": {"code": "AA=="}}
    with pytest.raises(ValueError, match="Refusing"):
        sl.deserialize_kiln_object(lam)
    try:
        kiln.config.enable_unsafe_deserialization()
        assert not sl.in_safe_mode()
        with sl.SafeModeScope(True):
            assert sl.in_safe_mode()
    finally:
        sl._UNSAFE_BY_DEFAULT[0] = False
