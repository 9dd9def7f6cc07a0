"""The project's set-up files say what the README and CI rely on."""

import os
import re
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _names(requirements):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].strip().lower().replace("_", "-")
            for r in requirements}


def test_pyproject_metadata():
    project = _pyproject()["project"]
    assert project["name"] == "kiln"
    assert project["requires-python"] == ">=3.10"
    assert _names(project["dependencies"]) >= {"numpy", "optree", "h5py", "ml-dtypes", "rich"}


def test_pyproject_extras():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert _names(extras["jax"]) == {"jax"}
    assert extras["torch"] == ["torch==2.13.0"]
    assert _names(extras["tensorflow"]) == {"tensorflow-cpu"}
    assert _names(extras["all"]) == {"jax", "torch", "tensorflow-cpu"}
    assert "torch==2.13.0" in extras["all"]
    assert _names(extras["test"]) >= {"pytest", "pytest-xdist"}
    for reqs in extras.values():
        assert "keras" not in _names(reqs)


def test_pyproject_packages_setuptools():
    data = _pyproject()
    assert data["build-system"]["build-backend"] == "setuptools.build_meta"
    assert data["tool"]["setuptools"]["packages"]["find"]["include"] == ["kiln*"]


def _makefile_targets():
    text = (ROOT / "Makefile").read_text()
    return text, set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, flags=re.M))


def test_makefile_targets():
    text, targets = _makefile_targets()
    assert {"demo", "test", "bench"} <= targets
    assert "examples/demo.py" in text
    assert "scripts/test_all_backends.sh" in text
    assert "bench/run.py" in text
    assert "pip uninstall -y keras" in text
    assert "dataset-fashion-mnist" in text
    assert "'.[all,test]'" in text or ".[all,test]" in text


def test_test_runner_covers_every_backend():
    script = (ROOT / "scripts" / "test_all_backends.sh").read_text()
    for backend in ("jax", "torch", "tensorflow", "numpy"):
        assert backend in script
    assert os.stat(ROOT / "scripts" / "test_all_backends.sh").st_mode & stat.S_IXUSR


def test_ci_script():
    path = ROOT / ".ci" / "run"
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert "set -euo pipefail" in text
    assert "make test" in text
    assert os.stat(path).st_mode & stat.S_IXUSR


def test_readme_quick_start_is_exactly_two_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```[a-z]*\n(.*?)```", section, flags=re.S).group(1)
    assert [line.strip() for line in block.strip().splitlines()] == ["make demo", "make test"]


def test_readme_explains_backend_choice():
    text = (ROOT / "README.md").read_text()
    for needle in ("KILN_BACKEND", "KERAS_BACKEND", "kiln.json", "import kiln as keras"):
        assert needle in text
