"""Hand-written PyTorch references: torch.nn modules + torch.optim, eager, plain loop.

``run(workload_id, x, y, epochs)`` trains and returns the wall time of every
epoch (the first one includes any warm-up).
"""

import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from bench import workloads as W


class _Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.dim, self.heads = dim, heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x):
        b, t, _ = x.shape
        hd = self.dim // self.heads

        def split(z):
            return z.reshape(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)
        out = (weights @ v).transpose(1, 2).reshape(b, t, self.dim)
        return self.o(out)


class _Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = _Attention(W.D_MODEL, W.HEADS)
        self.ln1 = nn.LayerNorm(W.D_MODEL, eps=1e-5)
        self.ff1 = nn.Linear(W.D_MODEL, W.FFN)
        self.ff2 = nn.Linear(W.FFN, W.D_MODEL)
        self.ln2 = nn.LayerNorm(W.D_MODEL, eps=1e-5)

    def forward(self, x):
        x = self.ln1(x + self.attn(x))
        return self.ln2(x + self.ff2(F.relu(self.ff1(x))))


class _Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(W.VOCAB, W.D_MODEL)
        self.positions = nn.Parameter(torch.randn(W.SEQ_LEN, W.D_MODEL) * 0.05)
        self.blocks = nn.ModuleList(_Block() for _ in range(W.BLOCKS))
        self.head = nn.Linear(W.D_MODEL, W.CLASSES)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))


class _LSTMRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(W.LSTM_FEATURES, W.LSTM_UNITS, batch_first=True)
        self.head = nn.Linear(W.LSTM_UNITS, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


class _CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.c2 = nn.Conv2d(32, 64, 3)
        self.d1 = nn.Linear(12 * 12 * 64, 128)
        self.d2 = nn.Linear(128, 10)

    def forward(self, x):  # x: NHWC, as Kiln receives it
        x = x.permute(0, 3, 1, 2)
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)
        # flatten in HWC order, as a channels-last Flatten does
        x = x.permute(0, 2, 3, 1).flatten(1)
        return self.d2(F.relu(self.d1(x)))


def make_model(workload_id):
    if workload_id == "W1":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    if workload_id == "W2":
        return _CNN()
    if workload_id == "W3":
        return _LSTMRegressor()
    if workload_id == "W4":
        return _Transformer()
    if workload_id == "W5":
        return nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    raise ValueError(workload_id)


def run(workload_id, x, y, epochs):
    w = W.WORKLOADS[workload_id]
    torch.manual_seed(0)
    model = make_model(workload_id)
    if w.optimizer == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=W.LEARNING_RATE,
                                     betas=(W.ADAM_BETA_1, W.ADAM_BETA_2), eps=W.ADAM_EPSILON)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=W.SGD_LEARNING_RATE)
    if w.loss == "mse":
        loss_fn = F.mse_loss
    else:
        def loss_fn(logits, labels):
            return F.cross_entropy(logits, labels.long())
    xt, yt = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))
    if workload_id == "W4":
        xt = xt.long()
    spans = W.batches(len(x), w.batch_size)
    times = []
    model.train()
    for _ in range(epochs):
        start = time.perf_counter()
        for i, j in spans:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[i:j]), yt[i:j])
            loss.backward()
            optimizer.step()
        float(loss)
        times.append(time.perf_counter() - start)
    return times
