"""kiln.layers, activations, initializers, regularizers and constraints offer every Keras 3 name.

Each name exists in the same Kiln module, with Keras' exact signature and a
docstring example (reference: ``../shared/reference/keras3_public_api.jsonl``).
"""

from api_reference import module_conformance_tests

MODULES = ("keras.layers", "keras.activations", "keras.initializers", "keras.regularizers",
           "keras.constraints")

(test_every_keras_name_exists, test_every_name_has_the_keras_signature,
 test_every_name_has_a_docstring_with_an_example) = module_conformance_tests(MODULES)
