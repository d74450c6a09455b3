"""Signal control from Python: the brain's protocol runner and controllers, a controller passed as
a callable, and MaxPressure written in Python over CityFlow's API (as research code does it)
giving the C++ controller's ATT on the Hangzhou 4x4 benchmark (H1)."""

import json
import os

import pytest

import citybrain
import cityflow
from conftest import cli_report, hangzhou_4x4, write_config

YELLOW = 5


def movements(roadnet):
    """Per signalised intersection (file order): for actions 0..3 (light phases 1..4), the
    (entering lane, exit lanes) pairs of its non-right-turn road links (PROTOCOL.md 2.2)."""
    roads = {r["id"]: r for r in roadnet["roads"]}
    out = {}
    for inter in roadnet["intersections"]:
        if inter["virtual"] or not inter["roadLinks"]:
            continue
        phases = inter["trafficLight"]["lightphases"]
        actions = []
        for phase in phases[1:5]:
            allowed = set(phase["availableRoadLinks"])
            pairs = []
            for index, link in enumerate(inter["roadLinks"]):
                if link["type"] == "turn_right" or index not in allowed:
                    continue
                end = link["endRoad"]
                exits = [f"{end}_{i}" for i in range(len(roads[end]["lanes"]))]
                seen = []
                for lane_link in link["laneLinks"]:
                    lane = f"{link['startRoad']}_{lane_link['startLaneIndex']}"
                    if lane not in seen:
                        seen.append(lane)
                        pairs.append((lane, exits))
            actions.append(pairs)
        out[inter["id"]] = actions
    return out


def max_pressure(actions, waiting):
    best, best_pressure = 0, None
    for a, pairs in enumerate(actions):
        pressure = sum(waiting[lane] - sum(waiting[e] for e in exits) for lane, exits in pairs)
        if best_pressure is None or pressure > best_pressure:
            best, best_pressure = a, pressure
    return best


def python_max_pressure_run(engine, moves, interval, horizon=3600):
    """The benchmark protocol (PROTOCOL.md 1.4) over CityFlow's API: a decision every `interval`
    seconds, light phase 0 for 5 s only when the phase changes."""
    att = citybrain.BenchmarkAtt(engine)
    state = {i: {"cur": 1, "prev": 1, "dur": -1, "target": 1, "yellow": False} for i in moves}
    for i in moves:
        engine.set_tl_phase(i, 1)

    def measure():
        for s in state.values():
            s["dur"] = s["dur"] + 1 if s["cur"] == s["prev"] else 1

    measure()
    while engine.get_current_time() < horizon:
        waiting = engine.get_lane_waiting_vehicle_count()
        actions = {i: max_pressure(moves[i], waiting) for i in moves}
        for _ in range(interval):
            if engine.get_current_time() >= horizon:
                break
            for i, s in state.items():
                s["prev"] = s["cur"]
                if s["yellow"]:
                    if s["dur"] >= YELLOW:
                        engine.set_tl_phase(i, s["target"])
                        s["cur"], s["yellow"] = s["target"], False
                else:
                    s["target"] = actions[i] + 1
                    if s["target"] != s["cur"]:
                        engine.set_tl_phase(i, 0)
                        s["cur"], s["yellow"] = -1, True
            engine.next_step()
            measure()
            att.observe(engine)
    return att.att(horizon), att.vehicles(), engine.get_average_travel_time()


@pytest.mark.parametrize("protocol", ["llmlight30", "xlight15"])
@pytest.mark.parametrize("controller", ["maxpressure", "fixed"])
def test_run_protocol_matches_the_cli(grid_config_rl, tmp_path, protocol, controller):
    engine = citybrain.Engine(grid_config_rl)
    result = citybrain.run_protocol(engine, controller, protocol, horizon=900)
    report = cli_report(tmp_path, "--config", grid_config_rl, "--duration", "900",
                        "--controller", controller, "--protocol", protocol)
    assert result["att"] == pytest.approx(report["att"], rel=1e-12)
    assert result["att_vehicles"] == report["att_vehicles"]
    assert result["att_cityflow"] == pytest.approx(report["att_cityflow"], rel=1e-12)
    assert engine.get_current_time() == 900.0


def test_python_controllers_match_the_brains(grid_dir, grid_config_rl):
    moves = movements(json.loads((grid_dir / "roadnet.json").read_text()))
    reference = citybrain.run_protocol(citybrain.Engine(grid_config_rl), "maxpressure",
                                       "xlight15", horizon=900)

    engine = citybrain.Engine(grid_config_rl)
    lane_ids = engine.lane_ids()
    order = engine.controlled_intersections()
    assert sorted(order) == sorted(moves)

    def decide(obs):
        waiting = dict(zip(lane_ids, obs["lane_waiting"].tolist()))
        return [max_pressure(moves[i], waiting) for i in order]

    callback = citybrain.run_protocol(engine, decide, "xlight15", horizon=900)
    assert callback == reference

    att, n, _ = python_max_pressure_run(citybrain.Engine(grid_config_rl), moves, 15, horizon=900)
    assert att == pytest.approx(reference["att"], rel=1e-12)
    assert n == reference["att_vehicles"]


def test_controller_errors(grid_config, grid_config_rl):
    with pytest.raises(ValueError, match="rlTrafficLight"):
        citybrain.run_protocol(citybrain.Engine(grid_config), "maxpressure")
    engine = citybrain.Engine(grid_config_rl)
    with pytest.raises(ValueError, match="unknown protocol"):
        citybrain.run_protocol(engine, "maxpressure", "weekly")
    with pytest.raises(ValueError, match="unknown controller"):
        citybrain.run_protocol(engine, "smart")
    with pytest.raises(ValueError, match="expected 4 actions"):
        citybrain.run_protocol(engine, lambda obs: [0], horizon=60)
    with pytest.raises(ZeroDivisionError):
        citybrain.run_protocol(citybrain.Engine(grid_config_rl), lambda obs: 1 / 0, horizon=60)


def test_h1_python_max_pressure_gives_the_cpp_att(tmp_path):
    data = hangzhou_4x4()
    config = write_config(tmp_path, "h1.json", dir=data + "/", roadnetFile="roadnet_4_4.json",
                          flowFile="anon_4_4_hangzhou_real.json", rlTrafficLight=True,
                          laneChange=True)
    moves = movements(json.loads(open(os.path.join(data, "roadnet_4_4.json")).read()))
    att, n, att_cf = python_max_pressure_run(cityflow.Engine(config, thread_num=1), moves, 30)
    report = cli_report(tmp_path, "--config", config, "--controller", "maxpressure",
                        "--protocol", "llmlight30")
    assert att == pytest.approx(report["att"], rel=1e-12)
    assert n == report["att_vehicles"]
    assert att_cf == pytest.approx(report["att_cityflow"], rel=1e-12)
    assert round(att, 2) == 325.33  # README's fidelity table (CityFlow: 325.33)
