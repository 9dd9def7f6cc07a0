"""DeferredLogs fills itself on first read, whatever the read is."""

from kiln.trainers.deferred_logs import DeferredLogs


def test_fills_once_on_any_access():
    calls = []

    def compute():
        calls.append(1)
        return {"loss": 1.0, "accuracy": 0.5}

    logs = DeferredLogs(compute)
    assert calls == []
    assert logs["loss"] == 1.0 and "accuracy" in logs and len(logs) == 2
    assert dict(logs) == {"loss": 1.0, "accuracy": 0.5}
    assert list(logs.items()) == [("loss", 1.0), ("accuracy", 0.5)]
    assert calls == [1]


def test_copy_and_iteration():
    assert sorted(DeferredLogs(lambda: {"b": 2, "a": 1})) == ["a", "b"]
    assert DeferredLogs(lambda: {"a": 1}).copy() == {"a": 1}
    assert isinstance(DeferredLogs(dict), dict)
