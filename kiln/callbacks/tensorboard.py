"""``TensorBoard``: event files for TensorBoard, written on every backend without TensorFlow.

Runs go to ``<log_dir>/train`` and ``<log_dir>/validation``; scalars are ``epoch_<name>``
(``val_`` dropped in the validation run), ``epoch_learning_rate``, ``batch_<name>`` when
``update_freq`` is ``"batch"`` or an int, and ``evaluation_<name>_vs_iterations`` after an
``evaluate`` that uses the callback. The files are written by
:mod:`kiln.callbacks.event_file_writer`, so importing this module never imports TensorFlow.

Example:
    >>> import tempfile
    >>> TensorBoard(log_dir=tempfile.mkdtemp(), histogram_freq=1).histogram_freq
    1
"""

import json
import os
import time
import warnings

import numpy as np

from kiln import config, ops
from kiln.callbacks.callback import Callback
from kiln.callbacks.event_file_writer import (EventFileWriter, graph_def, node_def,
                                              normalize_image)
from kiln.utils.progbar import to_float

_IMAGES_PER_WEIGHT = 3


def _parse_profile_batch(profile_batch):
    """``(start, stop)`` from an int, a ``"start,stop"`` string or a pair; (0, 0) = off."""
    value = profile_batch
    if isinstance(value, str):
        try:
            value = tuple(int(part) for part in value.split(","))
        except ValueError:
            value = None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        start, stop = int(value[0]), int(value[1])
        if (start, stop) == (0, 0) or 0 < start <= stop:
            return start, stop
    raise ValueError(
        "TensorBoard: `profile_batch` must be a non-negative integer or a pair of positive "
        f"integers (start, stop) with start <= stop, received {profile_batch!r}")


def _scalar_items(logs):
    """The ``(name, float)`` pairs of ``logs`` whose values are numbers (outputs are skipped)."""
    items = []
    for name, value in (logs or {}).items():
        try:
            items.append((name, to_float(value)))
        except (TypeError, ValueError):
            continue
    return items


def _weight_images(values):
    """Weights as a ``(n, height, width, 1)`` stack of images, or None where Keras shows none."""
    image = np.squeeze(values)
    if image.ndim == 1:  # a bias: one row
        image = image.reshape(1, 1, -1, 1)
    elif image.ndim == 2:  # a dense kernel, wider than tall
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:  # a 1D/2D convolution kernel: one image per channel
        if config.image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(image.shape + (1,))
    else:
        return None
    return image


def _model_graph_def(model):
    """A ``GraphDef`` of a functional or sequential model's layers; None for subclassed models."""
    scope = model.name
    nodes = {}  # name -> (class name, inputs)
    if hasattr(model, "_nodes"):
        for node in model._nodes:
            name = f"{scope}/{node.operation.name}"
            op, inputs = nodes.setdefault(name, (type(node.operation).__name__, []))
            for parent in node.parent_nodes:
                parent_name = f"{scope}/{parent.operation.name}"
                if parent_name not in inputs:
                    inputs.append(parent_name)
    elif getattr(model, "_input_layer", None) is not None:
        previous = f"{scope}/{model._input_layer.name}"
        nodes[previous] = ("InputLayer", [])
        for layer in model.layers:
            name = f"{scope}/{layer.name}"
            nodes[name] = (type(layer).__name__, [previous])
            previous = name
    else:
        return None
    return graph_def([node_def(name, op, inputs, {"keras_class": op})
                      for name, (op, inputs) in nodes.items()])


class TensorBoard(Callback):
    """Writes TensorBoard logs: metrics, learning rate, weight histograms/images, the graph.

    Args:
        log_dir: directory of the logs; runs are its ``train`` and ``validation`` folders.
        histogram_freq: every how many epochs to log a histogram of every weight (0 = never).
        write_graph: whether to log the model's layer graph and its JSON config (TensorBoard's
            "conceptual graph") for functional and sequential models.
        write_images: whether to log weights as images (with the histograms).
        write_steps_per_second: whether to log training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` or an int ``N``: batch-level scalars
            ``batch_<name>`` every ``N`` batches (``"batch"`` = 1).
        profile_batch: batches to profile (an int, ``"start,stop"`` or a pair); 0 = off.
            Profiling is not available yet: a non-zero value raises ``NotImplementedError``.
        embeddings_freq: every how many epochs to save ``Embedding`` layer weights for the
            projector (a TSV file per layer listed in ``<log_dir>/projector_config.pbtxt``).
        embeddings_metadata: a metadata file path for every embedding layer, or a dict
            ``{layer_name: path}``.

    Example:
        >>> import tempfile, numpy as np, kiln
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> logs = tempfile.mkdtemp()
        >>> if kiln.backend.backend() != "numpy":
        ...     _ = model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0,
        ...                   callbacks=[TensorBoard(log_dir=logs)])
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        for name, value in (("histogram_freq", histogram_freq), ("embeddings_freq", embeddings_freq)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"TensorBoard: `{name}` must be a non-negative int, received {value!r}")
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(
                update_freq, (int, np.integer)) or update_freq < 1):
            raise ValueError(
                "TensorBoard: `update_freq` must be 'epoch', 'batch' or a positive int, "
                f"received {update_freq!r}")
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.profile_batch = profile_batch
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        if self._start_batch > 0:
            from kiln.backend import backend

            raise NotImplementedError(
                f"TensorBoard: profile_batch={profile_batch!r} is not supported on the "
                f"'{backend()}' backend: Kiln does not drive the {backend()} profiler yet; "
                "use profile_batch=0")
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, dict)):
            raise TypeError(
                "TensorBoard: `embeddings_metadata` must be a file path or a dict "
                f"{{layer_name: path}}, received {type(embeddings_metadata).__name__}")
        self.embeddings_freq = int(embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        self._global_train_batch = 0
        self._steps_before_epoch = 0
        self._epoch_batches = 0
        self._epoch_start_time = None
        self._batch_start_time = None
        self._embedding_layers = []

    # -- writers ------------------------------------------------------------------------
    def _writer(self, run_dir):
        writer = self._writers.get(run_dir)
        if writer is None or writer.closed:
            writer = self._writers[run_dir] = EventFileWriter(run_dir)
        return writer

    @property
    def _train_writer(self):
        return self._writer(self._train_dir)

    @property
    def _val_writer(self):
        return self._writer(self._val_dir)

    def _flush_writers(self):
        for writer in self._writers.values():
            writer.flush()

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks --------------------------------------------------------------------------
    def set_model(self, model):
        super().set_model(model)
        self._close_writers()

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self.write_graph:
            self._write_model_config()
            graph = _model_graph_def(self.model)
            if graph is not None:
                self._train_writer.graph(graph)
            self._train_writer.flush()
        if self.embeddings_freq:
            self._configure_embeddings()

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_batches = 0
        self._steps_before_epoch = self._global_train_batch
        self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch, logs=None):
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        # Steps are counted from the batch index, so one call for several steps
        # (steps_per_execution) advances the count by all of them.
        previous = self._global_train_batch
        done = batch + 1 - self._epoch_batches
        self._epoch_batches = batch + 1
        self._global_train_batch = step = self._steps_before_epoch + batch + 1
        if self.update_freq == "epoch" or step // self.update_freq == previous // self.update_freq:
            return
        writer = self._train_writer
        if self.write_steps_per_second and self._batch_start_time is not None:
            elapsed = time.time() - self._batch_start_time
            if elapsed > 0:
                writer.scalar("batch_steps_per_second", max(done, 1) / elapsed, step)
        for name, value in _scalar_items(logs):
            writer.scalar("batch_" + name, value, step)

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        self._flush_writers()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        if iterations is None:
            return
        step = int(to_float(iterations))
        writer = self._val_writer
        for name, value in _scalar_items(logs):
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()

    # -- what is written ----------------------------------------------------------------
    def _learning_rate(self):
        from kiln.optimizers.base_optimizer import Optimizer

        optimizer = getattr(self.model, "optimizer", None)
        if not isinstance(optimizer, Optimizer):
            return None
        return to_float(optimizer.learning_rate)

    def _write_model_config(self):
        """The model's JSON config as the ``keras`` summary (TensorBoard's conceptual graph)."""
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        from kiln.saving.serialization_lib import serialize_kiln_object

        try:
            config = json.dumps(serialize_kiln_object(self.model), default=str)
        except (TypeError, ValueError, NotImplementedError) as error:
            warnings.warn(f"TensorBoard: the model config could not be written: {error}")
            return
        self._train_writer.string("keras", config, 0, "graph_keras_model", b"1")

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        items = _scalar_items(logs)
        train = [(k, v) for k, v in items if not k.startswith("val_")]
        val = [(k[len("val_"):], v) for k, v in items if k.startswith("val_")]
        learning_rate = self._learning_rate()
        if learning_rate is not None:
            train.append(("learning_rate", learning_rate))
        if self.write_steps_per_second and self._epoch_start_time is not None:
            elapsed = time.time() - self._epoch_start_time
            if elapsed > 0:
                train.append(("steps_per_second", self._epoch_batches / elapsed))
        if train:
            writer = self._train_writer
            for name, value in train:
                writer.scalar("epoch_" + name, value, epoch)
        if val:
            writer = self._val_writer
            for name, value in val:
                writer.scalar("epoch_" + name, value, epoch)

    def _log_weights(self, epoch):
        writer = self._train_writer
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = np.asarray(ops.convert_to_numpy(weight.value))
                writer.histogram(name + "/histogram", values, epoch)
                if self.write_images:
                    self._log_weight_as_image(writer, values, name + "/image", epoch)

    @staticmethod
    def _log_weight_as_image(writer, values, tag, epoch):
        images = _weight_images(values)
        if images is None:
            return
        images = images[:_IMAGES_PER_WEIGHT]
        for i, image in enumerate(images):
            writer.image(tag if len(images) == 1 else f"{tag}/{i}", normalize_image(image), epoch)

    # -- embeddings projector -----------------------------------------------------------
    def _configure_embeddings(self):
        from kiln.layers import Embedding

        metadata = self.embeddings_metadata
        remaining = dict(metadata) if isinstance(metadata, dict) else {}
        self._embedding_layers = [layer for layer in self.model.layers if isinstance(layer, Embedding)]
        entries = []
        for layer in self._embedding_layers:
            lines = [f'  tensor_name: "{layer.name}"',
                     f'  tensor_path: "{self._embedding_file(layer, relative=True)}"']
            path = metadata if isinstance(metadata, str) else remaining.pop(layer.name, None)
            if path is not None:
                lines.append(f'  metadata_path: "{path}"')
            entries.append("embeddings {\n" + "\n".join(lines) + "\n}\n")
        if remaining:
            raise ValueError(
                "TensorBoard: `embeddings_metadata` names layers that are not Embedding layers of "
                f"the model: {sorted(remaining)}; Embedding layers: "
                f"{[layer.name for layer in self._embedding_layers]}")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write("".join(entries))

    def _embedding_file(self, layer, relative=False):
        relative_path = os.path.join("train", f"embeddings_{layer.name}.tsv")
        return relative_path if relative else os.path.join(self.log_dir, relative_path)

    def _log_embeddings(self, epoch):
        for layer in self._embedding_layers:
            path = self._embedding_file(layer)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            values = np.asarray(ops.convert_to_numpy(layer.embeddings.value), dtype="float64")
            tmp = path + ".tmp"
            np.savetxt(tmp, values.reshape(values.shape[0], -1), delimiter="\t", fmt="%.8g")
            os.replace(tmp, path)
