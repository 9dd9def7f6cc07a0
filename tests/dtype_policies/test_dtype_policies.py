"""kiln.dtype_policies and kiln.mixed_precision: every Keras 3 policy class, get/serialize/deserialize.

Float and mixed policies; quantized policies (int8, float8, int4, GPTQ, AWQ)
carrying their mode, dtypes and config through a round trip; DTypePolicyMap's
exact and regex lookup, errors and config (with and without a default); the
global policy; layers built with quantized and map policies.
"""

import sys

import numpy as np
import pytest

import kiln
from kiln import dtype_policies, mixed_precision, ops
from kiln.dtype_policies import (
    AWQDTypePolicy,
    DTypePolicy,
    DTypePolicyMap,
    FloatDTypePolicy,
    GPTQDTypePolicy,
    Int4DTypePolicy,
    QuantizedDTypePolicy,
    QuantizedFloat8DTypePolicy,
)


@pytest.fixture(autouse=True)
def _default_global_policy(monkeypatch):
    # Every test starts with no global policy set, and whatever it sets is undone after it.
    monkeypatch.setattr(sys.modules["kiln.dtype_policies.dtype_policy"], "_global_policy", None)


@pytest.mark.parametrize("name,compute,variable", [
    ("float32", "float32", "float32"), ("float16", "float16", "float16"),
    ("bfloat16", "bfloat16", "bfloat16"), ("float64", "float64", "float64"),
    ("mixed_float16", "float16", "float32"), ("mixed_bfloat16", "bfloat16", "float32"),
])
def test_float_policies(name, compute, variable):
    policy = DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert policy.quantization_mode is None
    assert repr(policy) == f'<DTypePolicy "{name}">'
    assert DTypePolicy.from_config(policy.get_config()) == policy
    assert FloatDTypePolicy is DTypePolicy


def test_float_policy_errors_and_equality():
    with pytest.raises(ValueError, match="cannot convert 'mixed_int8'.*mixed_float16"):
        DTypePolicy("mixed_int8")
    with pytest.raises(TypeError, match="DTypePolicy: the policy name must be a string"):
        DTypePolicy(32)
    with pytest.raises(ValueError, match="dtype_policies.get\\('int8_from_float32'\\)"):
        DTypePolicy("int8_from_float32")
    assert DTypePolicy("float16") == DTypePolicy("float16") != DTypePolicy("mixed_float16")
    assert len({DTypePolicy("float16"), DTypePolicy("float16")}) == 1
    assert DTypePolicy("float32") != QuantizedDTypePolicy("int8", "float32")


def test_none_means_the_global_policy():
    assert DTypePolicy().name == kiln.config.floatx()
    dtype_policies.set_dtype_policy("mixed_bfloat16")
    assert DTypePolicy().name == "mixed_bfloat16"
    assert dtype_policies.get(None).compute_dtype == "bfloat16"
    assert QuantizedDTypePolicy("int8").name == "int8_from_mixed_bfloat16"
    assert kiln.config.dtype_policy().name == "mixed_bfloat16"
    dtype_policies.set_dtype_policy(QuantizedDTypePolicy("int8", "float32"))
    assert dtype_policies.dtype_policy().quantization_mode == "int8"
    with pytest.raises(ValueError, match="set_dtype_policy: invalid `policy`"):
        dtype_policies.set_dtype_policy(16)


def test_convert_input_casts_floats_only_with_autocast():
    policy = DTypePolicy("mixed_float16")
    x = ops.ones((2,), dtype="float32")
    assert kiln.backend.standardize_dtype(policy.convert_input(x, True, "float16").dtype) == "float16"
    assert kiln.backend.standardize_dtype(policy.convert_input(x, False, "float16").dtype) == "float32"
    i = ops.ones((2,), dtype="int32")
    assert kiln.backend.standardize_dtype(policy.convert_input(i, True, "float16").dtype) == "int32"
    assert policy.convert_input("text", True, "float16") == "text"


QUANTIZED = [
    (QuantizedDTypePolicy("int8", "float32"), "int8_from_float32", "int8", "float32", "float32",
     {"mode": "int8", "source_name": "float32"}),
    (QuantizedDTypePolicy("int4", "mixed_bfloat16"), "int4_from_mixed_bfloat16", "int4", "bfloat16",
     "float32", {"mode": "int4", "source_name": "mixed_bfloat16"}),
    (QuantizedFloat8DTypePolicy("float8", "mixed_float16", 32), "float8_from_mixed_float16", "float8",
     "float16", "float32", {"mode": "float8", "source_name": "mixed_float16", "amax_history_length": 32}),
    (Int4DTypePolicy("int4/128", "float32"), "int4/128_from_float32", "int4", "float32", "float32",
     {"mode": "int4/128", "source_name": "float32"}),
    (GPTQDTypePolicy("gptq/3/-1", "bfloat16"), "gptq/3/-1_from_bfloat16", "gptq", "bfloat16",
     "bfloat16", {"mode": "gptq/3/-1", "source_name": "bfloat16"}),
    (AWQDTypePolicy("awq/4/64", "float32"), "awq/4/64_from_float32", "awq", "float32", "float32",
     {"mode": "awq/4/64", "source_name": "float32"}),
]


@pytest.mark.parametrize("policy,name,mode,compute,variable,config", QUANTIZED,
                         ids=[q[1] for q in QUANTIZED])
def test_quantized_policies(policy, name, mode, compute, variable, config):
    assert policy.name == name and policy.quantization_mode == mode
    assert (policy.compute_dtype, policy.variable_dtype) == (compute, variable)
    assert policy.get_config() == config
    assert type(policy).from_config(policy.get_config()) == policy
    envelope = dtype_policies.serialize(policy)
    assert envelope == {"module": "keras.dtype_policies", "class_name": type(policy).__name__,
                        "config": config, "registered_name": None}
    clone = dtype_policies.deserialize(envelope)
    assert type(clone) is type(policy) and clone == policy
    by_name = dtype_policies.get(name)
    assert by_name.name == name and by_name.quantization_mode == mode
    if type(policy) is not QuantizedFloat8DTypePolicy:  # by name: the default amax length
        assert by_name == policy


def test_quantized_attributes_and_inequality():
    gptq = GPTQDTypePolicy("gptq/4/128", "float32")
    assert (gptq.weight_bits, gptq.group_size, gptq.mode) == (4, 128, "gptq")
    assert Int4DTypePolicy("int4/-1", "float32").block_size == -1
    assert QuantizedFloat8DTypePolicy("float8", "float32").amax_history_length == 1024
    assert gptq != GPTQDTypePolicy("gptq/4/64", "float32")
    assert QuantizedFloat8DTypePolicy("float8", "float32", 8) != \
        QuantizedFloat8DTypePolicy("float8", "float32", 16)
    assert not isinstance(AWQDTypePolicy("awq/4/64", "float32"), GPTQDTypePolicy)


@pytest.mark.parametrize("make,match", [
    (lambda: QuantizedDTypePolicy("int2", "float32"), "invalid quantization mode.*'int8'"),
    (lambda: QuantizedDTypePolicy("int8", "float16"), "'int8' does not work well with.*float16"),
    (lambda: QuantizedDTypePolicy("int8", "mixed_int"), "cannot convert 'mixed_int'"),
    (lambda: QuantizedFloat8DTypePolicy("int8", "float32"), "mode must be 'float8'"),
    (lambda: Int4DTypePolicy("int4", "float32"), "expected the format 'int4/<block_size>'"),
    (lambda: Int4DTypePolicy("int4/0", "float32"), "invalid block_size 0"),
    (lambda: Int4DTypePolicy("int4/x", "float32"), "must be integers"),
    (lambda: GPTQDTypePolicy("gptq/5/128", "float32"), "invalid weight_bits 5.*\\(2, 3, 4, 8\\)"),
    (lambda: GPTQDTypePolicy("gptq/4/-2", "float32"), "invalid group_size -2"),
    (lambda: GPTQDTypePolicy("awq/4/128", "float32"), "'gptq/<weight_bits>/<group_size>'"),
    (lambda: AWQDTypePolicy("awq/8/128", "float32"), "AWQDTypePolicy: invalid weight_bits 8"),
    (lambda: dtype_policies.get("int8_float32"), "'<mode>_from_<source>'"),
    (lambda: dtype_policies.get(object()), "cannot interpret the `dtype` argument"),
])
def test_bad_policies_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_float8_history_length_must_be_an_int():
    with pytest.raises(TypeError, match="amax_history_length"):
        QuantizedFloat8DTypePolicy("float8", "float32", amax_history_length=2.5)


def test_get_and_envelopes():
    assert dtype_policies.get("mixed_float16") == DTypePolicy("mixed_float16")
    assert dtype_policies.get(np.float16).name == "float16"
    policy = DTypePolicy("bfloat16")
    assert dtype_policies.get(policy) is policy
    envelope = dtype_policies.serialize(DTypePolicy("mixed_float16"))
    assert envelope == {"module": "keras", "class_name": "DTypePolicy",
                        "config": {"name": "mixed_float16"}, "registered_name": None}
    assert dtype_policies.get(envelope) == DTypePolicy("mixed_float16")
    # The first Keras 3 releases saved the same policy as FloatDTypePolicy.
    old = {"module": "keras", "class_name": "FloatDTypePolicy", "config": {"name": "float16"},
           "registered_name": None}
    assert dtype_policies.deserialize(old) == DTypePolicy("float16")
    assert dtype_policies.get({"name": "float64"}).name == "float64"
    # A quantized policy saved as a plain DTypePolicy by name comes back quantized.
    legacy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "int8_from_float32"}}
    assert dtype_policies.deserialize(legacy) == QuantizedDTypePolicy("int8", "float32")
    with pytest.raises(ValueError, match="unknown dtype policy class 'Int2Policy'.*DTypePolicyMap"):
        dtype_policies.deserialize({"class_name": "Int2Policy", "config": {}})
    with pytest.raises(TypeError, match="expected a DTypePolicy"):
        dtype_policies.serialize("float32")


def test_custom_policy_class_through_custom_objects():
    class HalfPolicy(DTypePolicy):
        pass

    envelope = dtype_policies.serialize(HalfPolicy("float16"))
    assert envelope["class_name"] == "HalfPolicy"
    clone = dtype_policies.deserialize(envelope, custom_objects={"HalfPolicy": HalfPolicy})
    assert type(clone) is HalfPolicy and clone.name == "float16"


def _map():
    return DTypePolicyMap(
        default_policy=DTypePolicy("mixed_bfloat16"),
        policy_map={"model/dense": DTypePolicy("float32"),
                    "encoder/.*/attention": QuantizedDTypePolicy("int8", "mixed_bfloat16"),
                    "decoder/output$": "float16"})


def test_policy_map_lookup():
    m = _map()
    assert m["model/dense"].name == "float32"  # exact key
    assert m["encoder/block_3/attention"].quantization_mode == "int8"  # regex key
    assert m["decoder/output"].name == "float16"  # a name converted on insertion
    assert m["decoder/output_2"] is m.default_policy  # "$" anchors: no match, the default
    assert m["other/layer"].name == "mixed_bfloat16"
    assert (m.name, m.compute_dtype, m.variable_dtype, m.quantization_mode) == (
        "map_mixed_bfloat16", "bfloat16", "float32", None)
    assert len(m) == 3 and "model/dense" in m and "other" not in m
    assert list(m) == ["model/dense", "encoder/.*/attention", "decoder/output$"]
    assert repr(m).startswith("<DTypePolicyMap at ") and "default_policy=mixed_bfloat16" in repr(m)
    del m["model/dense"]
    assert len(m) == 2 and m["model/dense"].name == "mixed_bfloat16"


def test_policy_map_errors():
    m = _map()
    m["encoder/block"] = "float32"
    with pytest.raises(ValueError, match="matches several keys"):
        m["encoder/block_1/attention"]
    with pytest.raises(ValueError, match="already maps to"):
        m["model/dense"] = "float16"
    with pytest.raises(ValueError, match="cannot interpret the value assigned to 'x'"):
        m["x"] = "not_a_dtype"
    with pytest.raises(ValueError, match="`default_policy` cannot be a DTypePolicyMap"):
        DTypePolicyMap(default_policy=_map())
    with pytest.raises(TypeError, match="`policy_map` must be a dict"):
        DTypePolicyMap(policy_map=[("a", "float32")])


def test_policy_map_config_round_trip():
    m = _map()
    config = m.get_config()
    assert config["default_policy"]["config"] == {"name": "mixed_bfloat16"}
    assert config["policy_map"]["encoder/.*/attention"]["class_name"] == "QuantizedDTypePolicy"
    clone = DTypePolicyMap.from_config(config)
    assert clone == m and clone["encoder/x/attention"] == m["encoder/x/attention"]
    envelope = dtype_policies.serialize(m)
    assert envelope["module"] == "keras.dtype_policies" and envelope["class_name"] == "DTypePolicyMap"
    assert dtype_policies.get(envelope) == m


def test_policy_map_without_default_defers_names_to_the_loading_global_policy():
    m = DTypePolicyMap(policy_map={"a": DTypePolicy("float16"),
                                   "b": QuantizedDTypePolicy("int8", "float32")})
    config = m.get_config()
    assert config["default_policy"] is None
    assert config["policy_map"]["a"]["config"] == {"name": None}
    assert config["policy_map"]["b"]["config"] == {"mode": "int8", "source_name": None}
    assert m["a"].name == "float16"  # the map itself is unchanged by get_config
    dtype_policies.set_dtype_policy("mixed_bfloat16")
    clone = DTypePolicyMap.from_config(config)
    assert clone["a"].name == "mixed_bfloat16"
    assert clone["b"].name == "int8_from_mixed_bfloat16"
    assert clone.default_policy.name == "mixed_bfloat16"


def test_layers_accept_quantized_and_map_policies():
    x = np.ones((2, 3), "float32")
    layer = kiln.layers.Dense(2, dtype=QuantizedDTypePolicy("int8", "mixed_bfloat16"))
    out = layer(x)
    assert kiln.backend.standardize_dtype(out.dtype) == "bfloat16"
    assert kiln.backend.standardize_dtype(layer.kernel.value.dtype) == "float32"
    assert layer.dtype_policy.quantization_mode == "int8"
    mapped = kiln.layers.Dense(2, dtype=DTypePolicyMap(default_policy="float16"))
    assert kiln.backend.standardize_dtype(mapped(x).dtype) == "float16"


def test_mixed_precision_module():
    assert mixed_precision.DTypePolicy is DTypePolicy is mixed_precision.Policy
    assert mixed_precision.dtype_policy is dtype_policies.dtype_policy is mixed_precision.global_policy
    assert mixed_precision.set_dtype_policy is mixed_precision.set_global_policy
    assert mixed_precision.LossScaleOptimizer is kiln.optimizers.LossScaleOptimizer
    mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy() == DTypePolicy("mixed_float16")
    assert kiln.layers.Dense(1).dtype_policy.compute_dtype == "float16"
