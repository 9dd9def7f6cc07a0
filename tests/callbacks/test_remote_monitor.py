"""RemoteMonitor: POSTs {"epoch", **logs} to a local HTTP server as a form field or as JSON, with
custom headers; an unreachable server only warns."""

import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import kiln
from kiln import layers

TRAINS = kiln.backend.backend() != "numpy"


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()
    httpd.server_close()


def test_form_and_json_payloads(server):
    root, received = server
    form = kiln.callbacks.RemoteMonitor(root=root, path="/epoch", field="payload", headers={"X-Run": "7"})
    form.on_epoch_end(2, {"loss": np.float32(0.5), "acc": np.array(0.25)})
    path, headers, body = received[-1]
    assert path == "/epoch" and headers["X-Run"] == "7"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert json.loads(urllib.parse.parse_qs(body)["payload"][0]) == {"epoch": 2, "loss": 0.5, "acc": 0.25}
    as_json = kiln.callbacks.RemoteMonitor(root=root, send_as_json=True)
    as_json.on_epoch_end(0, {"loss": 1.5})
    path, headers, body = received[-1]
    assert path == "/publish/epoch/end/" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 0, "loss": 1.5}


def test_unreachable_server_warns_and_bad_headers():
    monitor = kiln.callbacks.RemoteMonitor(root="http://127.0.0.1:9")  # the discard port: refused
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server at http://127.0.0.1:9"):
        monitor.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(TypeError, match="headers"):
        kiln.callbacks.RemoteMonitor(headers=["X-Run: 7"])


@pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")
def test_fit_posts_every_epoch(server):
    root, received = server
    x = np.ones((4, 1), "float32")
    model = kiln.Sequential([kiln.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, x, epochs=2, verbose=0, callbacks=[kiln.callbacks.RemoteMonitor(root=root)])
    sent = [json.loads(urllib.parse.parse_qs(body)["data"][0]) for _, _, body in received]
    assert [s["epoch"] for s in sent] == [0, 1]
    np.testing.assert_allclose([s["loss"] for s in sent], history.history["loss"], rtol=1e-6)
