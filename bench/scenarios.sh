# The benchmark scenarios, sourced by bench/speed.sh and bench/vs_cityflow.sh. Each entry is
# key|label|dataset folder under ../shared/data/tsc|roadnet|flow, or key|label|grid|size|volume
# (a generated size x size grid carrying volume vehicles/h per entry road).
bench_scenarios=(
  "H1|H1|hangzhou_4x4|roadnet_4_4.json|anon_4_4_hangzhou_real.json"
  "H2|H2|hangzhou_4x4|roadnet_4_4.json|anon_4_4_hangzhou_real_5816.json"
  "J1|J1|jinan_3x4|roadnet_3_4.json|anon_3_4_jinan_real.json"
  "NY16x3|NY16x3|newyork_16x3|roadnet_16_3.json|anon_16_3_newyork_real.json"
  "grid10|grid 10x10, 300 veh/h per entry|grid|10|300"
  "grid30|grid 30x30, 400 veh/h per entry|grid|30|400"
)
bench_data=../shared/data/tsc
# bench_scenario ENTRY sets key, label and bench_args (citybrain_scenario_bench's arguments). A
# dataset entry also sets dir, roadnet and flow, a grid entry size and volume (and dir to ""). It
# returns 1, with a note, when the dataset is absent.
bench_scenario() {
  local kind a b
  IFS='|' read -r key label kind a b <<< "$1"
  if [ "$kind" = grid ]; then
    dir="" size=$a volume=$b bench_args="--grid $a --volume $b"
  else
    dir=$bench_data/$kind roadnet=$a flow=$b
    [ -d "$dir" ] || { echo "skip $key: $dir not found" >&2; return 1; }
    bench_args="--roadnet $dir/$a --flow $dir/$b"
  fi
}
