#!/usr/bin/env bash
# The main job: install what is missing, build citybrain, and run the twin on the embedded default
# city, printing its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCITYBRAIN_TESTS=OFF > /dev/null
cmake --build build
# The dashboard the server serves from web/dist.
bash scripts/build_web.sh
./build/apps/citybrain/citybrain simulate "$@"
