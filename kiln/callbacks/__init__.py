"""Callbacks for ``fit``/``evaluate``/``predict``.

Example:
    >>> import kiln
    >>> isinstance(kiln.callbacks.History(), kiln.callbacks.Callback)
    True
"""

from kiln.callbacks.callback import Callback
from kiln.callbacks.callback_list import CallbackList
from kiln.callbacks.history import History
from kiln.callbacks.progbar_logger import ProgbarLogger
