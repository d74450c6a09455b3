#!/usr/bin/env bash
# Load benchmark of `citybrain run`: a generated 30x30 grid city filled until at least TARGET
# (default 50,000) vehicles are on the road at once, then run at SPEED (default 10) times real time
# while CLIENTS (default 10) WebSocket clients stream at HZ (default 5) for SECONDS (default 60):
# frame sizes, frame latency, the server's CPU and real-time factor (bench/serve_load.cpp); then the
# same clients for SECONDS/2 with the twin free-running (speed 1000, the most the API allows): the
# real-time factor it keeps while serving them; then wrk on GET /api/state and /api/health. Prints
# the figures and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-build/apps/citybrain/citybrain}
load=${LOAD:-build/bench/citybrain_serve_load}
port=${PORT:-18090}
volume=${VOLUME:-1500}
target=${TARGET:-50000}
speed=${SPEED:-10}
clients=${CLIENTS:-10}
hz=${HZ:-5}
seconds=${SECONDS_RUN:-60}
threads=${THREADS:-2}
work=$(mktemp -d)
"$bin" generate grid --rows 30 --cols 30 --volume "$volume" --duration 7200 --out-dir "$work/city"
"$bin" run --city "$work/city/config.json" --speed 1000 --port "$port" --data-dir "$work/data" \
  --threads "$threads" > "$work/run.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
url="http://127.0.0.1:$port"
until curl -sf "$url/api/health" > /dev/null; do sleep 1; done
vehicles() { curl -sf "$url/api/state" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["city"]["vehicles"]))'; }
echo "filling the city as fast as the twin runs until $target vehicles are on the road..." >&2
while [ "$(vehicles)" -lt "$target" ]; do sleep 5; done
token=$(cat "$work/data/token")
curl -sf -X PUT -H "Authorization: Bearer $token" -d "{\"speed\":$speed}" "$url/api/sim" > /dev/null
sleep 5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
t0=$(date +%s.%N)
result=$("$load" --port "$port" --clients "$clients" --hz "$hz" --seconds "$seconds")
c1=$(cpu)
t1=$(date +%s.%N)
echo "$result"
python3 - "$c0" "$c1" "$t0" "$t1" "$ticks" <<'PY'
import sys
c0, c1, t0, t1, ticks = map(float, sys.argv[1:])
print("server CPU during the stream: %.0f %% of one core" % (100 * (c1 - c0) / ticks / (t1 - t0)))
PY
echo "free-running (speed 1000) with the same clients:"
curl -sf -X PUT -H "Authorization: Bearer $token" -d '{"speed":1000}' "$url/api/sim" > /dev/null
sleep 3
"$load" --port "$port" --clients "$clients" --hz "$hz" --seconds "$((seconds / 2))"
for path in /api/state /api/health; do
  echo "wrk $path:"
  wrk -t2 -c10 -d15s "$url$path" | grep -E "Requests/sec|Latency|requests in|Non-2xx|Socket errors" || true
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
