"""GeneratorDataAdapter: one-shot generators vs re-iterable iterables, peek replay,
the structure check, and fit/evaluate/predict through a model."""

import re
import warnings

import numpy as np
import pytest

import kiln
from kiln.trainers.data_adapters import get_data_adapter
from kiln.trainers.data_adapters.data_adapter import describe_structure, element_to_triple
from kiln.trainers.data_adapters.generator_data_adapter import GeneratorDataAdapter

TRAINS = kiln.backend.backend() != "numpy"
needs_training = pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")

N, BATCH, FEATURES = 32, 8, 3
_rng = np.random.default_rng(5)
X = _rng.normal(size=(N, FEATURES)).astype("float32")
Y = (X @ np.array([[2.0], [-1.0], [0.5]], "float32") - 0.25).astype("float32")


def _batches(count=N // BATCH, log=None, repeat=False):
    """(x, y) batches of X/Y in order; ``log`` records which batch each yield was."""
    while True:
        for i in range(count):
            if log is not None:
                log.append(i)
            rows = slice(i * BATCH, (i + 1) * BATCH)
            yield X[rows], Y[rows]
        if not repeat:
            return


class Reiterable:
    """An iterable (not an iterator): every ``iter()`` starts over."""

    def __init__(self):
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return _batches()


def _model():
    model = kiln.Sequential([kiln.Input((FEATURES,)),
                             kiln.layers.Dense(1, kernel_initializer=kiln.initializers.RandomNormal(seed=4))])
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    return model


def _iterations(model):
    return int(kiln.ops.convert_to_numpy(model.optimizer.iterations))


# -- the adapter ------------------------------------------------------------------------------------
def test_dispatch_and_peek_replays_the_first_element():
    log = []
    adapter = get_data_adapter(_batches(log=log))
    assert isinstance(adapter, GeneratorDataAdapter)
    assert adapter.persistent_iterator and adapter.num_batches is None and adapter.batch_size is None
    first = adapter.peek()
    assert adapter.peek() is first and log == [0]  # read once, kept
    batches = list(adapter.numpy_batches())
    assert log == [0, 1, 2, 3]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), Y)
    assert batches[0][0] is first[0]
    assert list(adapter.numpy_batches()) == []  # a generator is read once
    assert GeneratorDataAdapter(_batches(), steps=3).num_batches == 3


def test_a_one_shot_iterator_continues_across_passes():
    adapter = GeneratorDataAdapter(_batches(repeat=True))
    first = adapter.numpy_batches()
    np.testing.assert_array_equal(next(first)[0], X[:BATCH])
    first.close()  # an epoch cut short by steps_per_epoch
    second = next(adapter.numpy_batches())
    np.testing.assert_array_equal(second[0], X[BATCH:2 * BATCH])  # not back to batch 0


def test_a_reiterable_source_starts_over_every_epoch():
    source = Reiterable()
    adapter = GeneratorDataAdapter(source)
    assert not adapter.persistent_iterator
    adapter.peek()
    for _ in range(3):
        batches = list(adapter.numpy_batches())
        assert len(batches) == 4
        np.testing.assert_array_equal(batches[0][0], X[:BATCH])
    assert source.passes == 3  # the constructor's pass served peek() and the first epoch


def test_element_forms_and_dict_inputs():
    sw = np.linspace(0.5, 1.5, BATCH).astype("float32")
    elements = [X[:BATCH], (X[:BATCH],), (X[:BATCH], Y[:BATCH]), (X[:BATCH], Y[:BATCH], sw)]
    for element in elements:
        x, y, w = GeneratorDataAdapter(iter([element])).peek()
        np.testing.assert_array_equal(x, X[:BATCH])
        assert (y is None) == (not isinstance(element, tuple) or len(element) < 2)
        assert (w is None) == (not isinstance(element, tuple) or len(element) < 3)
    x, y, _ = GeneratorDataAdapter(iter([({"a": X[:2], "b": X[:2].astype("float64")}, [1.0, 2.0])])).peek()
    assert sorted(x) == ["a", "b"]
    assert x["b"].dtype == np.float32 and y.dtype == np.float32  # lists and float64 become floatx


def _structure_error(step, later, first):
    """The message's pattern, with both structures as StructureCheck describes them."""
    return (rf"generator yielded an element at step {step} whose structure "
            rf"{re.escape(describe_structure(element_to_triple(later)))} differs from the first element's "
            rf"{re.escape(describe_structure(element_to_triple(first)))}")


def test_inconsistent_structures_name_the_step_and_both_structures():
    def changing():
        yield X[:BATCH], Y[:BATCH]
        yield X[:BATCH], Y[:BATCH]
        yield X[:BATCH]  # the targets vanish at step 2

    adapter = GeneratorDataAdapter(changing())
    with pytest.raises(ValueError, match=_structure_error(2, X[:BATCH], (X[:BATCH], Y[:BATCH]))) as info:
        list(adapter.numpy_batches())
    assert "y=None" in str(info.value)

    def grown():
        yield {"a": X[:2]}, Y[:2]
        yield {"a": X[:2], "b": X[:2]}, Y[:2]

    with pytest.raises(ValueError, match=_structure_error(1, ({"a": X[:2], "b": X[:2]}, Y[:2]),
                                                          ({"a": X[:2]}, Y[:2]))) as info:
        list(GeneratorDataAdapter(grown()).numpy_batches())
    assert "b" in str(info.value).split("differs")[0]


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="is empty: it yielded no batch"):
        GeneratorDataAdapter(iter([])).peek()
    with pytest.raises(TypeError, match="must be a generator, an iterator or an iterable, received int"):
        GeneratorDataAdapter(3)
    with pytest.raises(ValueError, match="`steps` must be a positive integer"):
        GeneratorDataAdapter(iter([]), steps=0)


# -- through the model ----------------------------------------------------------------------------
def test_predict_and_evaluate_match_numpy():
    model = _model()
    kernel, bias = model.get_weights()
    expected = X @ kernel + bias
    out = model.predict((x for x, _ in _batches()), verbose=0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    loss = model.evaluate(_batches(), verbose=0)
    assert loss == pytest.approx(np.mean((expected - Y) ** 2), rel=1e-4)
    with pytest.raises(ValueError, match="step 1"):
        model.predict(iter([X[:4], {"x": X[:4]}]), verbose=0)


@needs_training
def test_fit_reads_one_generator_across_epochs_and_lowers_the_loss():
    log = []
    model = _model()
    start = model.evaluate(X, Y, verbose=0)
    history = model.fit(_batches(log=log, repeat=True), steps_per_epoch=3, epochs=6, verbose=0)
    assert _iterations(model) == 18
    # 18 batches read in stream order (plus at most the one the build peeked, replayed first).
    assert log[:18] == [i % 4 for i in range(18)]
    losses = history.history["loss"]
    assert len(losses) == 6 and losses[-1] < 0.3 * losses[0]
    assert model.evaluate(X, Y, verbose=0) < 0.2 * start


@needs_training
def test_fit_stops_with_a_warning_when_the_generator_runs_dry():
    model = _model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(_batches(), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 1
    assert _iterations(model) == 4


@needs_training
def test_fit_with_a_generator_for_validation_data():
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the repeated generator never runs dry
        history = model.fit(_batches(repeat=True), steps_per_epoch=4, epochs=2, verbose=0,
                            validation_data=_batches(repeat=True), validation_steps=4)
    assert len(history.history["val_loss"]) == 2
    kernel, bias = model.get_weights()
    assert history.history["val_loss"][-1] == pytest.approx(np.mean((X @ kernel + bias - Y) ** 2), rel=1e-4)
