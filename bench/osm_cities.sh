#!/usr/bin/env bash
# OpenStreetMap cities: imports Monaco and Baltimore (../shared/data/cities) with generated demand,
# runs one simulated hour under the generated signal plans and under MaxPressure, and prints a
# Markdown table: what the importer kept and dropped, import time, trips generated and finished,
# ATT and the real-time factor, with the load average at the start and the end.
# usage: bench/osm_cities.sh [BUILD_DIR] [DATA_DIR]   (env: THREADS=1, DEMAND=random)
set -euo pipefail
build="${1:-build}"
data="${2:-../shared/data/cities}"
cb="$build/apps/citybrain/citybrain"
threads="${THREADS:-1}"
demand="${DEMAND:-random}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for spec in monaco:osm_monaco/monaco.osm.pbf:2000 baltimore:osm_baltimore/baltimore.osm.pbf:4000; do
  IFS=: read -r name file trips <<< "$spec"
  if [ ! -f "$data/$file" ]; then
    echo "skip $name: $data/$file not found" >&2
    continue
  fi
  "$cb" import osm "$data/$file" --out-dir "$out/$name" --trips "$trips" --seed 1 \
    --demand "$demand" > "$out/$name.import.log" 2>&1
  for ctl in none maxpressure; do
    "$cb" simulate --config "$out/$name/config.json" --duration 3600 --controller "$ctl" \
      --threads "$threads" --quiet --report "$out/$name.$ctl.json" > /dev/null 2> "$out/$name.$ctl.log" ||
      echo "$name under $ctl failed: $(tail -n 1 "$out/$name.$ctl.log")" >&2
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$threads" "$demand" "$load_start" "$load_end" <<'PY'
import json, os, sys
out, threads, demand, load_start, load_end = sys.argv[1:]
def kd(rep, kind):
    kept = rep["kept"].get(kind, 0)
    dropped = sum(rep["dropped"].get(kind, {}).values())
    return f"{kept} / {dropped}"
print(f"threads {threads}, demand {demand}, load average {load_start} (start) {load_end} (end)\n")
print("| city | roads kept / dropped | intersections kept / dropped | signal nodes kept / dropped "
      "| signalised | import s | trips | controller | finished in 1 h | ATT s | sim s per wall s |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name in ("monaco", "baltimore"):
    path = os.path.join(out, name, "import_report.json")
    if not os.path.exists(path):
        continue
    rep = json.load(open(path))
    for ctl in ("none", "maxpressure"):
        rpath = os.path.join(out, f"{name}.{ctl}.json")
        if os.path.exists(rpath):
            r = json.load(open(rpath))
            run = (f"{r['vehicles_finished']} | {r['att']:.1f} | {r['sim_seconds_per_second']:.0f}")
        else:
            run = "- | - | -"
        label = "signal plans" if ctl == "none" else "MaxPressure"
        print(f"| {name} | {kd(rep, 'road')} | {kd(rep, 'intersection')} | {kd(rep, 'signal')} "
              f"| {rep['kept'].get('signalised intersection', 0)} | {rep['import_seconds']:.2f} "
              f"| {rep['kept'].get('trip', 0)} | {label} | {run} |")
PY
