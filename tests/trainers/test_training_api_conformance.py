"""The training modules offer every Keras 3 name, with Keras' signatures and a docstring example.

Modules: losses, metrics, optimizers (and schedules), callbacks, mixed_precision and
dtype_policies (reference: ``../shared/reference/keras3_public_api.jsonl``).
"""

from api_reference import module_conformance_tests

MODULES = ("keras.losses", "keras.metrics", "keras.optimizers", "keras.optimizers.schedules",
           "keras.callbacks", "keras.mixed_precision", "keras.dtype_policies")

(test_every_keras_name_exists, test_every_name_has_the_keras_signature,
 test_every_name_has_a_docstring_with_an_example) = module_conformance_tests(MODULES)
