"""Fixtures: a generated 2x2 grid (CLI `citybrain generate grid`) with config variants, the cross
fixture of tests/fixtures, and the CLI's own report on the same inputs as the reference answer."""

import json
import os
import subprocess

import pytest

FIXTURES = os.environ.get("CITYBRAIN_FIXTURES_DIR",
                          os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures"))
SHARED = os.environ.get("CITYBRAIN_SHARED_DATA_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
CLI = os.environ.get("CITYBRAIN_CLI", "citybrain")


def cli(*args):
    """Runs the citybrain CLI and returns its stdout."""
    return subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout


def cli_report(tmp_path, *args):
    """The CLI's JSON report for `citybrain simulate <args>`."""
    report = tmp_path / "report.json"
    cli("simulate", *args, "--quiet", "--report", str(report))
    return json.loads(report.read_text())


@pytest.fixture(scope="session")
def grid_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    cli("generate", "grid", "--rows", "2", "--cols", "2", "--volume", "400", "--duration", "600",
        "--out-dir", str(out))
    return out


def write_config(directory, name, **overrides):
    config = {
        "interval": 1.0, "seed": 0, "dir": str(directory) + "/", "roadnetFile": "roadnet.json",
        "flowFile": "flow.json", "rlTrafficLight": False, "laneChange": False, "saveReplay": False,
    }
    config.update(overrides)
    path = directory / name
    path.write_text(json.dumps(config))
    return str(path)


@pytest.fixture(scope="session")
def grid_config(grid_dir):
    return write_config(grid_dir, "plain.json")


@pytest.fixture(scope="session")
def grid_config_rl(grid_dir):
    return write_config(grid_dir, "rl.json", rlTrafficLight=True)


@pytest.fixture(scope="session")
def grid_config_lc(grid_dir):
    return write_config(grid_dir, "lc.json", laneChange=True)


@pytest.fixture(scope="session")
def cross_config():
    return os.path.join(FIXTURES, "cross_config.json")


def hangzhou_4x4():
    d = os.path.join(SHARED, "tsc", "hangzhou_4x4")
    if not os.path.exists(os.path.join(d, "roadnet_4_4.json")):
        pytest.skip(f"benchmark data absent ({d})")
    return d
