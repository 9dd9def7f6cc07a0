"""``DeferredLogs``: a step's logs dict whose values are computed when first read.

An eager (torch) step updates the metrics; turning them into results costs a few
ops per metric, which is wasted on the many steps whose logs nobody reads
(the progress bar redraws at most every 0.1 s). Reading any key, iterating or
copying fills the dict at that moment.

Example:
    >>> logs = DeferredLogs(lambda: {"loss": 0.5})
    >>> dict(logs)
    {'loss': 0.5}
"""


class DeferredLogs(dict):
    """A dict filled by ``compute()`` on first access."""

    __slots__ = ("_compute",)

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def _fill(self):
        compute = self._compute
        if compute is not None:
            self._compute = None
            dict.update(self, compute())

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def __contains__(self, key):
        self._fill()
        return dict.__contains__(self, key)

    def __repr__(self):
        self._fill()
        return dict.__repr__(self)

    def __eq__(self, other):
        self._fill()
        return dict.__eq__(self, other)

    __hash__ = None

    def get(self, key, default=None):
        self._fill()
        return dict.get(self, key, default)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def copy(self):
        self._fill()
        return dict(dict.items(self))
