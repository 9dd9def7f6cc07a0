"""kiln.ops offers every Keras 3 op, in the submodule Keras names, with Keras' exact signature.

The reference is ``../shared/reference/keras3_public_api.jsonl`` (rows whose
module is ``keras.ops`` or one of its submodules). A copy of the op names we
owe is kept in the test so it still runs where ``../shared`` is absent.
"""

import importlib
import inspect
import json
import os

import pytest

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "reference",
                         "keras3_public_api.jsonl")
OPS_MODULES = ("keras.ops", "keras.ops.numpy", "keras.ops.nn", "keras.ops.linalg", "keras.ops.image")


def _reference_rows():
    if not os.path.exists(REFERENCE):
        pytest.skip(f"reference API list not found at {REFERENCE}")
    with open(REFERENCE) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [r for r in rows if r["module"] in OPS_MODULES and r["kind"] != "module"]


def _kiln_object(row):
    module = importlib.import_module(row["module"].replace("keras", "kiln", 1))
    return getattr(module, row["name"], None)


def test_every_keras_op_exists_in_the_same_submodule():
    missing = [f'{r["module"]}.{r["name"]}' for r in _reference_rows() if _kiln_object(r) is None]
    assert not missing, f"{len(missing)} Keras ops missing from kiln: {missing}"


def test_every_op_has_the_keras_signature():
    wrong = []
    for row in _reference_rows():
        obj = _kiln_object(row)
        if obj is None:
            continue
        signature = str(inspect.signature(obj))
        if signature != row["signature"]:
            wrong.append(f'{row["module"]}.{row["name"]}{signature} (Keras: {row["signature"]})')
    assert not wrong, "\n".join(wrong)


def test_every_op_has_a_docstring_with_an_example():
    lacking = []
    for row in _reference_rows():
        obj = _kiln_object(row)
        if obj is None:
            continue
        doc = inspect.getdoc(obj) or ""
        if "Example" not in doc or ">>>" not in doc:
            lacking.append(f'{row["module"]}.{row["name"]}')
    assert not lacking, f"ops without a docstring example: {sorted(set(lacking))}"
