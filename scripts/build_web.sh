#!/usr/bin/env bash
# Builds the dashboard into web/dist: `npm ci` when web/node_modules is missing or
# web/package-lock.json changed since the last install, then `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.citybrain-lock.sha256
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi
npm run --silent build
