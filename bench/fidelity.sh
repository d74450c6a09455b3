#!/usr/bin/env bash
# The fidelity table: benchmark ATT of FixedTime and MaxPressure under both protocols on the six
# public datasets, beside CityFlow's figures (PROTOCOL.md §7). Needs ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CITYBRAIN:-build/apps/citybrain/citybrain}
data=../shared/data/tsc
[ -d "$data" ] || { echo "skipped: $data not found"; exit 0; }
declare -A files=(
  [J1]="jinan_3x4/roadnet_3_4.json jinan_3x4/anon_3_4_jinan_real.json"
  [J2]="jinan_3x4/roadnet_3_4.json jinan_3x4/anon_3_4_jinan_real_2000.json"
  [J3]="jinan_3x4/roadnet_3_4.json jinan_3x4/anon_3_4_jinan_real_2500.json"
  [H1]="hangzhou_4x4/roadnet_4_4.json hangzhou_4x4/anon_4_4_hangzhou_real.json"
  [H2]="hangzhou_4x4/roadnet_4_4.json hangzhou_4x4/anon_4_4_hangzhou_real_5816.json"
  [NY16x3]="newyork_16x3/roadnet_16_3.json newyork_16x3/anon_16_3_newyork_real.json")
# CityFlow's figures from PROTOCOL.md §7: ATT, n, CF.
declare -A ref=(
  [J1,llmlight30,fixed]="481.79 6062 540.50" [J2,llmlight30,fixed]="441.19 4365 479.56"
  [J3,llmlight30,fixed]="450.11 5397 496.82" [H1,llmlight30,fixed]="616.02 2922 667.88"
  [H2,llmlight30,fixed]="486.66–486.77 5276 610.8" [NY16x3,llmlight30,fixed]="1038.20 2460 1082.03"
  [J1,llmlight30,maxpressure]="282.58 6295 326.86" [J2,llmlight30,maxpressure]="273.20 4365 317.84"
  [J3,llmlight30,maxpressure]="265.75 5494 309.79" [H1,llmlight30,maxpressure]="325.33 2983 365.72"
  [H2,llmlight30,maxpressure]="347.74 6036 442.13" [NY16x3,llmlight30,maxpressure]="467.64 2745 528.23"
  [J1,xlight15,fixed]="429.27 6040 499.80" [J2,xlight15,fixed]="370.34 4365 412.67"
  [J3,xlight15,fixed]="384.87 5377 445.53" [H1,xlight15,fixed]="497.87 2873 567.23"
  [H2,xlight15,fixed]="408.31 5191 558.50" [NY16x3,xlight15,fixed]="1070.45 2407 1120.25"
  [J1,xlight15,maxpressure]="274.99 6295 319.99" [J2,xlight15,maxpressure]="246.41 4365 293.23"
  [J3,xlight15,maxpressure]="244.63 5494 291.03" [H1,xlight15,maxpressure]="289.55 2983 334.20"
  [H2,xlight15,maxpressure]="349.85 6031 441.74" [NY16x3,xlight15,maxpressure]="775.63 2658 825.64")
for protocol in llmlight30 xlight15; do
  for controller in fixed maxpressure; do
    for ds in J1 J2 J3 H1 H2 NY16x3; do
      set -- ${files[$ds]}
      read -r att n cf <<<"${ref[$ds,$protocol,$controller]}"
      "$bin" simulate --roadnet "$data/$1" --flow "$data/$2" --controller "$controller" \
        --protocol "$protocol" --lane-change on --seed 0 --quiet |
        python3 -c "import json,sys; d=json.load(sys.stdin); print('| $ds | $protocol | $controller | %.2f | $att | %d | $n | %.2f | $cf |' % (d['att'], d['att_vehicles'], d['att_cityflow']))"
    done
  done
done
