"""``CSVLogger``: stream each epoch's logs to a CSV file.

Example:
    >>> import kiln
    >>> kiln.callbacks.CSVLogger("training.log", separator=";").sep
    ';'
"""

import collections.abc
import csv
import os

import numpy as np

from kiln.callbacks.callback import Callback
from kiln.callbacks.early_stopping import scalar_log


def _cell(value):
    value = scalar_log(value)
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f"\"[{', '.join(map(str, value))}]\""
    return value


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` then every log key, sorted.

    The header comes from the first epoch's log keys; when those hold no
    ``val_`` key, a ``val_<key>`` column is added for each (filled with ``NA``
    until validation runs, e.g. with ``validation_freq > 1``). The file is
    flushed after every row.

    Args:
        filename: the CSV file path.
        separator: the column separator.
        append: append to an existing file (writing the header only if the file
            is empty) instead of overwriting it.

    Example:
        >>> import numpy as np, kiln, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> logger = kiln.callbacks.CSVLogger(path)
        >>> logger.on_train_begin(); logger.on_epoch_end(0, {"loss": 0.5}); logger.on_train_end()
        >>> open(path).read().splitlines()
        ['epoch,loss,val_loss', '0,0.5,NA']
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r", newline="") as existing:
                    self.append_header = not existing.readline()
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend("val_" + key for key in list(self.keys))
        if self.writer is None:
            dialect = type("_Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
