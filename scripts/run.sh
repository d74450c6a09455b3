#!/usr/bin/env bash
# The main job: install what is missing, build citybrain, and run the twin and the brain live on
# the embedded default city, serving the API and the dashboard (the URL is printed; Ctrl-C stops).
# Arguments go to `citybrain run` (e.g. --speed 10 --port 8081 --city path/to/config.json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCITYBRAIN_TESTS=OFF > /dev/null
cmake --build build
# The dashboard the server serves from web/dist.
bash scripts/build_web.sh
echo "starting citybrain run; open the dashboard URL it prints below (Ctrl-C stops)"
exec ./build/apps/citybrain/citybrain run "$@"
