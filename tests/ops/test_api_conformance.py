"""kiln.ops offers every Keras 3 op, in the submodule Keras names, with Keras' exact signature.

The reference is ``../shared/reference/keras3_public_api.jsonl`` (rows whose
module is ``keras.ops`` or one of its submodules); the tests skip without it.
"""

from api_reference import lacking_examples, missing_names, reference_rows, wrong_signatures

OPS_MODULES = ("keras.ops", "keras.ops.numpy", "keras.ops.nn", "keras.ops.linalg", "keras.ops.image")


def test_every_keras_op_exists_in_the_same_submodule():
    missing = missing_names(reference_rows(OPS_MODULES))
    assert not missing, f"{len(missing)} Keras ops missing from kiln: {missing}"


def test_every_op_has_the_keras_signature():
    wrong = wrong_signatures(reference_rows(OPS_MODULES))
    assert not wrong, "\n".join(wrong)


def test_every_op_has_a_docstring_with_an_example():
    lacking = lacking_examples(reference_rows(OPS_MODULES))
    assert not lacking, f"ops without a docstring example: {lacking}"
