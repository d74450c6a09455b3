"""What citybrain adds to CityFlow's API: NumPy views of lane sensing, the brain's controllers
under a benchmark protocol, a controller written in Python under the same protocol, the benchmark
ATT, and what-if runs on clones of the engine.

    python3 python/examples/brain_extras.py path/to/config.json   # "rlTrafficLight": true
"""

import sys

import numpy as np

import citybrain


def main():
    config = sys.argv[1]

    # The brain's MaxPressure under the LLMLight-30 protocol, run entirely in C++.
    print("maxpressure:", citybrain.run_protocol(citybrain.Engine(config), "maxpressure",
                                                 "llmlight30"))

    # A controller written in Python, called every 30 s with NumPy views of the lane sensors:
    # serve the action whose first entering lane has the longest queue (a toy rule).
    engine = citybrain.Engine(config)
    n = len(engine.controlled_intersections())

    def longest_queue(obs):
        waiting = obs["lane_waiting"]
        return [int(np.argmax(waiting[:4])) % 4 for _ in range(n)]

    print("python rule:", citybrain.run_protocol(engine, longest_queue, "llmlight30"))

    # What-if: clone the state at 30 minutes, try two fixed phases for 5 minutes each.
    engine = citybrain.Engine(config)
    engine.run_steps(1800)
    now = engine.snapshot()
    counts = engine.lane_vehicle_count_array()  # a view: refreshed by each call, no copy
    for phase in (1, 2):
        engine.load(now)
        for inter in engine.controlled_intersections():
            engine.set_tl_phase(inter, phase)
        engine.run_steps(300)
        engine.lane_vehicle_count_array()
        print(f"phase {phase} for 5 min: {int(counts.sum())} vehicles on lanes, "
              f"CityFlow ATT {engine.get_average_travel_time():.1f} s")


if __name__ == "__main__":
    main()
