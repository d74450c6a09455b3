#!/usr/bin/env bash
# Scale: a generated 40x40 grid (1,600 signalised intersections, 800 m roads) with boundary demand
# (1,200 vehicles/hour per boundary road), run long enough for more than 100,000 vehicles to be on
# the road at once (the first signals limit how fast vehicles enter, so the city fills slowly).
# Prints the most vehicles on the road at once (sampled every 300 simulated seconds), the
# real-time factor over the stretch of the run with at least 100,000 on the road (from the
# progress lines) and over the whole run, and the peak resident memory, with the load average.
# usage: bench/scale.sh [BUILD_DIR]
#   (env: THREADS=2, ROWS=40, COLS=40, ROAD_LENGTH=800, VOLUME=1200, DURATION=6900)
set -euo pipefail
build="${1:-build}"
cb="${CITYBRAIN:-$build/apps/citybrain/citybrain}"
threads="${THREADS:-2}"
rows="${ROWS:-40}"
cols="${COLS:-40}"
volume="${VOLUME:-1200}"
duration="${DURATION:-6900}"
road_length="${ROAD_LENGTH:-800}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$cb" generate grid --rows "$rows" --cols "$cols" --road-length "$road_length" \
  --volume "$volume" --duration "$duration" \
  --seed 7 --out-dir "$out/grid" 2> "$out/generate.log"
echo "grid ${rows}x${cols}, ${road_length} m roads, volume $volume veh/h per boundary road, $duration s, threads $threads"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# Progress lines ("t=... running=...") are stamped with the wall clock as they arrive.
/usr/bin/time -v "$cb" simulate --config "$out/grid/config.json" --duration "$duration" \
  --threads "$threads" --report "$out/report.json" 2> >(stdbuf -o0 tr '\r' '\n' | while IFS= read -r line; do
    printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$out/progress.log") > /dev/null
sleep 1
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out/report.json" "$out/progress.log" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
points, rss = [], None
for line in open(sys.argv[2]):
    m = re.match(r"(\S+)\s+t=\s*(\d+) s\s+running=(\d+)", line)
    if m:
        points.append((float(m.group(1)), float(m.group(2)), int(m.group(3))))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", line)
    if m:
        rss = int(m.group(1))
busy = [p for p in points if p[2] >= 100000]
print()
print("| peak on the road | generated | finished | real-time factor, >= 100k on the road | "
      "real-time factor, whole run | peak memory |")
print("|---|---|---|---|---|---|")
if len(busy) >= 2:
    # From the first progress point at >= 100k to the last: simulated over wall seconds.
    window = (busy[-1][1] - busy[0][1]) / (busy[-1][0] - busy[0][0])
    window_text = f"{window:.1f}x ({busy[0][1]:.0f}-{busy[-1][1]:.0f} s)"
else:
    window_text = "n/a (fewer than two progress points at >= 100k)"
peak = max((p[2] for p in points), default=0)
print(f"| {peak} | {r['vehicles_generated']} | {r['vehicles_finished']} "
      f"| {window_text} | {r['sim_seconds_per_second']:.1f}x | "
      f"{(rss / 1024) if rss else float('nan'):.0f} MB |")
PY
