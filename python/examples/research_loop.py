"""A typical signal-control research loop, written the way published CityFlow code writes it (an
environment wrapper around cityflow.Engine, lane counts observed every step, phases chosen every
10 s by a simple pressure rule, travel time reported at the end). Runs on citybrain unchanged:
only the import resolves to citybrain's compatibility package.

    python3 python/examples/research_loop.py path/to/config.json [--steps 3600]

The config must set "rlTrafficLight": true. The roadnet's first light phase of every signalised
intersection is its yellow/all-red phase, as in the benchmark roadnets.
"""

import argparse
import json
import os

import cityflow  # the only line that names the simulator


class CityFlowEnv:
    def __init__(self, config_path, thread_num=1, action_interval=10):
        self.eng = cityflow.Engine(config_path, thread_num=thread_num)
        with open(config_path) as f:
            config = json.load(f)
        roadnet_path = os.path.join(config["dir"], config["roadnetFile"])
        with open(roadnet_path) as f:
            roadnet = json.load(f)
        self.action_interval = action_interval
        self.intersections = {}
        for inter in roadnet["intersections"]:
            if inter["virtual"] or not inter["roadLinks"]:
                continue
            phases = []
            for phase in inter["trafficLight"]["lightphases"][1:]:
                lanes = set()
                for index in phase["availableRoadLinks"]:
                    link = inter["roadLinks"][index]
                    for lane_link in link["laneLinks"]:
                        lanes.add(f"{link['startRoad']}_{lane_link['startLaneIndex']}")
                phases.append(sorted(lanes))
            self.intersections[inter["id"]] = phases
        self.lane_count_history = []

    def reset(self):
        self.eng.reset()
        self.lane_count_history = []
        return self.get_state()

    def get_state(self):
        return {
            "lane_vehicle_count": self.eng.get_lane_vehicle_count(),
            "lane_waiting_vehicle_count": self.eng.get_lane_waiting_vehicle_count(),
            "current_time": self.eng.get_current_time(),
        }

    def get_reward(self, state):
        return -sum(state["lane_waiting_vehicle_count"].values())

    def step(self, actions):
        for inter_id, phase in actions.items():
            self.eng.set_tl_phase(inter_id, phase + 1)  # phase 0 is the all-red phase
        for _ in range(self.action_interval):
            self.eng.next_step()
            self.lane_count_history.append(self.eng.get_lane_vehicle_count())
        state = self.get_state()
        return state, self.get_reward(state)


def choose_actions(env, state):
    """The phase whose lanes hold the most queued vehicles (a greedy 'longest queue first')."""
    waiting = state["lane_waiting_vehicle_count"]
    actions = {}
    for inter_id, phases in env.intersections.items():
        queues = [sum(waiting.get(lane, 0) for lane in lanes) for lanes in phases]
        actions[inter_id] = max(range(len(queues)), key=queues.__getitem__)
    return actions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--steps", type=int, default=3600)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    env = CityFlowEnv(args.config, thread_num=args.threads)
    state = env.reset()
    total_reward = 0
    for _ in range(args.steps // env.action_interval):
        state, reward = env.step(choose_actions(env, state))
        total_reward += reward
    print(f"time {env.eng.get_current_time():.0f} s, vehicles running "
          f"{env.eng.get_vehicle_count()}, reward {total_reward}, "
          f"average travel time {env.eng.get_average_travel_time():.2f} s")


if __name__ == "__main__":
    main()
