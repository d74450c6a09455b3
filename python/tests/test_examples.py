"""The research-loop example runs with `import cityflow` resolving to citybrain."""

import os
import re
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def test_research_loop_runs_unchanged(grid_config_rl):
    out = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, "research_loop.py"), grid_config_rl,
         "--steps", "600"], check=True, capture_output=True, text=True, env=os.environ).stdout
    match = re.search(r"time 600 s, .* average travel time ([0-9.]+) s", out)
    assert match, out
    assert 0 < float(match.group(1)) < 600


def test_brain_extras_runs(grid_config_rl):
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "brain_extras.py"), grid_config_rl],
                         check=True, capture_output=True, text=True, env=os.environ).stdout
    assert "maxpressure: {'att':" in out
    assert "phase 2 for 5 min" in out
