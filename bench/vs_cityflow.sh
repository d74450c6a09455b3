#!/usr/bin/env bash
# citybrain against CityFlow, side by side on this machine: builds bench/cityflow_driver.cpp
# against a CityFlow checkout (with its rapidjson submodule), then runs each scenario REPEAT times
# (default 3) in interleaved rounds: citybrain on one thread pinned to core 0, citybrain on two
# threads, CityFlow on one thread pinned to core 0 (unpinned it runs its worker thread beside the
# main one and is up to 2.5x slower; ../shared/data/tsc/SPEED.md). Interleaving lets both engines
# see the same machine load. Prints a Markdown table of the best of each and checks that both
# engines counted the same vehicle steps, i.e. ran the same simulation.
# usage: CITYFLOW_SRC=/path/to/CityFlow bash bench/vs_cityflow.sh [BUILD_DIR]
# (env: REPEAT=3, SCENARIOS="J1 grid10" to run some of bench/scenarios.sh, by key)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
src="${CITYFLOW_SRC:?set CITYFLOW_SRC to a CityFlow checkout}"
repeat="${REPEAT:-3}"
bench="$build/bench/citybrain_scenario_bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++11 -w -DRAPIDJSON_HAS_STDSTRING=1 -pthread -I"$src/src" -I"$src/extern/milo" \
  -I"$src/extern/rapidjson/include" bench/cityflow_driver.cpp "$src"/src/*/*.cpp \
  -o "$work/cityflow_driver"
source bench/scenarios.sh
cityflow_config() {  # name dir roadnet flow
  printf '{"interval":1.0,"seed":0,"dir":"%s/","roadnetFile":"%s","flowFile":"%s",' "$2" "$3" "$4" \
    > "$work/$1.json"
  printf '"rlTrafficLight":false,"laneChange":false,"saveReplay":false,' >> "$work/$1.json"
  printf '"roadnetLogFile":"r.json","replayLogFile":"r.txt"}\n' >> "$work/$1.json"
}
declare -A args
keys=()
for entry in "${bench_scenarios[@]}"; do
  bench_scenario "$entry" || continue
  args[$key]=$bench_args
  keys+=("$key")
  if [ -z "$dir" ]; then
    "$build/apps/citybrain/citybrain" generate grid --rows "$size" --cols "$size" \
      --volume "$volume" --out-dir "$work/$key" > /dev/null
    cp "$work/$key/config.json" "$work/$key.json"
  else
    cityflow_config "$key" "$(realpath "$dir")" "$roadnet" "$flow"
  fi
done
scenarios="${SCENARIOS:-${keys[*]}}"
for name in $scenarios; do
  [ -n "${args[$name]:-}" ] || continue
  for i in $(seq "$repeat"); do
    echo "$name: round $i" >&2
    taskset -c 0 "$bench" --name "$name" ${args[$name]} --threads 1 > "$work/$name.cb1.$i"
    "$bench" --name "$name" ${args[$name]} --threads 2 > "$work/$name.cb2.$i"
    taskset -c 0 "$work/cityflow_driver" "$work/$name.json" 3600 > "$work/$name.cf.$i"
  done
done
python3 - "$work" "$repeat" $scenarios <<'PY'
import json, os, sys
work, repeat, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def best(name, kind):
    runs = [json.load(open(f"{work}/{name}.{kind}.{i}")) for i in range(1, repeat + 1)]
    return max(runs, key=lambda r: r["vehicle_steps_per_second"])
print(f"best of {repeat} interleaved rounds\n")
print("| scenario | vehicle steps | CityFlow 1 thread | citybrain 1 thread | x CityFlow | "
      "citybrain 2 threads | x CityFlow |")
print("|---|---|---|---|---|---|---|")
for name in names:
    if not os.path.exists(f"{work}/{name}.cf.1"):
        continue
    cf, one, two = best(name, "cf"), best(name, "cb1"), best(name, "cb2")
    if not cf["vehicle_steps"] == one["vehicle_steps"] == two["vehicle_steps"]:
        sys.exit(f"{name}: vehicle steps differ: CityFlow {cf['vehicle_steps']}, citybrain "
                 f"{one['vehicle_steps']} / {two['vehicle_steps']}")
    c, a, b = (r["vehicle_steps_per_second"] / 1e6 for r in (cf, one, two))
    print(f"| {name} | {cf['vehicle_steps']:,} | {c:.2f} M | {a:.2f} M | {a / c:.1f} | "
          f"{b:.2f} M | {b / c:.1f} |")
PY
