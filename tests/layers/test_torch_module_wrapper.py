"""TorchModuleWrapper: torch modules as layers (torch backend); a clear error on the others.

On jax/tensorflow/numpy each test checks that construction is refused with an
error naming the torch backend (the wrapper is torch-only, as in Keras 3).
"""

import copy

import numpy as np
import pytest
import torch

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, backend, layers
from kiln.saving.serialization_lib import SafeModeScope, deserialize_kiln_object, serialize_kiln_object

ON_TORCH = backend.backend() == "torch"


def _torch_or_refused():
    """True on torch; elsewhere asserts the wrapper refuses to be built and returns False."""
    if ON_TORCH:
        return True
    with pytest.raises(ValueError, match="TorchModuleWrapper.*'torch' backend"):
        layers.TorchModuleWrapper(torch.nn.Linear(2, 2))
    return False


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))


def test_conformance():
    if not _torch_or_refused():
        return
    # The config round trip unpickles the module, which safe mode forbids: this test trusts it.
    # Mixed precision opt-out: the wrapped module owns its parameter dtypes and computes in them.
    with SafeModeScope(False):
        run_layer_test(layers.TorchModuleWrapper, {"module": _mlp()}, input_shape=(3, 4),
                       expected_output_shape=(3, 2), expected_num_trainable_weights=4,
                       expected_num_non_trainable_weights=0, run_mixed_precision_check=False)


def test_output_matches_the_module_and_weights_are_its_parameters():
    if not _torch_or_refused():
        return
    module = _mlp()
    reference = copy.deepcopy(module)
    layer = layers.TorchModuleWrapper(module, name="mlp")
    x = make_input((5, 4))
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), expected, atol=1e-6)
    assert [v.path for v in layer.weights] == ["mlp/0_weight", "mlp/0_bias", "mlp/2_weight", "mlp/2_bias"]
    new = [np.full(w.shape, 0.1, dtype="float32") for w in layer.get_weights()]
    layer.set_weights(new)
    np.testing.assert_allclose(module[0].weight.detach().numpy(), new[0])


def test_fit_lowers_the_loss_and_updates_the_module():
    if not _torch_or_refused():
        return
    module = _mlp()
    before = module[0].weight.detach().clone()
    model = kiln.Sequential([kiln.Input((4,)), layers.TorchModuleWrapper(module), layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.Adam(0.02), loss="mse")
    x = make_input((32, 4))
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]
    assert not torch.equal(before, module[0].weight.detach())


def test_symbolic_shape_by_tracing_or_given():
    if not _torch_or_refused():
        return
    conv = torch.nn.Conv1d(3, 5, kernel_size=2)
    assert layers.TorchModuleWrapper(conv)(KerasTensor((None, 3, None))).shape == (None, 5, None)
    given = layers.TorchModuleWrapper(torch.nn.Identity(), output_shape=(None, 7))
    assert given(KerasTensor((None, 7))).shape == (None, 7)


def test_training_flag_switches_module_mode_and_frozen_parameters():
    if not _torch_or_refused():
        return
    module = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.5))
    module[0].bias.requires_grad_(False)
    layer = layers.TorchModuleWrapper(module)
    assert len(layer.trainable_weights) == 1 and len(layer.non_trainable_weights) == 1
    x = np.ones((8, 4), dtype="float32")
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), to_numpy(layer(x, training=False)))
    layer(x, training=True)
    assert module.training
    layer(x, training=False)
    assert not module.training


def test_saved_module_needs_safe_mode_off():
    if not _torch_or_refused():
        return
    layer = layers.TorchModuleWrapper(_mlp())
    envelope = serialize_kiln_object(layer)
    with pytest.raises(ValueError, match="safe_mode"):
        deserialize_kiln_object(envelope)
    with SafeModeScope(False):
        rebuilt = deserialize_kiln_object(envelope)
    x = make_input((2, 4))
    np.testing.assert_allclose(to_numpy(rebuilt(x, training=False)), to_numpy(layer(x, training=False)),
                               atol=1e-6)


def test_bad_arguments():
    if not _torch_or_refused():
        return
    with pytest.raises(ValueError, match="TorchModuleWrapper.*torch.nn.Module"):
        layers.TorchModuleWrapper(lambda x: x)
    with pytest.raises(ValueError, match="lazy"):
        layers.TorchModuleWrapper(torch.nn.LazyLinear(3))
