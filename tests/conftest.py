"""Shared pytest set-up: the ``slow`` marker and a fresh naming state per test."""

import os

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")


@pytest.fixture(autouse=True)
def _fresh_names():
    import kiln

    kiln.backend.clear_session()
    yield
