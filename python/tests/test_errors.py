"""Bad configs and arguments raise Python exceptions carrying the loader's message (file, JSON
path, what was expected), mapped from citybrain::Error codes by one table (python/src/module.cpp)."""

import json

import pytest

import citybrain
import cityflow
from conftest import FIXTURES, write_config


def config_for(tmp_path, **overrides):
    fields = {"dir": FIXTURES + "/", "roadnetFile": "cross_roadnet.json",
              "flowFile": "cross_flow.json"}
    fields.update(overrides)
    return write_config(tmp_path, "config.json", **fields)


def test_bad_roadnet_is_invalid_input(tmp_path):
    config = config_for(tmp_path, roadnetFile="bad_roadnet_unknown_intersection.json")
    with pytest.raises(citybrain.InvalidInputError) as err:
        cityflow.Engine(config)
    assert isinstance(err.value, ValueError) and isinstance(err.value, citybrain.Error)
    assert "bad_roadnet_unknown_intersection.json: /roads/2/endIntersection" in str(err.value)
    assert "Nowhere" in str(err.value)


def test_missing_files_are_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_flow.json"):
        cityflow.Engine(config_for(tmp_path, flowFile="no_such_flow.json"))
    with pytest.raises(FileNotFoundError, match="no_such_config.json"):
        cityflow.Engine(str(tmp_path / "no_such_config.json"))


@pytest.mark.parametrize("overrides, where", [
    ({"interval": -1}, "/interval"),
    ({"seed": "zero"}, "/seed"),
    ({"rlTrafficLight": "yes"}, "/rlTrafficLight"),
])
def test_bad_config_fields_name_the_path(tmp_path, overrides, where):
    with pytest.raises(ValueError, match=where):
        cityflow.Engine(config_for(tmp_path, **overrides))


def test_config_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    with pytest.raises(citybrain.InvalidInputError, match="broken.json"):
        cityflow.Engine(str(path))


def test_bad_flow_names_the_file(tmp_path):
    flow = json.loads(open(f"{FIXTURES}/cross_flow.json").read())
    flow[0]["route"] = ["W_C", "no_such_road"]
    (tmp_path / "flow.json").write_text(json.dumps(flow))
    (tmp_path / "roadnet.json").write_text(open(f"{FIXTURES}/cross_roadnet.json").read())
    config = write_config(tmp_path, "config.json")
    with pytest.raises(citybrain.InvalidInputError, match=r"flow.json: /0/route/1"):
        cityflow.Engine(config)


def test_bad_thread_count(tmp_path):
    with pytest.raises(ValueError, match="thread_num"):
        cityflow.Engine(config_for(tmp_path), thread_num=0)


def test_every_error_is_a_citybrain_error():
    for name in ("InvalidInputError", "InvalidArgumentError", "NotFoundError",
                 "InputFileNotFoundError", "IoError", "InternalError"):
        assert issubclass(getattr(citybrain, name), citybrain.Error)
    assert issubclass(citybrain.NotFoundError, KeyError)
    assert issubclass(citybrain.NotFoundError, RuntimeError)
    assert issubclass(citybrain.IoError, OSError)
