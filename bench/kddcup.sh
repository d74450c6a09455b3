#!/usr/bin/env bash
# KDD Cup 2021 City Brain Challenge, final round (Nanchang): the round-3 network with each of its
# six sample flows, imported from the CBEngine text files and run for 1,200 simulated seconds with
# every signal under MaxPressure (the challenge's protocol: a decision every 10 s among the
# intersection's 8 phases, 5 s all red after a change). Prints a Markdown table: vehicles in the
# file, vehicles served (entered the network), finished, the challenge's delay index at 1,200 s and
# when it first passed 1.40, import time, run wall time and real-time factor, with the load average.
# usage: bench/kddcup.sh [BUILD_DIR] [DATA_DIR]   (env: THREADS=2, CONTROLLER=maxpressure)
set -euo pipefail
build="${1:-build}"
data="${2:-../shared/data/kddcup2021}"
cb="${CITYBRAIN:-$build/apps/citybrain/citybrain}"
threads="${THREADS:-2}"
controller="${CONTROLLER:-maxpressure}"
roadnet="$data/data/roadnet_round3.txt"
if [ ! -f "$roadnet" ]; then
  echo "skip: $roadnet not found" >&2
  exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "threads $threads, controller $controller, protocol kddcup (10 s decisions, 5 s all red)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| flow | vehicles in file | served | finished | delay index at 1,200 s | index > 1.40 at | served then | import + load s | run wall s | real-time factor | CPU s (user+sys, whole command) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for f in 0 1 2 3 4 5; do
  flow="$data/round3_flows/flow_round3_flow$f.txt"
  [ -f "$flow" ] || { echo "skip flow $f: $flow not found" >&2; continue; }
  "$cb" import cbengine --roadnet "$roadnet" --flow "$flow" --out-dir "$out/import$f" > "$out/import$f.txt"
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$out/time$f.txt" "$cb" simulate --cbengine-roadnet "$roadnet" --cbengine-flow "$flow" --controller "$controller" \
    --protocol kddcup --duration 1200 --threads "$threads" --delay-index --quiet \
    --report "$out/run$f.json" > /dev/null
  end=$(date +%s.%N)
  python3 - "$out/run$f.json" "$out/import$f.txt" "$f" "$start" "$end" "$out/time$f.txt" <<'PY'
import json, re, sys
cpu = sum(float(x) for x in open(sys.argv[6]).read().split()[-2:])
r = json.load(open(sys.argv[1]))
vehicles = re.search(r"vehicle: (\d+) kept", open(sys.argv[2]).read()).group(1)
flow, start, end = sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
setup = end - start - r["wall_seconds"]
limit = r.get("delay_index_limit_time")
print(f"| {flow} | {vehicles} | {r['vehicles_served']} | {r['vehicles_finished']} "
      f"| {r['delay_index']:.3f} | {('%.0f s' % limit) if limit is not None else 'never'} "
      f"| {r.get('vehicles_served_at_limit', '-') if limit is not None else '-'} "
      f"| {setup:.1f} | {r['wall_seconds']:.1f} | {r['sim_seconds_per_second']:.0f}x | {cpu:.1f} |")
PY
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
