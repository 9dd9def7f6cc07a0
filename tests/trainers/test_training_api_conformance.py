"""The training modules offer every Keras 3 name, with Keras' signatures and a docstring example.

Modules: losses, metrics, optimizers (and schedules), callbacks, mixed_precision and
dtype_policies (reference: ``../shared/reference/keras3_public_api.jsonl``).
"""

import pytest

from api_reference import lacking_examples, missing_names, reference_rows, wrong_signatures

MODULES = ("keras.losses", "keras.metrics", "keras.optimizers", "keras.optimizers.schedules",
           "keras.callbacks", "keras.mixed_precision", "keras.dtype_policies")


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
