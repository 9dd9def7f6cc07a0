"""Kiln's public names against the Keras 3 reference list (``keras3_public_api.jsonl``).

Test modules ask for the rows of some Keras modules and check that Kiln has
each name in the same module, with Keras' exact signature and a docstring that
carries an example.

Example:
    >>> rows = reference_rows(("keras.constraints",))  # doctest: +SKIP
    >>> missing_names(rows)  # doctest: +SKIP
    []
"""

import importlib
import inspect
import json
import os

import pytest

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference",
                         "keras3_public_api.jsonl")


def reference_rows(modules):
    """The reference rows (module, name, kind, signature) of ``modules``, modules themselves excluded."""
    if not os.path.exists(REFERENCE):
        pytest.skip(f"reference API list not found at {REFERENCE}")
    with open(REFERENCE) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [r for r in rows if r["module"] in modules and r["kind"] != "module"]


def kiln_object(row):
    """The Kiln object a reference row names (``keras.x.Y`` -> ``kiln.x.Y``), or None."""
    module = importlib.import_module(row["module"].replace("keras", "kiln", 1))
    return getattr(module, row["name"], None)


def missing_names(rows):
    """``module.name`` of every row Kiln lacks."""
    return [f'{r["module"]}.{r["name"]}' for r in rows if kiln_object(r) is None]


def wrong_signatures(rows):
    """One line per object whose signature differs from Keras'."""
    wrong = []
    for row in rows:
        obj = kiln_object(row)
        if obj is None or not row.get("signature"):
            continue
        try:
            signature = str(inspect.signature(obj))
        except (TypeError, ValueError):
            signature = "<no signature>"
        # Keras reports its argument-less classes as (*args, **kwargs); Kiln's take none.
        if signature == "()" and row["signature"] == "(*args, **kwargs)":
            continue
        if signature != row["signature"]:
            wrong.append(f'{row["module"]}.{row["name"]}{signature} (Keras: {row["signature"]})')
    return wrong


def lacking_examples(rows):
    """``module.name`` of every object whose docstring has no ``Example`` with ``>>>`` lines."""
    lacking = []
    for row in rows:
        obj = kiln_object(row)
        if obj is None:
            continue
        doc = inspect.getdoc(obj) or ""
        if "Example" not in doc or ">>>" not in doc:
            lacking.append(f'{row["module"]}.{row["name"]}')
    return sorted(set(lacking))


def module_conformance_tests(modules):
    """The three per-module checks (names exist, signatures, docstring examples) as pytest tests.

    A test file binds them at module level so pytest collects them:
    ``test_every_keras_name_exists, test_every_name_has_the_keras_signature,
    test_every_name_has_a_docstring_with_an_example = module_conformance_tests(MODULES)``.
    """
    parametrize = pytest.mark.parametrize("module", modules)

    @parametrize
    def test_every_keras_name_exists(module):
        missing = missing_names(reference_rows((module,)))
        assert not missing, f"{len(missing)} names missing from kiln: {missing}"

    @parametrize
    def test_every_name_has_the_keras_signature(module):
        wrong = wrong_signatures(reference_rows((module,)))
        assert not wrong, "\n".join(wrong)

    @parametrize
    def test_every_name_has_a_docstring_with_an_example(module):
        lacking = lacking_examples(reference_rows((module,)))
        assert not lacking, f"{len(lacking)} without a docstring example: {lacking}"

    return (test_every_keras_name_exists, test_every_name_has_the_keras_signature,
            test_every_name_has_a_docstring_with_an_example)
