"""TensorBoard event files written without TensorFlow: TFRecord framing + hand-encoded protobufs.

An event file is a sequence of TFRecords, each ``uint64 length | uint32 masked_crc32c(length)
| data | uint32 masked_crc32c(data)`` (little endian), whose data is a serialized
``tensorflow.Event``. The first event carries ``file_version = "brain.Event:2"``; the others
carry a ``Summary`` (scalars as ``simple_value``, histograms as ``HistogramProto``, images as
PNG-encoded ``Summary.Image``) or a serialized ``GraphDef``. Only the standard library and NumPy
are used, so any backend can write files that TensorBoard reads.

Example:
    >>> import tempfile
    >>> writer = EventFileWriter(tempfile.mkdtemp())
    >>> writer.scalar("epoch_loss", 0.5, step=0)
    >>> writer.close()
    >>> masked_crc32c(b"")
    2726488792
"""

import functools
import os
import socket
import struct
import threading
import time
import zlib

import numpy as np

# -- CRC-32C (Castagnoli), table driven --------------------------------------------------------


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc32c_table()
_CRC_TABLE_NP = np.array(_CRC_TABLE, dtype=np.uint32)
_LANES_FROM = 1 << 13  # bytes; shorter data is checksummed byte by byte


def _crc_bytes(crc, data):
    """The CRC register after ``data`` (bytes), starting from register ``crc``."""
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


@functools.lru_cache(maxsize=8)
def _shift_tables(length):
    """Byte tables of the GF(2)-linear map "run ``length`` zero bytes through the register"."""
    def apply(columns, vector):
        out, bit = 0, 0
        while vector:
            if vector & 1:
                out ^= columns[bit]
            vector >>= 1
            bit += 1
        return out

    power = [_crc_bytes(1 << bit, b"\0") for bit in range(32)]  # one zero byte
    result = [1 << bit for bit in range(32)]  # identity
    while length:
        if length & 1:
            result = [apply(power, column) for column in result]
        power = [apply(power, column) for column in power]
        length >>= 1
    tables = []
    for k in range(4):  # table[b] = xor of the columns of b's bits, built from smaller b
        columns, table = result[8 * k: 8 * k + 8], [0] * 256
        for byte in range(1, 256):
            low = byte & -byte
            table[byte] = table[byte ^ low] ^ columns[low.bit_length() - 1]
        tables.append(table)
    return tables


def _crc_lanes(crc, data):
    """``_crc_bytes`` for long data: equal chunks in NumPy lanes, then chained.

    The register update is linear over GF(2), so with ``L``-byte chunks
    ``register(c, m1 + m2) = shift_L(register(c, m1)) ^ register(0, m2)``.
    """
    lanes = int(len(data) ** 0.5)
    length = len(data) // lanes
    body = np.frombuffer(data, dtype=np.uint8, count=lanes * length).reshape(lanes, length)
    columns = np.ascontiguousarray(body.T).astype(np.uint32)
    registers = np.zeros(lanes, dtype=np.uint32)
    for column in columns:
        registers = _CRC_TABLE_NP[(registers ^ column) & 0xFF] ^ (registers >> 8)
    t0, t1, t2, t3 = _shift_tables(length)
    for register in registers.tolist():
        crc = t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24] ^ register
    return _crc_bytes(crc, data[lanes * length:])


def crc32c(data):
    """The CRC-32C checksum of ``data`` (bytes).

    Example:
        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    data = bytes(data)
    update = _crc_lanes if len(data) >= _LANES_FROM else _crc_bytes
    return update(0xFFFFFFFF, data) ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The TFRecord checksum: CRC-32C rotated right by 15 bits plus ``0xa282ead8``.

    Example:
        >>> masked_crc32c(b"abc") == masked_crc32c(b"abc")
        True
    """
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    """Frame ``data`` as one TFRecord.

    Example:
        >>> len(tfrecord(b"xyz"))
        19
    """
    header = struct.pack("<Q", len(data))
    return b"".join((header, struct.pack("<I", masked_crc32c(header)), data,
                     struct.pack("<I", masked_crc32c(data))))


# -- protobuf wire format ---------------------------------------------------------------------


def _varint(value):
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def pb_varint(field, value):
    """An int/bool/enum field (wire type 0)."""
    return _key(field, 0) + _varint(int(value))


def pb_double(field, value):
    """A ``double`` field (wire type 1)."""
    return _key(field, 1) + struct.pack("<d", float(value))


def pb_float(field, value):
    """A ``float`` field (wire type 5)."""
    return _key(field, 5) + struct.pack("<f", float(value))


def pb_bytes(field, value):
    """A ``string``/``bytes``/sub-message field (wire type 2)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _key(field, 2) + _varint(len(value)) + value


def pb_packed_doubles(field, values):
    """A packed ``repeated double`` field."""
    values = np.asarray(values, dtype="<f8")
    return pb_bytes(field, values.tobytes())


# -- messages -----------------------------------------------------------------------------------


def _message(*fields):
    """A serialized message from ``(encoder, field number, value)``; None values are left out."""
    return b"".join(encode(number, value) for encode, number, value in fields if value is not None)


def event(wall_time, step=0, file_version=None, graph_def=None, summary=None):
    """A serialized ``Event`` (wall_time=1, step=2, file_version=3, graph_def=4, summary=5)."""
    return _message((pb_double, 1, wall_time), (pb_varint, 2, step or None),
                    (pb_bytes, 3, file_version), (pb_bytes, 4, graph_def), (pb_bytes, 5, summary))


def summary_value(tag, simple_value=None, histo=None, image=None, tensor=None, metadata=None):
    """A serialized ``Summary`` holding one ``Summary.Value`` (tag=1, simple_value=2, image=4,
    histo=5, tensor=8, metadata=9)."""
    return pb_bytes(1, _message((pb_bytes, 1, tag), (pb_float, 2, simple_value), (pb_bytes, 4, image),
                                (pb_bytes, 5, histo), (pb_bytes, 8, tensor), (pb_bytes, 9, metadata)))


def plugin_metadata(plugin_name, content=b""):
    """A serialized ``SummaryMetadata`` naming the TensorBoard plugin that reads the value."""
    return pb_bytes(1, pb_bytes(1, plugin_name) + (pb_bytes(2, content) if content else b""))


def string_tensor(value):
    """A serialized scalar ``TensorProto`` of dtype ``DT_STRING`` (dtype=1, shape=2, string_val=8)."""
    return pb_varint(1, 7) + pb_bytes(2, b"") + pb_bytes(8, value)


def histogram_proto(values, buckets=30):
    """A serialized ``HistogramProto`` of ``values`` in ``buckets`` equal-width buckets.

    ``bucket_limit[i]`` is the right edge of ``bucket[i]``; the first left edge is ``min``.

    Example:
        >>> len(histogram_proto([1.0, 2.0, 3.0], buckets=2)) > 0
        True
    """
    values = np.asarray(values, dtype="float64").reshape(-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return b""
    low, high = float(values.min()), float(values.max())
    if high > low:
        counts, edges = np.histogram(values, bins=int(buckets), range=(low, high))
        limits = edges[1:]
    else:
        counts, limits = np.array([values.size]), np.array([high])
    return b"".join((
        pb_double(1, low), pb_double(2, high), pb_double(3, values.size),
        pb_double(4, values.sum()), pb_double(5, np.dot(values, values)),
        pb_packed_doubles(6, limits), pb_packed_doubles(7, counts),
    ))


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(pixels):
    """PNG bytes of a ``uint8`` image of shape ``(height, width, channels)``, channels 1, 3 or 4.

    Example:
        >>> encode_png(np.zeros((2, 3, 1), "uint8"))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width, channels = pixels.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, width * channels)],
                          axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes())), _png_chunk(b"IEND", b"")))


def image_proto(pixels):
    """A serialized ``Summary.Image`` (height=1, width=2, colorspace=3, encoded_image_string=4)."""
    height, width, channels = np.shape(pixels)
    return b"".join((pb_varint(1, height), pb_varint(2, width), pb_varint(3, channels),
                     pb_bytes(4, encode_png(pixels))))


def normalize_image(values):
    """Float values to ``uint8`` as TensorBoard's legacy image summary does.

    All non-negative: scaled so the largest is 255. Any negative: shifted so 0.0 is at 127,
    then scaled so the smallest is 0 or the largest is 255.

    Example:
        >>> normalize_image(np.array([0.0, 0.5, 1.0])).tolist()
        [0, 128, 255]
    """
    values = np.nan_to_num(np.asarray(values, dtype="float64"))
    if values.size == 0:
        return values.astype(np.uint8)
    if values.min() >= 0:
        peak = values.max()
        scale = 255.0 / peak if peak > 0 else 0.0
        offset = 0.0
    else:
        scale = min(127.0 / -values.min(), 128.0 / values.max() if values.max() > 0 else np.inf)
        offset = 127.0
    return np.clip(np.round(values * scale + offset), 0, 255).astype(np.uint8)


def node_def(name, op, inputs=(), attrs=None):
    """A serialized ``NodeDef`` (name=1, op=2, input=3, attr=5 map of string ``AttrValue.s``)."""
    parts = [pb_bytes(1, name), pb_bytes(2, op)]
    parts.extend(pb_bytes(3, i) for i in inputs)
    for key, value in (attrs or {}).items():
        parts.append(pb_bytes(5, pb_bytes(1, key) + pb_bytes(2, pb_bytes(2, str(value)))))
    return b"".join(parts)


def graph_def(nodes):
    """A serialized ``GraphDef`` from serialized ``NodeDef`` messages (versions.producer = 1)."""
    return b"".join([pb_bytes(1, n) for n in nodes] + [pb_bytes(4, pb_varint(1, 1))])


# -- the writer -----------------------------------------------------------------------------


_FILE_COUNTER = [0]
_COUNTER_LOCK = threading.Lock()


class EventFileWriter:
    """Appends events to ``<logdir>/events.out.tfevents.<time>.<host>.<pid>.<n>.v2``.

    Records are buffered and written on ``flush()`` (and ``close()``).

    Example:
        >>> import tempfile
        >>> w = EventFileWriter(tempfile.mkdtemp())
        >>> w.histogram("dense/kernel/histogram", [0.1, 0.2, 0.3], step=1)
        >>> w.flush(); w.close()
        >>> os.path.basename(w.path).startswith("events.out.tfevents.")
        True
    """

    def __init__(self, logdir, filename_suffix=".v2"):
        os.makedirs(logdir, exist_ok=True)
        with _COUNTER_LOCK:
            counter = _FILE_COUNTER[0]
            _FILE_COUNTER[0] += 1
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
                f"{os.getpid()}.{counter}{filename_suffix}")
        self.logdir = logdir
        self.path = os.path.join(logdir, name)
        self._file = open(self.path, "wb")
        self._pending = []
        self.add_event(event(time.time(), file_version="brain.Event:2"))
        self.flush()

    @property
    def closed(self):
        return self._file is None

    def add_event(self, serialized_event):
        """Queue one serialized ``Event``."""
        if self._file is None:
            raise ValueError(f"EventFileWriter: {self.path} is closed")
        self._pending.append(tfrecord(serialized_event))

    def add_summary(self, serialized_summary, step):
        self.add_event(event(time.time(), step=int(step), summary=serialized_summary))

    def scalar(self, tag, value, step):
        """Log ``value`` (a number) under ``tag`` at ``step``."""
        self.add_summary(summary_value(tag, simple_value=float(value)), step)

    def histogram(self, tag, values, step, buckets=30):
        """Log the distribution of ``values`` (any array-like) under ``tag`` at ``step``."""
        self.add_summary(summary_value(tag, histo=histogram_proto(values, buckets)), step)

    def image(self, tag, pixels, step):
        """Log one ``uint8`` image ``(height, width, channels)`` under ``tag`` at ``step``."""
        self.add_summary(summary_value(tag, image=image_proto(pixels)), step)

    def string(self, tag, value, step, plugin_name, plugin_content=b""):
        """Log a string tensor for the plugin ``plugin_name`` (e.g. a model's JSON config)."""
        self.add_summary(summary_value(tag, tensor=string_tensor(value),
                                       metadata=plugin_metadata(plugin_name, plugin_content)), step)

    def graph(self, serialized_graph_def):
        """Log a serialized ``GraphDef`` (shown in TensorBoard's Graphs tab)."""
        self.add_event(event(time.time(), graph_def=serialized_graph_def))

    def flush(self):
        if self._file is None:
            return
        if self._pending:
            self._file.write(b"".join(self._pending))
            self._pending = []
        self._file.flush()

    def close(self):
        if self._file is None:
            return
        self.flush()
        self._file.close()
        self._file = None
