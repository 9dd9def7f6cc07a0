"""Behaviour only the torch backend has: nn.Parameter storage, layers as nn.Modules,
meta-device tracing, torch.Generator seeding, the conversion fast path."""

import pytest

import kiln

if kiln.backend.backend() != "torch":
    pytest.skip("torch-backend-specific tests", allow_module_level=True)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import kiln.backend.torch as B  # noqa: E402
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: E402
from kiln.backend.common.scopes import StatelessScope  # noqa: E402
from kiln.backend.torch import array_ops, core, nn, random  # noqa: E402


# -- Variable ---------------------------------------------------------------------------
def test_variable_is_a_parameter_and_assign_keeps_its_identity():
    v = core.Variable(np.array([1.0, 2.0], "float32"), name="w")
    param = v.value
    assert isinstance(param, torch.nn.Parameter) and param.requires_grad
    v.assign([3.0, 4.0])
    v.assign_add(torch.ones(2))
    assert v.value is param
    np.testing.assert_allclose(param.detach().numpy(), [4.0, 5.0])


def test_variable_initial_value_is_copied():
    source = np.ones(3, "float32")
    v = core.Variable(source)
    v.assign(np.zeros(3, "float32"))
    np.testing.assert_allclose(source, 1.0)


def test_trainable_toggles_requires_grad_and_ints_never_require_grad():
    v = core.Variable(np.zeros(2, "float32"))
    v.trainable = False
    assert not v.value.requires_grad
    v.trainable = True
    assert v.value.requires_grad
    counter = core.Variable(np.array([0, 1]), dtype="int64", name="counter")
    assert counter.trainable and not counter.value.requires_grad


def test_torch_functions_accept_a_variable():
    v = core.Variable(np.array([1.0, 2.0], "float32"))
    np.testing.assert_allclose(torch.add(v, 1).detach().numpy(), [2.0, 3.0])


def test_stateless_scope_reads_mapping_and_records_without_touching_parameter():
    v = core.Variable(np.zeros(2, "float32"))
    with StatelessScope(state_mapping=[(v, torch.full((2,), 5.0))]) as scope:
        assert float(array_ops.sum(v)) == 10.0
        v.assign(torch.ones(2))
    assert float(v.numpy().sum()) == 0.0
    assert float(scope.get_current_value(v).sum()) == 2.0


# -- conversion -------------------------------------------------------------------------
def test_convert_fast_path_returns_the_same_tensor():
    x = torch.ones(2, 3)
    assert core.convert_to_tensor(x) is x
    assert core.convert_to_tensor(x, "float32") is x
    assert core.cast(x, "float32") is x


def test_convert_dtypes():
    assert core.convert_to_tensor(1.5).dtype == torch.float32
    assert core.convert_to_tensor(1).dtype == torch.int32
    assert core.convert_to_tensor([True]).dtype == torch.bool
    assert core.convert_to_tensor(np.zeros(2, "float64")).dtype == torch.float64
    assert core.convert_to_tensor(np.zeros(2, "int64")).dtype == torch.int64
    assert core.convert_to_tensor([core.convert_to_tensor(1.0), 2.0]).tolist() == [1.0, 2.0]


def test_convert_to_numpy_detaches_and_handles_bfloat16():
    x = torch.ones(2, requires_grad=True)
    assert core.convert_to_numpy(x * 2).tolist() == [2.0, 2.0]
    b = core.convert_to_numpy(torch.tensor([1.5, 2.0], dtype=torch.bfloat16))
    assert str(b.dtype) == "bfloat16" and b.astype("float32").tolist() == [1.5, 2.0]


def test_convert_keeps_the_shape_of_bfloat16_arrays():
    import ml_dtypes

    for value in (np.array(1.5, ml_dtypes.bfloat16), np.full((2, 3), 2.5, ml_dtypes.bfloat16)[:, ::2],
                  np.zeros((0, 2), ml_dtypes.bfloat16)):
        t = core.convert_to_tensor(value)
        assert t.dtype == torch.bfloat16 and tuple(t.shape) == value.shape
        assert t.float().tolist() == value.astype("float32").tolist()
    assert tuple(core.convert_to_tensor(np.array(1.5, ml_dtypes.bfloat16), "float32").shape) == ()


def test_weak_scalar_promotion_on_torch_tensors():
    i8 = torch.ones(2, dtype=torch.int8)
    assert array_ops.add(i8, 3).dtype == torch.int8
    assert array_ops.add(torch.ones(2, dtype=torch.int32), 1.5).dtype == torch.float32
    assert array_ops.add(torch.ones(2, dtype=torch.bool), 1).dtype == torch.int32
    assert array_ops.add(i8, torch.ones(2, dtype=torch.uint8)).dtype == torch.int16
    assert array_ops.multiply(torch.ones(2, dtype=torch.float16), 2.0).dtype == torch.float16
    # torch would not promote a 0-d float64 with a float32 vector; Kiln does.
    assert array_ops.add(torch.ones(2), torch.tensor(1.0, dtype=torch.float64)).dtype == torch.float64
    assert array_ops.sum(torch.ones(2, dtype=torch.int32)).dtype == torch.int32


# -- autograd ---------------------------------------------------------------------------
def test_gradients_flow_through_ops_to_variables():
    w = core.Variable(np.ones((3, 2), "float32"))
    x = torch.ones(4, 3)
    y = nn.softmax(array_ops.matmul(x, w))
    loss = array_ops.sum(nn.categorical_crossentropy(torch.eye(2)[[0, 1, 0, 1]], y))
    loss.backward()
    assert w.value.grad is not None and w.value.grad.shape == (3, 2)


# -- tracing ----------------------------------------------------------------------------
def test_compute_output_spec_traces_on_meta_with_none_dims():
    w = core.Variable(np.ones((3, 4), "float32"))
    devices = []

    def fn(x):
        devices.append(x.device.type)
        return {"y": nn.relu(array_ops.matmul(x, w)), "i": array_ops.argmax(x, axis=-1)}

    out = core.compute_output_spec(fn, KerasTensor((None, 3)))
    assert devices == ["meta", "meta"]
    assert out["y"].shape == (None, 4) and out["y"].dtype == "float32"
    assert out["i"].shape == (None,) and out["i"].dtype == "int32"


def test_variables_created_while_tracing_on_meta_hold_real_values():
    with core.device_scope("meta"):
        v = core.Variable(np.ones(2, "float32"))
        assert v.value.is_meta  # reads during the trace see a meta stand-in
        v.assign(array_ops.zeros((2,)))  # a traced update is not applied
    assert not v._value.is_meta
    np.testing.assert_allclose(v.numpy(), [1.0, 1.0])


def test_compute_output_spec_falls_back_to_real_tensors():
    def fn(x):
        return x[: int(x.shape[0]) - 1] if bool(array_ops.all(x == 0)) else x

    out = core.compute_output_spec(fn, KerasTensor((5, 2)))
    assert out.shape == (4, 2)


# -- random -----------------------------------------------------------------------------
def test_random_seed_tensor_is_int64_and_deterministic():
    assert core.random_seed_dtype() == "int64"
    seed = torch.tensor([7, 1])
    a = random.normal((4,), seed=seed)
    assert torch.equal(a, random.normal((4,), seed=seed))
    assert not torch.equal(a, random.normal((4,), seed=torch.tensor([7, 2])))
    kept = random.dropout(torch.ones(1000), 0.25, seed=seed)
    assert torch.allclose(kept[kept != 0], torch.tensor(1 / 0.75))


# -- devices ----------------------------------------------------------------------------
def test_device_scope_and_list_devices():
    with core.device_scope("cpu:0"):
        assert core.convert_to_tensor([1.0]).device.type == "cpu"
        assert array_ops.zeros((2,)).device.type == "cpu"
    with core.device_scope("meta"):
        assert array_ops.ones((2,)).device.type == "meta"
    assert "cpu:0" in B.distribution.list_devices("cpu")


# -- layers are nn.Modules --------------------------------------------------------------
def _layers():
    from kiln.layers.layer import Layer

    class Scale(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w.scale")
            self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                         trainable=False, name="count")

        def call(self, x):
            return x * self.w

    class Block(Layer):
        def __init__(self):
            super().__init__()
            self.first = Scale()
            self.rest = [Scale(), Scale()]

        def call(self, x):
            x = self.first(x)
            for layer in self.rest:
                x = layer(x)
            return x

    return Scale, Block


def test_layer_is_module_with_registered_parameters_and_submodules():
    _, Block = _layers()
    block = Block()
    block(np.ones((2, 3), "float32"))
    assert isinstance(block, torch.nn.Module)
    names = [name for name, _ in block.named_parameters()]
    assert "first.w_scale" in names and "first.count" in names
    assert len(names) == 6 and len(list(block.children())) == 3
    assert set(block.state_dict()) == set(names)
    assert block.forward(torch.ones(2, 3)).shape == (2, 3)


def test_torch_optim_updates_kiln_variables():
    Scale, _ = _layers()
    layer = Scale()
    layer(torch.ones(1, 2))
    opt = torch.optim.SGD(layer.parameters(), lr=0.5)
    loss = layer(torch.ones(1, 2)).sum()
    loss.backward()
    opt.step()
    np.testing.assert_allclose(layer.w.numpy(), [0.5, 0.5])
    assert layer.w.value is next(layer.parameters())


def test_functional_call_swaps_kiln_weights():
    """torch.func.functional_call runs a Kiln model with substituted parameters."""
    import kiln

    model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2, name="d")])
    x = torch.ones(4, 3)
    params = {name: torch.zeros_like(p) for name, p in model.named_parameters()}
    out = torch.func.functional_call(model, params, (x,))
    assert torch.all(out == 0)
    assert not torch.all(model(x) == 0)  # the real weights are back afterwards

    def loss(p):
        return torch.func.functional_call(model, p, (x,)).sum()

    grads = torch.func.grad(loss)(dict(model.named_parameters()))
    assert torch.allclose(grads["d.kernel"], torch.full((3, 2), 4.0))
