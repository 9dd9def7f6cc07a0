"""``kiln.utils.Config``: attribute and item access, mapping behaviour, freezing, JSON."""

import json

import pytest

from kiln.utils import Config


def test_attribute_and_item_access_share_entries():
    config = Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.seed == 123 and config["use_ema"] is True
    assert config.learning_rate == config["learning_rate"] == 0.1
    assert "seed" in config and "nothing" not in config
    assert len(config) == 4


def test_mapping_methods():
    config = Config(b=2, a=1)
    assert list(config) == ["a", "b"]  # iteration is over sorted keys
    assert dict(config.items()) == {"a": 1, "b": 2}
    assert sorted(config.keys()) == ["a", "b"] and sorted(config.values()) == [1, 2]
    assert config.get("c", 5) == 5 and config.get("a") == 1
    config.update(c=3)
    assert config.pop("c") == 3 and "c" not in config
    del config["b"]
    assert config.as_dict() == {"a": 1}
    copy = config.as_dict()
    copy["a"] = 9
    assert config.a == 1  # as_dict returns a copy


def test_missing_entry_is_an_attribute_error():
    config = Config(a=1)
    with pytest.raises(AttributeError, match="nothing"):
        config.nothing
    assert getattr(config, "nothing", None) is None


def test_to_json_round_trips():
    config = Config(name="run", layers=[1, 2], nested={"x": 1.5})
    assert json.loads(config.to_json()) == {"name": "run", "layers": [1, 2], "nested": {"x": 1.5}}


def test_freeze_refuses_every_change_until_unfrozen():
    config = Config(a=1)
    config.freeze()
    assert config.frozen
    changes = [lambda: setattr(config, "b", 2), lambda: config.__setitem__("a", 3),
               lambda: config.__delitem__("a"), lambda: config.pop("a"), lambda: config.update(a=4),
               lambda: delattr(config, "a")]
    for change in changes:
        with pytest.raises(ValueError, match="frozen"):
            change()
    assert config.as_dict() == {"a": 1}
    assert config.a == 1  # reading still works
    config.unfreeze()
    assert not config.frozen
    config.b = 2
    assert config.as_dict() == {"a": 1, "b": 2}


def test_method_names_cannot_be_overwritten_as_attributes():
    config = Config()
    with pytest.raises(AttributeError, match="freeze"):
        config.freeze = 1
    config["freeze"] = 1  # still possible as an item
    assert config["freeze"] == 1 and callable(config.freeze)
