"""kiln.layers, activations, initializers, regularizers and constraints offer every Keras 3 name.

Each name exists in the same Kiln module, with Keras' exact signature and a
docstring example (reference: ``../shared/reference/keras3_public_api.jsonl``).
"""

import pytest

from api_reference import lacking_examples, missing_names, reference_rows, wrong_signatures

MODULES = ("keras.layers", "keras.activations", "keras.initializers", "keras.regularizers",
           "keras.constraints")


@pytest.mark.parametrize("module", MODULES)
def test_every_keras_name_exists(module):
    missing = missing_names(reference_rows((module,)))
    assert not missing, f"{len(missing)} names missing from kiln: {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_every_name_has_the_keras_signature(module):
    wrong = wrong_signatures(reference_rows((module,)))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("module", MODULES)
def test_every_name_has_a_docstring_with_an_example(module):
    lacking = lacking_examples(reference_rows((module,)))
    assert not lacking, f"{len(lacking)} without a docstring example: {lacking}"
