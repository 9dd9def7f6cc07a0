"""Bad input to fit/evaluate/predict: each error says what was wrong, with the numbers and kinds.

Mismatched sample counts name every count; a source whose elements change
structure names the (0-based) step and both structures; an unsupported type
lists the supported kinds; ``y``/``sample_weight`` next to a dataset and
``validation_split`` with a dataset are refused with the argument named.
"""

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"
needs_training = pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
# fit and evaluate read x, y and sample_weight the same way; the numpy backend has evaluate only.
X_Y_METHODS = ("fit", "evaluate") if TRAINS else ("evaluate",)
DATASET_KINDS = ("generator", "pydataset", "tf_data", "torch_dataloader", "grain")
SUPPORTED = ("NumPy", "pandas", "tf.data.Dataset", "DataLoader", "grain", "PyDataset", "generator")

X = np.ones((64, 4), "float32")
Y = np.ones((64, 1), "float32")


@pytest.fixture
def model():
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.fixture
def dict_model():
    a, b = kiln.Input((4,), name="a"), kiln.Input((2,), name="b")
    model = kiln.Model({"a": a, "b": b}, layers.Dense(1)(layers.Concatenate()([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    return model


def _run(model, method, *args, **kwargs):
    return getattr(model, method)(*args, verbose=0, **kwargs)


def _dataset(kind, batches):
    """``batches`` (a list of batch tuples) handed over as ``kind``."""
    if kind == "generator":
        return (batch for batch in batches)
    if kind == "pydataset":
        class Batches(kiln.utils.PyDataset):
            def __len__(self):
                return len(batches)

            def __getitem__(self, index):
                return batches[index]

        return Batches()
    if kind == "tf_data":
        import tensorflow as tf

        return tf.data.Dataset.from_tensor_slices(tuple(np.concatenate(p) for p in zip(*batches))).batch(16)
    if kind == "torch_dataloader":
        import torch

        tensors = [torch.from_numpy(np.concatenate(p)) for p in zip(*batches)]
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*tensors), batch_size=16)
    if kind == "grain":
        import grain

        samples = [tuple(p[i] for p in batch) for batch in batches for i in range(len(batch[0]))]
        return grain.MapDataset.source(samples).batch(16)
    raise AssertionError(kind)


def _good_batches(count=4):
    return [(X[:16], Y[:16])] * count


# -- sample counts -------------------------------------------------------------------------------
@pytest.mark.parametrize("method", X_Y_METHODS)
def test_x_and_y_of_different_lengths_name_both(model, method):
    with pytest.raises(ValueError, match=r"x has 64 samples, y has 60 samples"):
        _run(model, method, X, Y[:60], batch_size=16)


@pytest.mark.parametrize("method", X_Y_METHODS)
def test_pandas_x_and_y_of_different_lengths_name_both(model, method):
    import pandas as pd

    with pytest.raises(ValueError, match=r"x has 64 samples, y has 50 samples"):
        _run(model, method, pd.DataFrame(X), pd.Series(np.ones(50)), batch_size=16)


@pytest.mark.parametrize("method", X_Y_METHODS)
def test_sample_weight_of_another_length_names_every_length(model, method):
    with pytest.raises(ValueError, match=r"x has 64 samples, y has 64 samples, sample_weight has 50 samples"):
        _run(model, method, X, Y, sample_weight=np.ones(50), batch_size=16)


def test_inputs_of_different_lengths_name_both(dict_model):
    with pytest.raises(ValueError, match=r"different numbers of samples.*\[5, 64\]"):
        dict_model.predict({"a": X, "b": np.ones((5, 2), "float32")}, verbose=0)


@needs_training
def test_validation_data_of_different_lengths_names_both(model):
    with pytest.raises(ValueError, match=r"x has 64 samples, y has 3 samples"):
        model.fit(X, Y, validation_data=(X, Y[:3]), batch_size=16, verbose=0)


# -- elements that change structure ----------------------------------------------------------------
def _assert_names_step_and_structures(message, step, first, other):
    """The error names the 0-based step and both elements' structures, as StructureCheck writes them."""
    from kiln.trainers.data_adapters.data_adapter import describe_structure, element_to_triple

    assert f"step {step}" in message, message
    first, other = (describe_structure(element_to_triple(e)) for e in (first, other))
    assert first != other
    assert first in message and other in message, (first, other, message)


@pytest.mark.parametrize("method", X_Y_METHODS + ("predict",))
@pytest.mark.parametrize("kind", ["generator", "pydataset"])
def test_element_without_targets_names_the_step_and_both_structures(model, kind, method):
    batches = _good_batches(2) + [(X[:16],)] + _good_batches(1)
    source = _dataset(kind, batches)
    with pytest.raises(ValueError) as info:
        _run(model, method, source, **({"shuffle": False} if method == "fit" else {}))
    _assert_names_step_and_structures(str(info.value), 2, batches[0], batches[2])  # steps count from 0


@pytest.mark.parametrize("method", X_Y_METHODS + ("predict",))
def test_element_of_another_rank_names_the_step_and_both_structures(model, method):
    batches = _good_batches(3) + [(X[:16, :, None], Y[:16])]
    with pytest.raises(ValueError) as info:
        _run(model, method, _dataset("generator", batches))
    _assert_names_step_and_structures(str(info.value), 3, batches[0], batches[3])


def test_element_with_other_input_names_names_the_step_and_both_dicts(dict_model):
    def element(keys):
        return ({key: np.ones((16, 4 if key == "a" else 2), "float32") for key in keys},)

    batches = [element("ab"), element("ab"), element("ac")]
    with pytest.raises(ValueError) as info:
        dict_model.predict(_dataset("generator", batches), verbose=0)
    _assert_names_step_and_structures(str(info.value), 2, batches[0], batches[2])


# -- unsupported types ---------------------------------------------------------------------------
UNSUPPORTED = {"set": {1.0, 2.0}, "str": "data.csv", "object": object()}


@pytest.mark.parametrize("method", X_Y_METHODS + ("predict",))
@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_type_lists_the_supported_kinds(model, name, method):
    with pytest.raises(ValueError) as info:
        _run(model, method, UNSUPPORTED[name])
    message = str(info.value)
    assert f"builtins.{name}" in message
    for kind in SUPPORTED:
        assert kind in message, (kind, message)


@needs_training
def test_unsupported_validation_data_lists_the_supported_kinds(model):
    with pytest.raises(ValueError) as info:
        model.fit(X, Y, validation_data=UNSUPPORTED["object"], batch_size=16, verbose=0)
    message = str(info.value)
    assert "builtins.object" in message
    for kind in SUPPORTED:
        assert kind in message, (kind, message)


# -- arguments that a dataset's elements carry -------------------------------------------------------
@pytest.mark.parametrize("method", X_Y_METHODS)
@pytest.mark.parametrize("argument", ["y", "sample_weight"])
@pytest.mark.parametrize("kind", DATASET_KINDS)
def test_y_or_sample_weight_next_to_a_dataset_is_refused(model, kind, argument, method):
    source = _dataset(kind, _good_batches())
    with pytest.raises(ValueError, match=rf"`{argument}` argument is not supported"):
        _run(model, method, source, **{argument: np.ones(64, "float32")})


@needs_training
@pytest.mark.parametrize("kind", DATASET_KINDS)
def test_validation_split_with_a_dataset_is_refused(model, kind):
    source = _dataset(kind, _good_batches())
    with pytest.raises(ValueError, match=r"validation_split is only supported when x, y and sample_weight are "
                                         r"arrays.*Pass validation_data instead"):
        model.fit(source, validation_split=0.25, verbose=0)
    assert int(kiln.ops.convert_to_numpy(model.optimizer.iterations)) == 0  # refused before training


# -- empty sources -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", X_Y_METHODS)
def test_empty_generator_says_so(model, method):
    with pytest.raises(ValueError, match=r"generator is empty: it yielded no batch"):
        _run(model, method, iter([]))


@pytest.mark.parametrize("method", X_Y_METHODS + ("predict",))
def test_empty_arrays_say_so(model, method):
    args = (X[:0],) if method == "predict" else (X[:0], Y[:0])
    with pytest.raises(ValueError, match=r"empty \(0 samples\)"):
        _run(model, method, *args)
