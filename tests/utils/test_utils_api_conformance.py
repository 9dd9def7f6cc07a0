"""kiln.utils and kiln.datasets offer Keras 3's names, with Keras' signatures and a docstring example.

Modules: keras.utils (and its submodules legacy, bounding_boxes) and every keras.datasets
module (reference: ``../shared/reference/keras3_public_api.jsonl``). keras.utils is checked for
signatures and examples of every name Kiln has (``api_reference.missing_names`` lists the
ones it lacks); every other module, and the list of submodules, must be complete.
"""

import importlib
import json
import os

import pytest

from api_reference import REFERENCE, module_conformance_tests

DATASETS = ("keras.datasets.boston_housing", "keras.datasets.california_housing", "keras.datasets.cifar10",
            "keras.datasets.cifar100", "keras.datasets.fashion_mnist", "keras.datasets.imdb",
            "keras.datasets.mnist", "keras.datasets.reuters")
COMPLETE = ("keras.utils.legacy", "keras.utils.bounding_boxes", "keras.preprocessing", "keras.preprocessing.image",
            "keras.preprocessing.sequence") + DATASETS

(test_every_keras_name_exists, test_every_name_has_the_keras_signature,
 test_every_name_has_a_docstring_with_an_example) = module_conformance_tests(COMPLETE)

# keras.utils itself: every name Kiln has must match (missing names are skipped by these checks).
(_, test_keras_utils_signatures,
 test_keras_utils_docstring_examples) = module_conformance_tests(("keras.utils",))


def _module_rows(prefixes):
    if not os.path.exists(REFERENCE):
        pytest.skip(f"reference API list not found at {REFERENCE}")
    with open(REFERENCE) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [r for r in rows if r["kind"] == "module" and r["module"] in prefixes]


@pytest.mark.parametrize("parent", ["keras.utils", "keras.datasets"])
def test_every_keras_submodule_exists(parent):
    """``keras.utils.legacy``, ``keras.datasets.mnist``, ...: importable and an attribute of the parent."""
    rows = _module_rows((parent,))
    assert rows, f"no module rows for {parent} in the reference"
    kiln_parent = importlib.import_module(parent.replace("keras", "kiln", 1))
    missing = [r["name"] for r in rows if getattr(kiln_parent, r["name"], None) is None]
    assert not missing, f"{parent} submodules missing from kiln: {missing}"

