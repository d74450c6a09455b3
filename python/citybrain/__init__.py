"""citybrain's digital twin from Python.

``citybrain.Engine`` has CityFlow's API (``cityflow.Engine``): the same method names, argument
orders, return types and semantics, so research code written for CityFlow runs unchanged. Beyond
CityFlow: NumPy views of per-lane counts (``lane_vehicle_count_array``), the benchmark ATT
(``BenchmarkAtt``), the protocol runner with the brain's controllers or a Python one
(``run_protocol``), and ``next_step`` / ``run_steps`` release the GIL.

Errors raise subclasses of ``citybrain.Error`` carrying the loader's message (file, JSON path,
what was expected): ``InvalidInputError`` and ``InvalidArgumentError`` (also ``ValueError``),
``NotFoundError`` (also ``KeyError`` and ``RuntimeError``), ``InputFileNotFoundError`` (also
``FileNotFoundError``), ``IoError`` (also ``OSError``), ``InternalError``.
"""

from ._citybrain import (  # noqa: F401
    Archive,
    BenchmarkAtt,
    Engine,
    Error,
    InputFileNotFoundError,
    InternalError,
    InvalidArgumentError,
    InvalidInputError,
    IoError,
    NotFoundError,
    run_protocol,
)

__version__ = "0.1.0"
