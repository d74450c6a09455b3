#!/usr/bin/env python3
"""Steps per second through the Python module against the CLI on H2 (hangzhou_4x4 / _5816).

As ../shared/data/tsc/SPEED.md measures: 3,600 one-second steps, the file's fixed signal plans
(rlTrafficLight false), lane changing off, loading excluded; best of --repeat runs. Loops:
  CLI             citybrain simulate (C++ loop)
  run_steps       Engine.run_steps(3600): one Python call
  next_step       eng.next_step() 3,600 times from Python
  research loop   next_step + get_lane_vehicle_count + get_lane_waiting_vehicle_count every step
  NumPy views     next_step + lane_vehicle_count_array + lane_waiting_count_array every step

    PYTHONPATH=build-release/python python3 bench/python_speed.py \
        --cli build-release/apps/citybrain/citybrain [--data ../shared/data] [--repeat 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(here, "..", "build-release", "apps",
                                                      "citybrain", "citybrain"))
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    parser.add_argument("--flow", default="anon_4_4_hangzhou_real_5816.json")
    parser.add_argument("--steps", type=int, default=3600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import citybrain

    data = os.path.abspath(os.path.join(args.data, "tsc", "hangzhou_4x4"))
    if not os.path.exists(os.path.join(data, args.flow)):
        sys.exit(f"benchmark data absent: {data}")
    tmp = tempfile.mkdtemp()
    config = os.path.join(tmp, "config.json")
    with open(config, "w") as f:
        json.dump({"interval": 1.0, "seed": 0, "dir": data + "/", "roadnetFile": "roadnet_4_4.json",
                   "flowFile": args.flow, "rlTrafficLight": False, "laneChange": False,
                   "saveReplay": False}, f)

    def cli():
        report = os.path.join(tmp, "report.json")
        subprocess.run([args.cli, "simulate", "--config", config, "--duration", str(args.steps),
                        "--quiet", "--report", report], check=True, capture_output=True)
        with open(report) as f:
            r = json.load(f)
        return r["wall_seconds"], r["vehicle_steps"]

    def timed(loop):
        def run():
            eng = citybrain.Engine(config, thread_num=1)
            start = time.perf_counter()
            steps = loop(eng)
            wall = time.perf_counter() - start
            return wall, steps
        return run

    def bare(eng):
        vs = 0
        for _ in range(args.steps):
            eng.next_step()
            vs += eng.get_vehicle_count()
        return vs

    def whole(eng):
        eng.run_steps(args.steps)
        return None

    def research(eng):
        vs = 0
        for _ in range(args.steps):
            eng.next_step()
            eng.get_lane_vehicle_count()
            eng.get_lane_waiting_vehicle_count()
            vs += eng.get_vehicle_count()
        return vs

    def views(eng):
        vs = 0
        for _ in range(args.steps):
            eng.next_step()
            eng.lane_vehicle_count_array()
            eng.lane_waiting_count_array()
            vs += eng.get_vehicle_count()
        return vs

    loops = [("CLI (C++ loop)", cli), ("Python run_steps", timed(whole)),
             ("Python next_step loop", timed(bare)),
             ("Python research loop (lane dicts every step)", timed(research)),
             ("Python NumPy views every step", timed(views))]
    print(f"H2 ({args.flow}), {args.steps} steps, 1 thread, best of {args.repeat}")
    print("| loop | steps/s | vehicle-steps/s | vs CLI |")
    print("|---|---|---|---|")
    reference_steps = None
    cli_rate = None
    for name, run in loops:
        best = None
        for _ in range(args.repeat):
            wall, vs = run()
            best = wall if best is None else min(best, wall)
            if vs is not None:
                reference_steps = vs
        rate = args.steps / best
        cli_rate = cli_rate or rate
        print(f"| {name} | {rate:,.0f} | {reference_steps / best / 1e6:.2f} M | "
              f"{rate / cli_rate:.2f} |")


if __name__ == "__main__":
    main()
