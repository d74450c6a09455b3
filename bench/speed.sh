#!/usr/bin/env bash
# The speed table: whole-scenario runs of 3600 one-second steps with each file's own fixed signal
# plans (rlTrafficLight false) and lane changing off, as ../shared/data/tsc/SPEED.md measured
# CityFlow; 1 and 2 threads; best of REPEAT runs (default 3). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BENCH:-build/bench/citybrain_scenario_bench}
repeat=${REPEAT:-3}
source bench/scenarios.sh
echo "| scenario | threads | vehicles | max on road | vehicle-steps/s | sim-s per wall-s | clone at mid-run | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|---|"
for entry in "${bench_scenarios[@]}"; do
  bench_scenario "$entry" || continue
  for threads in 1 2; do
    best=""
    for _ in $(seq "$repeat"); do
      line=$($bin --name "$label" $bench_args --threads "$threads")
      best=$(python3 - "$line" "$best" <<'PY'
import json, sys
new = json.loads(sys.argv[1]); old = json.loads(sys.argv[2]) if sys.argv[2] else None
print(json.dumps(new if old is None or new["vehicle_steps_per_second"] > old["vehicle_steps_per_second"] else old))
PY
)
    done
    python3 - "$best" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
print("| %s | %d | %d | %d | %.2f M | %.0f | %.2f ms (%d vehicles) | %.0f |" % (d["scenario"], d["threads"],
      d["vehicles_generated"], d["max_running"], d["vehicle_steps_per_second"] / 1e6, d["sim_seconds_per_second"],
      d["clone_ms"], d["clone_vehicles"], d["peak_rss_mb"]))
PY
  done
done
