"""Shared conformance checks every layer test runs (``run_layer_test``).

It builds the layer on a first eager call, compares the eager output shape
with the symbolic one (a KerasTensor with a None batch), checks weight counts
and variable paths, runs ``training=True/False``, and round-trips the config
(``get_config`` -> ``from_config`` gives the same config and, with the same
weights, the same output). The envelope must be JSON-serializable and rebuild
through ``deserialize_kiln_object``.
"""

import json

import numpy as np

from kiln import KerasTensor, ops
from kiln.saving import serialization_lib


def to_numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def make_input(shape, dtype="float32", seed=0, low=0, high=10):
    """A NumPy array (or list of arrays for a list of shapes) to feed a layer."""
    rng = np.random.default_rng(seed)
    if isinstance(shape, list):
        return [make_input(s, dtype, seed + i, low, high) for i, s in enumerate(shape)]
    if "int" in dtype:
        return rng.integers(low, high, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return rng.standard_normal(shape).astype(dtype)


def _to_tensor(data):
    if isinstance(data, list):
        return [ops.convert_to_tensor(d) for d in data]
    return ops.convert_to_tensor(data)


def _symbolic(shape, dtype):
    if isinstance(shape, list):
        return [_symbolic(s, dtype) for s in shape]
    return KerasTensor((None,) + tuple(shape[1:]), dtype=dtype)


def _shape(x):
    return tuple(int(d) for d in x.shape)


def _structure_shapes(outputs):
    if isinstance(outputs, (list, tuple)):
        return [_shape(o) for o in outputs]
    return _shape(outputs)


def run_layer_test(layer_cls, init_kwargs, input_shape, input_dtype="float32",
                   expected_output_shape=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, expected_num_seed_generators=None,
                   supports_training=True, input_data=None, expected_output=None,
                   expected_output_dtype=None, call_kwargs=None, run_symbolic=True,
                   rtol=1e-5, atol=1e-5):
    """Run the shared checks on ``layer_cls(**init_kwargs)`` and return the built layer.

    ``input_shape`` includes the batch axis (a list of shapes for multi-input
    layers). ``input_data`` overrides the generated random input.
    """
    call_kwargs = dict(call_kwargs or {})
    data = input_data if input_data is not None else make_input(input_shape, input_dtype)
    x = _to_tensor(data)

    layer = layer_cls(**init_kwargs)
    had_build = type(layer).build is not _base_build()
    output = layer(x, **call_kwargs)
    assert layer.built, f"{layer_cls.__name__} is not built after its first call"
    eager_shape = _structure_shapes(output)
    if expected_output_shape is not None:
        assert eager_shape == (list(map(tuple, expected_output_shape))
                               if isinstance(expected_output_shape, list) else tuple(expected_output_shape)), \
            f"{layer_cls.__name__}: output shape {eager_shape}, expected {expected_output_shape}"
    if expected_output is not None:
        np.testing.assert_allclose(to_numpy(output), np.asarray(expected_output), rtol=rtol, atol=atol)
    if expected_output_dtype is not None:
        assert ops.dtype(output) == expected_output_dtype

    # Weight counts and variable paths.
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, \
            [v.path for v in layer.trainable_weights]
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, \
            [v.path for v in layer.non_trainable_weights]
    if expected_num_seed_generators is not None:
        assert len(layer._seed_generators) == expected_num_seed_generators
    for v in layer.weights:
        assert v.path.startswith(layer.name + "/"), f"variable path {v.path!r} not under {layer.name!r}"
    assert len({v.path for v in layer.weights}) == len(layer.weights), "duplicate variable paths"

    # Symbolic shape == eager shape, with a None batch.
    if run_symbolic:
        sym_layer = layer_cls(**init_kwargs)
        sym_out = sym_layer(_symbolic(input_shape, input_dtype), **call_kwargs)
        sym_shapes = ([tuple(o.shape) for o in sym_out] if isinstance(sym_out, (list, tuple))
                      else tuple(sym_out.shape))
        expected_sym = ([(None,) + s[1:] for s in eager_shape] if isinstance(eager_shape, list)
                        else (None,) + eager_shape[1:])
        assert sym_shapes == expected_sym, \
            f"{layer_cls.__name__}: symbolic shape {sym_shapes} != eager shape {expected_sym}"
        assert sym_layer.built
        assert len(sym_layer.weights) == len(layer.weights)

    # training=True / training=False both run and keep the shape.
    if supports_training:
        for training in (True, False):
            out = layer(x, training=training, **call_kwargs)
            assert _structure_shapes(out) == eager_shape

    # Config round trip: same config, same outputs with the same weights.
    config = layer.get_config()
    json.dumps(serialization_lib.serialize_kiln_object(config))
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    clone(x, **call_kwargs)
    clone.set_weights(layer.get_weights())
    ref = layer(x, training=False, **call_kwargs) if supports_training else layer(x, **call_kwargs)
    got = clone(x, training=False, **call_kwargs) if supports_training else clone(x, **call_kwargs)
    _assert_close(ref, got, rtol, atol)

    # Envelope round trip (what model saving writes).
    envelope = serialization_lib.serialize_kiln_object(layer)
    json.dumps(envelope)
    assert envelope["module"] == "keras.layers"
    assert envelope["class_name"] == layer_cls.__name__
    rebuilt = serialization_lib.deserialize_kiln_object(json.loads(json.dumps(envelope)))
    assert type(rebuilt) is layer_cls
    assert rebuilt.get_config() == config
    if had_build and "build_config" in envelope:
        assert rebuilt.built and len(rebuilt.weights) == len(layer.weights)
    return layer


def _assert_close(a, b, rtol, atol):
    if isinstance(a, (list, tuple)):
        for x, y in zip(a, b):
            _assert_close(x, y, rtol, atol)
        return
    np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=rtol, atol=atol)


def _base_build():
    from kiln.layers import Layer

    return Layer.build
