"""TensorBoard: event files written by Kiln, read back with the ``tensorboard`` package's readers.

The files must hold exactly what History holds (scalars), one histogram per weight with the
weight's element count, images and the layer graph, and writing them must never import
TensorFlow on the jax/torch/numpy backends.
"""

import glob
import os
import struct
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import kiln
from kiln import layers
from kiln.callbacks import event_file_writer as efw

BACKEND = kiln.backend.backend()
TRAINS = BACKEND != "numpy"

# The tensorboard package reads files with its own TensorFlow-free reader (which checks every
# record's CRC) when ``tensorboard.compat.notf`` exists; otherwise it imports TensorFlow (slow).
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))


def _accumulator(run_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    ea = EventAccumulator(str(run_dir), size_guidance={"scalars": 0, "histograms": 0, "images": 0})
    ea.Reload()
    return ea


def _scalars(ea, tag):
    return [(e.step, e.value) for e in ea.Scalars(tag)]


def _model():
    inputs = kiln.Input((3,), name="features")
    hidden = layers.Dense(4, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(2, name="head")(hidden)
    model = kiln.Model(inputs, outputs, name="net")
    model.compile(kiln.optimizers.Adam(learning_rate=0.01), "mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")


# -- the encoding ------------------------------------------------------------------------


def test_crc32c_known_answers_and_record_framing():
    assert efw.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert efw.crc32c(b"\x00" * 32) == 0x8A9136AA  # RFC 3720 test vector
    crc = efw.crc32c(b"abc")
    assert efw.masked_crc32c(b"abc") == (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
    # Long data takes the NumPy-lanes path: same checksums as tensorboard's own implementation.
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    rng = np.random.default_rng(0)
    for size in (1, 1000, efw._LANES_FROM - 1, efw._LANES_FROM, 3 * efw._LANES_FROM + 5):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert efw.masked_crc32c(data) == masked_crc32c(data), size
    record = efw.tfrecord(b"payload")
    (length,) = struct.unpack("<Q", record[:8])
    assert length == 7 and record[12:19] == b"payload"
    assert struct.unpack("<I", record[8:12])[0] == efw.masked_crc32c(record[:8])
    assert struct.unpack("<I", record[19:])[0] == efw.masked_crc32c(b"payload")


def test_event_file_parses_with_tensorboard_protos(tmp_path):
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
    from tensorboard.compat.proto.event_pb2 import Event

    writer = efw.EventFileWriter(str(tmp_path))
    values = np.array([-1.0, 0.0, 0.5, 2.0, 2.0, 7.0])
    writer.scalar("loss", 0.125, step=3)
    writer.histogram("w", values, step=4, buckets=5)
    writer.image("img", efw.normalize_image(np.arange(6.0).reshape(2, 3, 1)), step=5)
    writer.close()
    assert os.path.basename(writer.path).startswith("events.out.tfevents.")
    events = [Event.FromString(record) for record in RawEventFileLoader(writer.path).Load()]
    assert events[0].file_version == "brain.Event:2"
    scalar, histo, image = (e for e in events[1:])
    assert (scalar.step, scalar.summary.value[0].tag, scalar.summary.value[0].simple_value) == (3, "loss", 0.125)
    h = histo.summary.value[0].histo
    assert (histo.step, h.min, h.max, h.num) == (4, -1.0, 7.0, 6)
    assert h.sum == values.sum() and h.sum_squares == (values ** 2).sum()
    counts, edges = np.histogram(values, bins=5, range=(-1.0, 7.0))
    assert list(h.bucket) == counts.tolist() and list(h.bucket_limit) == edges[1:].tolist()
    img = image.summary.value[0].image
    assert (img.height, img.width, img.colorspace) == (2, 3, 1)
    assert img.encoded_image_string.startswith(b"\x89PNG\r\n\x1a\n")


def test_png_pixels_round_trip():
    import zlib

    pixels = np.arange(24, dtype=np.uint8).reshape(2, 4, 3) * 10
    png = efw.encode_png(pixels)
    idat = png[png.index(b"IDAT") + 4: png.index(b"IEND") - 8]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(2, 1 + 4 * 3)
    assert (rows[:, 0] == 0).all() and (rows[:, 1:].reshape(2, 4, 3) == pixels).all()
    # Legacy image normalization: non-negative values scale to 255; negatives put 0.0 at 127.
    assert efw.normalize_image(np.array([0.0, 2.0])).tolist() == [0, 255]
    assert efw.normalize_image(np.array([-1.0, 0.0, 0.25])).tolist() == [0, 127, 159]


# -- the callback, driven by hand (every backend) ------------------------------------------


def test_hooks_write_scalars_histograms_graph_and_evaluation(tmp_path):
    model = _model()
    board = kiln.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=2, update_freq="batch")
    board.set_model(model)
    board.on_train_begin()
    for epoch in range(3):
        board.on_epoch_begin(epoch)
        for batch in range(2):
            board.on_train_batch_begin(batch)
            board.on_train_batch_end(batch, {"loss": np.float32(epoch + batch / 4)})
        board.on_epoch_end(epoch, {"loss": 1.0 + epoch, "mae": 0.5, "val_loss": 2.0 + epoch})
    board.on_train_end()
    train = _accumulator(tmp_path / "train")
    assert _scalars(train, "epoch_loss") == [(0, 1.0), (1, 2.0), (2, 3.0)]
    assert _scalars(train, "epoch_mae") == [(0, 0.5), (1, 0.5), (2, 0.5)]
    assert _scalars(train, "epoch_learning_rate") == [(e, np.float32(0.01)) for e in range(3)]
    assert _scalars(train, "batch_loss") == [(1, 0.0), (2, 0.25), (3, 1.0), (4, 1.25), (5, 2.0), (6, 2.25)]
    assert "epoch_val_loss" not in train.Tags()["scalars"]
    val = _accumulator(tmp_path / "validation")
    assert _scalars(val, "epoch_loss") == [(0, 2.0), (1, 3.0), (2, 4.0)]
    # histogram_freq=2: epochs 0 and 2, one histogram per weight, tagged by its path.
    expected = {w.path + "/histogram": w.numpy() for w in model.weights}
    assert set(train.Tags()["histograms"]) == set(expected)
    for tag, value in expected.items():
        events = train.Histograms(tag)
        assert [e.step for e in events] == [0, 2]
        h = events[-1].histogram_value
        assert h.num == value.size and sum(h.bucket) == value.size
        assert h.min == pytest.approx(value.min()) and h.max == pytest.approx(value.max())
    graph = {node.name: node for node in train.Graph().node}
    assert graph["net/hidden"].op == "Dense" and list(graph["net/hidden"].input) == ["net/features"]
    assert list(graph["net/head"].input) == ["net/hidden"] and graph["net/features"].op == "InputLayer"
    # evaluate with the callback: evaluation_<name>_vs_iterations in the validation run.
    x, y = _data()
    result = model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[board], return_dict=True)
    val = _accumulator(tmp_path / "validation")
    assert _scalars(val, "evaluation_loss_vs_iterations") == [(0, pytest.approx(result["loss"], rel=1e-6))]


def test_sequential_graph_and_weight_images(tmp_path):
    model = kiln.Sequential([kiln.Input((5,)), layers.Dense(3, name="wide"), layers.Dense(1, name="out")],
                            name="seq")
    model.compile("sgd", "mse")
    board = kiln.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_images=True)
    board.set_model(model)
    board.on_train_begin()
    board.on_epoch_begin(0)
    board.on_epoch_end(0, {"loss": 1.0})
    board.on_train_end()
    train = _accumulator(tmp_path / "train")
    names = [node.name for node in train.Graph().node]
    assert names[1:] == ["seq/wide", "seq/out"] and names[0].startswith("seq/")
    # Kernel (5, 3) is shown transposed (wider than tall); bias (3,) as one row; kernel (3, 1)
    # squeezes to one row; the (1,) bias squeezes to a scalar and gets no image, as in Keras.
    images = {tag: train.Images(tag)[0] for tag in train.Tags()["images"]}
    assert set(images) == {"seq/wide/kernel/image", "seq/wide/bias/image", "seq/out/kernel/image"}
    assert (images["seq/wide/kernel/image"].height, images["seq/wide/kernel/image"].width) == (3, 5)
    assert (images["seq/wide/bias/image"].height, images["seq/wide/bias/image"].width) == (1, 3)
    assert (images["seq/out/kernel/image"].height, images["seq/out/kernel/image"].width) == (1, 3)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="update_freq.*'sometimes'"):
        kiln.callbacks.TensorBoard(update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq.*-1"):
        kiln.callbacks.TensorBoard(histogram_freq=-1)
    with pytest.raises(ValueError, match="profile_batch.*'1,x'"):
        kiln.callbacks.TensorBoard(profile_batch="1,x")
    with pytest.raises(ValueError, match="profile_batch"):
        kiln.callbacks.TensorBoard(profile_batch=(5, 2))
    with pytest.raises(NotImplementedError, match=f"profile_batch.*'{BACKEND}' backend"):
        kiln.callbacks.TensorBoard(profile_batch="2,4")
    with pytest.raises(TypeError, match="embeddings_metadata"):
        kiln.callbacks.TensorBoard(embeddings_metadata=3)
    assert kiln.callbacks.TensorBoard(profile_batch=0).update_freq == "epoch"


# -- fit --------------------------------------------------------------------------------


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_scalars_equal_history_and_histograms_per_epoch(tmp_path):
    x, y = _data()
    model = _model()
    history = model.fit(x, y, batch_size=4, epochs=3, validation_data=(x, y), verbose=0,
                        callbacks=[kiln.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1,
                                                              update_freq=3, write_steps_per_second=True)])
    train, val = _accumulator(tmp_path / "train"), _accumulator(tmp_path / "validation")
    for name in ("loss", "mae"):
        np.testing.assert_array_equal([v for _, v in _scalars(train, "epoch_" + name)],
                                      np.float32(history.history[name]))
        np.testing.assert_array_equal([v for _, v in _scalars(val, "epoch_" + name)],
                                      np.float32(history.history["val_" + name]))
    assert [s for s, _ in _scalars(train, "batch_loss")] == [3, 6, 9, 12]  # 4 batches x 3 epochs
    assert [s for s, _ in _scalars(train, "epoch_steps_per_second")] == [0, 1, 2]
    assert all(v > 0 for _, v in _scalars(train, "epoch_steps_per_second"))
    for weight in model.weights:
        events = train.Histograms(weight.path + "/histogram")
        assert [e.step for e in events] == [0, 1, 2]
        last = events[-1].histogram_value  # the final weights
        assert last.num == weight.numpy().size
        assert last.sum == pytest.approx(float(weight.numpy().astype("float64").sum()), abs=1e-5)


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_embeddings_projector_files(tmp_path):
    from google.protobuf import text_format
    from tensorboard.plugins.projector import projector_config_pb2

    model = kiln.Sequential([kiln.Input((2,), dtype="int32"), layers.Embedding(5, 3, name="tokens"),
                             layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    board = kiln.callbacks.TensorBoard(log_dir=str(tmp_path), embeddings_freq=1,
                                       embeddings_metadata={"tokens": "vocab.tsv"})
    model.fit(np.array([[0, 1], [2, 4]], "int32"), np.ones((2, 1), "float32"), epochs=1, verbose=0,
              callbacks=[board])
    config = text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(),
                               projector_config_pb2.ProjectorConfig())
    (entry,) = config.embeddings
    assert (entry.tensor_name, entry.metadata_path) == ("tokens", "vocab.tsv")
    saved = np.loadtxt(tmp_path / entry.tensor_path, delimiter="\t")
    np.testing.assert_allclose(saved, model.get_layer("tokens").embeddings.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="embeddings_metadata.*'typo'"):
        model.fit(np.zeros((2, 2), "int32"), np.ones((2, 1)), epochs=1, verbose=0, callbacks=[
            kiln.callbacks.TensorBoard(log_dir=str(tmp_path / "b"), embeddings_freq=1,
                                       embeddings_metadata={"typo": "x.tsv"})])


_NO_TENSORFLOW_SCRIPT = textwrap.dedent("""
    import sys, numpy as np, kiln
    log_dir = sys.argv[1]
    model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
    model.compile("sgd", "mse")
    board = kiln.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1, write_images=True)
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    if kiln.backend.backend() == "numpy":  # no training: drive the callback as fit would
        board.set_model(model); board.on_train_begin(); board.on_epoch_begin(0)
        board.on_epoch_end(0, {"loss": float(model.evaluate(x, y, verbose=0))}); board.on_train_end()
    else:
        model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[board])
    print("TENSORFLOW_IMPORTED" if "tensorflow" in sys.modules else "NO_TENSORFLOW")
""")


def test_writing_never_imports_tensorflow(tmp_path):
    # The tensorflow backend imports TensorFlow itself; check the callback there on numpy.
    backend = BACKEND if BACKEND != "tensorflow" else "numpy"
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", _NO_TENSORFLOW_SCRIPT, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "NO_TENSORFLOW"
    files = glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))
    assert len(files) == 1
    train = _accumulator(tmp_path / "train")
    assert len(train.Scalars("epoch_loss")) == (1 if backend == "numpy" else 2)
    assert len(train.Histograms(train.Tags()["histograms"][0])) == (1 if backend == "numpy" else 2)


def test_model_config_for_the_conceptual_graph(tmp_path):
    import json

    from tensorboard.plugins.graph import keras_util

    model = _model()
    board = kiln.callbacks.TensorBoard(log_dir=str(tmp_path))
    board.set_model(model)
    board.on_train_begin()
    board.on_train_end()
    train = _accumulator(tmp_path / "train")
    (event,) = train.Tensors("keras")
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    config = json.loads(event.tensor_proto.string_val[0])
    assert config["class_name"] == "Functional" and config["config"]["name"] == "net"
    graph = keras_util.keras_model_to_graph_def(config)  # what TensorBoard's graph plugin runs
    inputs = {node.name: list(node.input) for node in graph.node}
    assert inputs == {"net/features": [], "net/hidden": ["net/features"], "net/head": ["net/hidden"]}
