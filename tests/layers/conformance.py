"""Shared conformance checks every layer test runs (``run_layer_test``).

On the active backend it:

1. builds the layer on a first eager call and checks output shape/value/dtype;
2. compares the eager output shape with the symbolic one (KerasTensors with a
   None batch) and the weight counts of both;
3. checks weight counts and variable paths;
4. runs ``training=True`` and ``False`` (and, with ``training_changes_output``,
   checks whether they differ);
5. round-trips the config (``get_config`` -> ``from_config`` gives the same
   config and, with the same weights, the same output) and the serialized
   envelope;
6. masks: with ``input_mask``, the eager ``compute_mask`` and the mask a
   symbolic call attaches to its output agree (and equal
   ``expected_output_mask`` when given);
7. trains: a functional model around a fresh layer, reduced to one float per
   sample, runs seven Adam steps towards a target with ``train_on_batch``; when
   the layer has trainable weights the loss must go down from the second step (jax/torch/tensorflow;
   numpy has no autodiff);
8. mixed precision: under ``mixed_float16`` and ``mixed_bfloat16`` the layer
   keeps float32 weights, returns its compute dtype (``mixed_output_dtype``
   overrides), symbolically and eagerly, and, with the float32 layer's weights,
   matches its output within half-precision tolerance.

Inputs: ``input_shape`` is one shape (batch axis included), a list of shapes
(the layer is called with a list) or a dict of shapes (the layer is called with
keyword arguments, e.g. ``{"query": (2, 3, 4), "value": (2, 5, 4)}``).

Opt-outs (``run_training_check``, ``run_mixed_precision_check``) exist for
layers where the check has no meaning; a test using one says why next to it.
"""

import json

import numpy as np

from kiln import KerasTensor, backend, layers, ops, tree
from kiln.saving import serialization_lib


def to_numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def make_input(shape, dtype="float32", seed=0, low=0, high=10):
    """A NumPy array (or a list/dict of arrays for a list/dict of shapes) to feed a layer."""
    rng = np.random.default_rng(seed)
    if isinstance(shape, dict):
        return {k: make_input(s, dtype, seed + i, low, high) for i, (k, s) in enumerate(shape.items())}
    if isinstance(shape, list):
        return [make_input(s, dtype, seed + i, low, high) for i, s in enumerate(shape)]
    if "int" in dtype:
        return rng.integers(low, high, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return rng.standard_normal(shape).astype(dtype)


def _to_tensor(data):
    if isinstance(data, dict):
        return {k: ops.convert_to_tensor(d) for k, d in data.items()}
    if isinstance(data, list):
        return [ops.convert_to_tensor(d) for d in data]
    return ops.convert_to_tensor(data)


def _symbolic(shape, dtype):
    if isinstance(shape, dict):
        return {k: _symbolic(s, dtype) for k, s in shape.items()}
    if isinstance(shape, list):
        return [_symbolic(s, dtype) for s in shape]
    return KerasTensor((None,) + tuple(shape[1:]), dtype=dtype)


def _call(layer, inputs, call_kwargs, **extra):
    """Call with the inputs as one argument, or as keyword arguments for a dict."""
    if isinstance(inputs, dict):
        return layer(**inputs, **call_kwargs, **extra)
    return layer(inputs, **call_kwargs, **extra)


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
                   input_mask=None, expected_output_mask=None, training_changes_output=None,
                   run_training_check=True, run_mixed_precision_check=True,
                   mixed_output_dtype="compute", rtol=1e-5, atol=1e-5):
    """Run the shared checks on ``layer_cls(**init_kwargs)`` and return the built layer.

    ``input_shape`` includes the batch axis (a list of shapes for multi-input
    layers, a dict for keyword inputs). ``input_data`` overrides the generated
    random input. ``input_mask`` (a boolean array) turns on the mask checks.
    ``mixed_output_dtype`` is the output dtype expected under a mixed policy:
    ``"compute"`` (the policy's compute dtype) or a dtype name.

    Example:
        >>> from kiln import layers
        >>> layer = run_layer_test(layers.Dense, {"units": 2}, input_shape=(3, 4))  # doctest: +SKIP
    """
    call_kwargs = dict(call_kwargs or {})
    data = input_data if input_data is not None else make_input(input_shape, input_dtype)
    x = _to_tensor(data)
    name = layer_cls.__name__

    layer = layer_cls(**init_kwargs)
    had_build = type(layer).build is not _base_build()
    output = _call(layer, x, call_kwargs)
    assert layer.built, f"{name} is not built after its first call"
    eager_shape = _structure_shapes(output)
    if expected_output_shape is not None:
        assert eager_shape == (list(map(tuple, expected_output_shape))
                               if isinstance(expected_output_shape, list) else tuple(expected_output_shape)), \
            f"{name}: output shape {eager_shape}, expected {expected_output_shape}"
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
        sym_out = _call(sym_layer, _symbolic(input_shape, input_dtype), call_kwargs)
        sym_shapes = ([tuple(o.shape) for o in sym_out] if isinstance(sym_out, (list, tuple))
                      else tuple(sym_out.shape))
        expected_sym = ([(None,) + s[1:] for s in eager_shape] if isinstance(eager_shape, list)
                        else (None,) + eager_shape[1:])
        assert sym_shapes == expected_sym, \
            f"{name}: symbolic shape {sym_shapes} != eager shape {expected_sym}"
        assert sym_layer.built
        assert len(sym_layer.weights) == len(layer.weights)

    # training=True / training=False both run and keep the shape.
    if supports_training:
        outs = {}
        for training in (True, False):
            outs[training] = _call(layer, x, call_kwargs, training=training)
            assert _structure_shapes(outs[training]) == eager_shape
        if training_changes_output is not None:
            differ = any(not np.allclose(to_numpy(a), to_numpy(b), rtol=rtol, atol=atol)
                         for a, b in zip(tree.flatten(outs[True]), tree.flatten(outs[False])))
            assert differ == training_changes_output, \
                f"{name}: training=True {'changes' if differ else 'does not change'} the output"

    # Config round trip: same config, same outputs with the same weights.
    config = layer.get_config()
    json.dumps(serialization_lib.serialize_kiln_object(config))
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    _call(clone, x, call_kwargs)
    clone.set_weights(layer.get_weights())
    extra = {"training": False} if supports_training else {}
    _assert_close(_call(layer, x, call_kwargs, **extra), _call(clone, x, call_kwargs, **extra), rtol, atol)

    # Envelope round trip (what model saving writes).
    envelope = serialization_lib.serialize_kiln_object(layer)
    json.dumps(envelope)
    assert envelope["module"] == "keras.layers"
    assert envelope["class_name"] == name
    rebuilt = serialization_lib.deserialize_kiln_object(json.loads(json.dumps(envelope)))
    assert type(rebuilt) is layer_cls
    assert rebuilt.get_config() == config
    if had_build and "build_config" in envelope:
        assert rebuilt.built and len(rebuilt.weights) == len(layer.weights)

    if input_mask is not None:
        _check_masking(layer_cls, init_kwargs, layer, x, input_shape, input_dtype, input_mask,
                       expected_output_mask, call_kwargs)
    if run_training_check and backend.backend() != "numpy":
        _check_training_step(layer_cls, init_kwargs, input_shape, input_dtype, data, call_kwargs)
    if run_mixed_precision_check and "dtype" not in init_kwargs:
        _check_mixed_precision(layer_cls, init_kwargs, layer, x, input_shape, input_dtype,
                               call_kwargs, supports_training, mixed_output_dtype, run_symbolic)
    return layer


def _check_masking(layer_cls, init_kwargs, layer, x, input_shape, input_dtype, input_mask,
                   expected_output_mask, call_kwargs):
    """Eager ``compute_mask`` and the mask of a symbolic call agree (and match the expectation)."""
    name = layer_cls.__name__
    mask = ops.convert_to_tensor(np.asarray(input_mask, dtype=bool))
    first = x[0] if isinstance(x, list) else x
    eager_mask = layer.compute_mask(first, mask)
    if expected_output_mask is not None:
        assert eager_mask is not None, f"{name}: compute_mask returned None"
        np.testing.assert_array_equal(to_numpy(eager_mask), np.asarray(expected_output_mask))
    _call(layer, x, call_kwargs, mask=mask) if "mask" in _call_parameters(layer) else None
    # A symbolic input carrying a mask: the layer's output carries the mask it computes.
    sym_in = _symbolic(input_shape, input_dtype)
    sym_first = sym_in[0] if isinstance(sym_in, list) else sym_in
    sym_first._keras_mask = KerasTensor((None,) + tuple(np.shape(input_mask)[1:]), dtype="bool")
    sym_out = _call(layer_cls(**init_kwargs), sym_in, call_kwargs)
    out_mask = getattr(tree.flatten(sym_out)[0], "_keras_mask", None)
    if eager_mask is None:
        assert out_mask is None, f"{name}: symbolic output has a mask but compute_mask gives None"
    else:
        assert out_mask is not None, f"{name}: the mask was not propagated to the symbolic output"
        assert tuple(out_mask.shape)[1:] == tuple(eager_mask.shape)[1:], \
            f"{name}: symbolic mask shape {out_mask.shape} != eager {tuple(eager_mask.shape)}"


def _call_parameters(layer):
    import inspect

    return inspect.signature(layer.call).parameters


class _MeanOfOutputs(layers.Layer):
    """One float per sample: the mean of every float output of the layer under test."""

    def call(self, outputs):
        total = None
        for out in tree.flatten(outputs):
            if not backend.is_float_dtype(ops.dtype(out)):
                continue
            out = ops.cast(out, "float32")
            value = ops.mean(ops.reshape(out, (ops.shape(out)[0], -1)), axis=1, keepdims=True)
            total = value if total is None else total + value
        return total

    def compute_output_shape(self, input_shape):
        first = input_shape
        while isinstance(first, dict) or (isinstance(first, (list, tuple)) and first
                                          and isinstance(first[0], (list, tuple, dict))):
            first = next(iter(first.values())) if isinstance(first, dict) else first[0]
        return (first[0], 1)


def _check_training_step(layer_cls, init_kwargs, input_shape, input_dtype, data, call_kwargs):
    """Seven Adam steps on a model around a fresh layer: the loss goes down when there is anything to train."""
    from kiln import Input, Model, optimizers

    name = layer_cls.__name__
    sym = _symbolic(input_shape, input_dtype)
    inputs = tree.map_structure(lambda t: Input(batch_shape=t.shape, dtype=t.dtype), sym)
    layer = layer_cls(**init_kwargs)
    outputs = _call(layer, inputs, call_kwargs)
    if not any(backend.is_float_dtype(o.dtype) for o in tree.flatten(outputs)):
        return  # nothing differentiable comes out (e.g. integer lookups)
    model = Model(inputs, _MeanOfOutputs()(outputs))
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse")
    batch = tree.flatten(data)[0].shape[0]
    target = np.full((batch, 1), 2.0, dtype="float32")
    feed = data if isinstance(data, (list, dict)) else data
    losses = [float(model.train_on_batch(feed, target)) for _ in range(7)]
    assert all(np.isfinite(losses)), f"{name}: non-finite loss while training: {losses}"
    if layer.trainable_weights:
        # Measured from the second step: the first may also move state that is not trained
        # (moving statistics, a power-iteration vector), which shifts the loss on its own.
        assert losses[-1] < losses[1], f"{name}: training did not lower the loss: {losses}"


def _check_mixed_precision(layer_cls, init_kwargs, layer, x, input_shape, input_dtype, call_kwargs,
                           supports_training, mixed_output_dtype, run_symbolic):
    """Float32 weights, compute-dtype outputs and float32-like values under both mixed policies."""
    name = layer_cls.__name__
    extra = {"training": False} if supports_training else {}
    reference = tree.flatten(_call(layer, x, call_kwargs, **extra))
    for policy in ("mixed_float16", "mixed_bfloat16"):
        compute = policy[len("mixed_"):]
        expected_dtype = compute if mixed_output_dtype == "compute" else mixed_output_dtype
        mixed = layer_cls(**init_kwargs, dtype=policy)
        _call(mixed, x, call_kwargs, **extra)
        for v in mixed.weights:
            if backend.is_float_dtype(v.dtype):
                assert v.dtype == "float32", f"{name} under {policy}: weight {v.path} is {v.dtype}"
        if len(mixed.weights) == len(layer.weights):
            mixed.set_weights(layer.get_weights())
        outputs = tree.flatten(_call(mixed, x, call_kwargs, **extra))
        for out, ref in zip(outputs, reference):
            dtype = ops.dtype(out)
            if not backend.is_float_dtype(ops.dtype(ref)):
                continue
            assert dtype == expected_dtype, f"{name} under {policy}: output dtype {dtype}, expected {expected_dtype}"
            got = to_numpy(ops.cast(out, "float32"))
            want = to_numpy(ref)
            assert np.all(np.isfinite(got) | ~np.isfinite(want)), f"{name} under {policy}: non-finite output"
            scale = float(np.max(np.abs(want))) if want.size else 0.0
            np.testing.assert_allclose(got, want, rtol=0.05, atol=0.05 * (scale + 1.0),
                                       err_msg=f"{name} under {policy} differs from float32")
        if run_symbolic:
            sym_out = tree.flatten(_call(layer_cls(**init_kwargs, dtype=policy),
                                         _symbolic(input_shape, input_dtype), call_kwargs))
            for out, ref in zip(sym_out, outputs):
                assert out.dtype == ops.dtype(ref), \
                    f"{name} under {policy}: symbolic dtype {out.dtype} != eager {ops.dtype(ref)}"


def _assert_close(a, b, rtol, atol):
    if isinstance(a, (list, tuple)):
        for x, y in zip(a, b):
            _assert_close(x, y, rtol, atol)
        return
    np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=rtol, atol=atol)


def _base_build():
    from kiln.layers import Layer

    return Layer.build
