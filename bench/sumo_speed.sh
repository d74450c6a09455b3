#!/usr/bin/env bash
# Speed against SUMO on the SUMO cities of ../shared/data/cities: each scenario is run by SUMO
# (Debian's `sumo`, one core, until every vehicle has left) and by `citybrain simulate --sumo` (the
# same files imported in memory, until every vehicle has left, on each thread count of THREADS),
# and the Markdown table gives vehicle updates per second (SUMO's UPS; citybrain's vehicle steps per
# wall second of stepping), their ratio, wall times (citybrain's with the import), peak RSS, and the
# trip statistics beside each other. Each runs once per city (REPEAT=n for more, interleaved; the
# best of each is kept).
# usage: bench/sumo_speed.sh [BUILD_DIR] [DATA_DIR]   (env: THREADS="1 2", REPEAT=1, CITIES="...")
set -euo pipefail
build="${1:-build}"
data="${2:-../shared/data/cities}"
cb="$build/apps/citybrain/citybrain"
threads="${THREADS:-1 2}"
repeat="${REPEAT:-1}"
cities="${CITIES:-tavf_hamburg/run_simulation.sumocfg bologna_joined/run.sumocfg resco_ingolstadt21/ingolstadt21.sumocfg}"
command -v sumo > /dev/null || { echo "sumo not found (apt-get install sumo)" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for spec in $cities; do
  name="${spec%%/*}"
  if [ ! -f "$data/$spec" ]; then
    echo "skip $name: $data/$spec not found" >&2
    continue
  fi
  for i in $(seq "$repeat"); do
    echo "$name: SUMO run $i" >&2
    /usr/bin/time -v sumo -c "$data/$spec" --end -1 --no-step-log --duration-log.statistics \
      --no-warnings --xml-validation never > "$out/$name.sumo.$i.log" 2>&1
    for t in $threads; do
      echo "$name: citybrain run $i, $t threads" >&2
      /usr/bin/time -v "$cb" simulate --sumo "$data/$spec" --duration 86400 --threads "$t" \
        --quiet --report "$out/$name.cb$t.$i.json" > /dev/null 2> "$out/$name.cb$t.$i.log"
    done
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$threads" "$repeat" "$load_start" "$load_end" $cities <<'PY'
import glob, json, os, re, sys
out, threads, repeat, load_start, load_end = sys.argv[1:6]
def field(text, pattern, cast=float):
    m = re.search(pattern, text)
    return cast(m.group(1).replace(",", "")) if m else float("nan")
def wall(text):  # /usr/bin/time: "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:14.52"
    parts = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text).group(1).split(":")
    return sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))
print(f"best of {repeat}, load average {load_start} (start) {load_end} (end)\n")
print("| city | SUMO UPS | citybrain threads | citybrain vehicle steps/s | ratio | SUMO wall s | "
      "citybrain wall s (with import) | SUMO / citybrain peak RSS MB | SUMO arrived, mean travel "
      "time | citybrain arrived, mean travel time |")
print("|---|---|---|---|---|---|---|---|---|---|")
for spec in sys.argv[6:]:
    name = spec.split("/")[0]
    sumo = [open(f).read() for f in sorted(glob.glob(f"{out}/{name}.sumo.*.log"))]
    if not sumo:
        continue
    s = max(sumo, key=lambda t: field(t, r"UPS: ([\d.,]+)"))
    ups = field(s, r"UPS: ([\d.,]+)")
    rss = r"Maximum resident set size \(kbytes\): (\d+)"
    # --duration-log.statistics: "Inserted: n", "Running: n", then the trip statistics'
    # "Duration: x" (the performance block's "Duration: x s" is wall time).
    s_arrived = field(s, r"Inserted: (\d+)", int) - field(s, r"Running: (\d+)", int)
    s_tt = field(s, r"Statistics \(avg of \d+\):[\s\S]*?Duration: ([\d.]+)")
    for t in threads.split():
        cb = sorted(glob.glob(f"{out}/{name}.cb{t}.*.json"))
        if not cb:
            continue
        reps = [(json.load(open(f)), open(f.replace(".json", ".log")).read()) for f in cb]
        r, log = max(reps, key=lambda p: p[0]["vehicle_steps_per_second"])
        cps = r["vehicle_steps_per_second"]
        print(f"| {name} | {ups:,.0f} | {t} | {cps:,.0f} | {cps / ups:.1f}x | {wall(s):.1f} | "
              f"{r['wall_seconds']:.1f} ({wall(log):.1f}) | "
              f"{field(s, rss) / 1024:.0f} / {field(log, rss) / 1024:.0f} | "
              f"{s_arrived:,}, {s_tt:.1f} s | {r['arrived']:,}, {r['mean_travel_time']:.1f} s |")
PY
