"""``RemoteMonitor``: POST each epoch's logs to an HTTP server.

Example:
    >>> import kiln
    >>> kiln.callbacks.RemoteMonitor().root
    'http://localhost:9000'
"""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from kiln import ops
from kiln.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Send the epoch number and logs to ``root + path`` at the end of each epoch.

    The payload is ``{"epoch": epoch, **logs}``. By default it is sent as an
    HTML form with one field (``field``) holding the payload as JSON; with
    ``send_as_json=True`` the request body is the JSON payload itself
    (``Content-Type: application/json``). An unreachable server only warns.

    Args:
        root: the server's base URL.
        path: the path appended to ``root``.
        field: the form field that carries the JSON payload.
        headers: optional dict of extra HTTP headers.
        send_as_json: send the payload as a JSON body instead of a form.

    Example:
        >>> import kiln
        >>> monitor = kiln.callbacks.RemoteMonitor(root="http://localhost:8000", send_as_json=True)
        >>> monitor.root + monitor.path
        'http://localhost:8000/publish/epoch/end/'
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        if headers is not None and not isinstance(headers, dict):
            raise TypeError(f"RemoteMonitor: `headers` must be a dict or None, received {headers!r}")
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def _payload(self, epoch, logs):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            if not isinstance(value, (np.ndarray, np.generic, int, float, str, bool)) and value is not None:
                try:
                    value = ops.convert_to_numpy(value)  # a backend tensor
                except Exception:
                    pass
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        return send

    def on_epoch_end(self, epoch, logs=None):
        send = self._payload(epoch, logs)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except urllib.error.HTTPError:
            pass  # the server was reached and answered; an error status is its business
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
