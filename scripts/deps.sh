#!/usr/bin/env bash
# Installs the Debian packages citybrain builds and tests with (skips apt when all are present).
set -euo pipefail
packages=(cmake ninja-build g++ libsimdjson-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libgtest-dev
  libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  pybind11-dev python3-dev python3-pytest python3-numpy python3-setuptools python3-wheel
  libboost-dev libsqlite3-dev libpugixml-dev libosmium2-dev libprotozero-dev libexpat1-dev
  libbz2-dev chromium wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The dashboard is built with npm; any Node.js 18 or later will do, Debian's packages included.
command -v npm > /dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
