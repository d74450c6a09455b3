#!/usr/bin/env bash
# The fidelity table: benchmark ATT of FixedTime and MaxPressure under both protocols on the six
# public datasets, beside CityFlow's figures (PROTOCOL.md §7). The datasets and the reference
# figures come from the CLI (control/tsc_benchmarks.hpp), which writes both into its report.
# Needs ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CITYBRAIN:-build/apps/citybrain/citybrain}
data=../shared/data/tsc
[ -d "$data" ] || { echo "skipped: $data not found"; exit 0; }
report=$(mktemp)
trap 'rm -f "$report"' EXIT
for protocol in llmlight30 xlight15; do
  "$bin" evaluate --suite tsc --protocol "$protocol" --controllers fixed,maxpressure \
    --data-dir "$data" --report "$report" >/dev/null 2>&1
  python3 - "$report" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
for c in ("fixed", "maxpressure"):
    for r in rows:
        if r["controller"] != c:
            continue
        ref = r["reference"]
        att = "%.2f" % ref["att_low"] if ref["att_low"] == ref["att_high"] else \
            "%.2f–%.2f" % (ref["att_low"], ref["att_high"])
        print("| %s | %s | %s | %.2f | %s | %d | %d | %.2f | %s |" % (
            r["dataset"], r["protocol"], c, r["att"], att, r["att_vehicles"],
            ref["att_vehicles"], r["att_cityflow"], "%.2f" % ref["att_cityflow"]))
PY
done
