"""The benchmark workloads W1-W5: their data (fixed seeds, identical bytes for
every framework) and their Kiln models.

See /work/shared/BENCHMARKS.md (or docs) for the table. All classifiers end in
logits and use a from-logits cross-entropy, so Kiln and the native loops do the
same math. Adam uses Kiln's defaults (lr 1e-3, betas 0.9/0.999, eps 1e-7)
everywhere; W5 uses plain SGD with lr 0.01.
"""

import time
from dataclasses import dataclass

import numpy as np

LEARNING_RATE = 1e-3
SGD_LEARNING_RATE = 0.01
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-7


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    batch_size: int
    full_samples: int    # --full: the size in BENCHMARKS.md
    samples: int         # default: sized so that a whole run fits in 10 minutes on one core
    quick_samples: int   # --quick
    optimizer: str       # "adam" or "sgd"
    loss: str            # "sparse_ce_logits" or "mse"
    needs: tuple = ()    # Kiln layer classes the Kiln model needs

    def size(self, mode):
        return {"full": self.full_samples, "default": self.samples, "quick": self.quick_samples}[mode]


# Samples per epoch. The defaults are BENCHMARKS.md's sizes except W2, whose
# convolutions take ~30 s per 10,000 samples on one core under XLA, so a run
# of all backends would not fit in 10 minutes; throughput is per sample, so its
# ratio is comparable. --full uses BENCHMARKS.md's sizes for W2 too.
WORKLOADS = {
    "W1": Workload("W1", "MLP 784-512-512-10", 128, 30_000, 30_000, 3_200, "adam", "sparse_ce_logits",
                   needs=("Dense",)),
    "W2": Workload("W2", "CNN 28x28x1", 128, 10_000, 2_560, 640, "adam", "sparse_ce_logits",
                   needs=("Conv2D", "MaxPooling2D", "Flatten", "Dense")),
    "W3": Workload("W3", "LSTM(64) seq 50x32", 64, 6_400, 6_400, 640, "adam", "mse", needs=("LSTM", "Dense")),
    "W4": Workload("W4", "Transformer encoder", 32, 3_200, 3_200, 320, "adam", "sparse_ce_logits",
                   needs=("Embedding", "Dense", "LayerNormalization")),
    "W5": Workload("W5", "Overhead probe 16-16-1", 32, 20_000, 20_000, 4_000, "sgd", "mse", needs=("Dense",)),
}

# W4 shapes
VOCAB, SEQ_LEN, D_MODEL, HEADS, FFN, BLOCKS, CLASSES = 1000, 64, 64, 2, 128, 2, 10
# W3 shapes
LSTM_STEPS, LSTM_FEATURES, LSTM_UNITS = 50, 32, 64


def make_data(workload_id, samples):
    """``(x, y)`` NumPy arrays for a workload; the same bytes for every framework."""
    rng = np.random.default_rng(1234 + int(workload_id[1:]))
    if workload_id == "W1":
        x = rng.random((samples, 784), dtype=np.float32)
        y = rng.integers(0, 10, samples).astype(np.int32)
    elif workload_id == "W2":
        x = rng.random((samples, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, samples).astype(np.int32)
    elif workload_id == "W3":
        x = rng.standard_normal((samples, LSTM_STEPS, LSTM_FEATURES), dtype=np.float32)
        y = rng.standard_normal((samples, 1), dtype=np.float32)
    elif workload_id == "W4":
        x = rng.integers(0, VOCAB, (samples, SEQ_LEN)).astype(np.int32)
        y = rng.integers(0, CLASSES, samples).astype(np.int32)
    elif workload_id == "W5":
        x = rng.standard_normal((samples, 16), dtype=np.float32)
        y = rng.standard_normal((samples, 1), dtype=np.float32)
    else:
        raise ValueError(f"unknown workload {workload_id!r}; valid: {sorted(WORKLOADS)}")
    return x, y


def batches(n, batch_size):
    """``(start, stop)`` of each batch in order; the last one may be short."""
    return [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


# -- Kiln models ----------------------------------------------------------------------------
def epoch_timer(kiln, times):
    """A Kiln callback appending each epoch's wall time (seconds) to ``times``."""

    class EpochTimer(kiln.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self._start)

    return EpochTimer()


def kiln_missing(kiln, workload):
    """Names of Kiln layers a workload needs that this Kiln does not have yet."""
    return [name for name in workload.needs if not hasattr(kiln.layers, name)]


def kiln_model(kiln, workload_id):
    """Build and compile the Kiln model of a workload."""
    layers = kiln.layers
    w = WORKLOADS[workload_id]
    if workload_id == "W1":
        model = kiln.Sequential([kiln.Input((784,)), layers.Dense(512, activation="relu"),
                                 layers.Dense(512, activation="relu"), layers.Dense(10)])
    elif workload_id == "W2":
        model = kiln.Sequential([
            kiln.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10),
        ])
    elif workload_id == "W3":
        model = kiln.Sequential([kiln.Input((LSTM_STEPS, LSTM_FEATURES)), layers.LSTM(LSTM_UNITS),
                                 layers.Dense(1)])
    elif workload_id == "W4":
        model = _kiln_transformer(kiln)
    elif workload_id == "W5":
        model = kiln.Sequential([kiln.Input((16,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
    else:
        raise ValueError(workload_id)
    if w.optimizer == "adam":
        optimizer = kiln.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=ADAM_BETA_1,
                                         beta_2=ADAM_BETA_2, epsilon=ADAM_EPSILON)
    else:
        optimizer = kiln.optimizers.SGD(learning_rate=SGD_LEARNING_RATE)
    if w.loss == "mse":
        loss = "mse"
    else:
        loss = kiln.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss)
    return model


def _kiln_transformer(kiln):
    """Token + position embedding, 2 post-LayerNorm encoder blocks, mean-pool, Dense.

    Attention is written with kiln.ops (q, k, v, o projections with bias,
    scaled dot-product softmax), the same math as the native references.
    """
    layers, ops = kiln.layers, kiln.ops

    class SelfAttention(layers.Layer):
        def __init__(self, dim, heads, **kwargs):
            super().__init__(**kwargs)
            self.dim, self.heads = dim, heads
            self.q = layers.Dense(dim)
            self.k = layers.Dense(dim)
            self.v = layers.Dense(dim)
            self.o = layers.Dense(dim)

        def call(self, x):
            b, t = ops.shape(x)[0], ops.shape(x)[1]
            hd = self.dim // self.heads

            def split(z):
                return ops.transpose(ops.reshape(z, (b, t, self.heads, hd)), (0, 2, 1, 3))

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))) / float(np.sqrt(hd))
            weights = ops.softmax(scores, axis=-1)
            out = ops.transpose(ops.matmul(weights, v), (0, 2, 1, 3))
            return self.o(ops.reshape(out, (b, t, self.dim)))

    class PositionEmbedding(layers.Layer):
        def build(self, input_shape):
            self.table = self.add_weight(shape=(SEQ_LEN, D_MODEL), initializer="random_normal",
                                         name="positions")

        def call(self, x):
            return x + self.table

    tokens = kiln.Input((SEQ_LEN,), dtype="int32")
    x = layers.Embedding(VOCAB, D_MODEL)(tokens)
    x = PositionEmbedding()(x)
    for _ in range(BLOCKS):
        x = layers.LayerNormalization(epsilon=1e-5)(x + SelfAttention(D_MODEL, HEADS)(x))
        h = layers.Dense(FFN, activation="relu")(x)
        x = layers.LayerNormalization(epsilon=1e-5)(x + layers.Dense(D_MODEL)(h))
    x = kiln.ops.mean(x, axis=1)
    outputs = layers.Dense(CLASSES)(x)
    return kiln.Model(tokens, outputs)
