"""CityFlow's Engine API on citybrain: every method checked against the C++ engine's answer (the
CLI report on the same inputs) or against the other methods that must agree with it."""

import json
import threading

import numpy as np
import pytest

import citybrain
import cityflow
from conftest import cli_report, write_config


def run(engine, seconds, att=None):
    while engine.get_current_time() < seconds:
        engine.next_step()
        if att is not None:
            att.observe(engine)


def test_cityflow_name_is_citybrain():
    assert cityflow.Engine is citybrain.Engine
    assert cityflow.Archive is citybrain.Archive


def test_free_run_matches_the_cli(grid_config, tmp_path):
    engine = cityflow.Engine(grid_config, thread_num=1)
    att = citybrain.BenchmarkAtt(engine)
    run(engine, 900, att)
    report = cli_report(tmp_path, "--config", grid_config, "--duration", "900")
    assert engine.get_current_time() == 900.0
    assert engine.get_vehicle_count() == report["vehicles_running"]
    assert engine.get_vehicles_generated() == report["vehicles_generated"]
    assert engine.get_vehicles_finished() == report["vehicles_finished"]
    assert engine.get_average_travel_time() == pytest.approx(report["att_cityflow"], rel=1e-12)
    assert att.att(900) == pytest.approx(report["att"], rel=1e-12)
    assert att.vehicles() == report["att_vehicles"]


def test_two_threads_give_the_same_state(grid_config_lc):
    one, two = cityflow.Engine(grid_config_lc, 1), cityflow.Engine(grid_config_lc, thread_num=2)
    run(one, 300)
    run(two, 300)
    assert one.get_lane_vehicles() == two.get_lane_vehicles()
    assert one.get_vehicle_speed() == two.get_vehicle_speed()


@pytest.mark.parametrize("config", ["grid_config", "grid_config_lc"])
def test_lane_and_vehicle_views_agree(config, request):
    engine = cityflow.Engine(request.getfixturevalue(config))
    lane_changes = "lc" in config
    for t in (60, 200, 400):
        run(engine, t)
        lanes = engine.get_lane_vehicles()
        counts = engine.get_lane_vehicle_count()
        waiting = engine.get_lane_waiting_vehicle_count()
        assert list(counts) == sorted(counts)  # CityFlow's std::map order
        assert counts == {lane: len(ids) for lane, ids in lanes.items()}
        assert set(waiting) == set(counts)
        assert all(0 <= waiting[lane] <= counts[lane] for lane in counts)

        ids = engine.get_vehicles()
        speeds, distances = engine.get_vehicle_speed(), engine.get_vehicle_distance()
        assert set(ids) == set(speeds) == set(distances)
        assert len(ids) == len(set(ids))
        assert not any(v.endswith("_shadow") for v in ids)
        if not lane_changes:
            assert len(ids) == engine.get_vehicle_count()
        on_lanes = {v for vs in lanes.values() for v in vs if not v.endswith("_shadow")}
        assert on_lanes <= set(ids)
        with_waiting = engine.get_vehicles(include_waiting=True)
        assert set(ids) <= set(with_waiting)

        for lane, vs in lanes.items():
            stopped = sum(speeds.get(v, engine_speed(engine, v)) < 0.1 for v in vs)
            assert stopped == waiting[lane]
            for i, v in enumerate(vs):
                info = engine.get_vehicle_info(v)
                assert info["running"] == "1"
                assert info["drivable"] == lane
                assert info["road"] == lane.rsplit("_", 1)[0]
                assert info["route"].split(" ")[0] == info["road"]
                assert info["route"].endswith(" ")
                if v in speeds:
                    assert info["speed"] == f"{speeds[v]:.6f}"
                    assert info["distance"] == f"{distances[v]:.6f}"
                if i > 0 and not lane_changes:
                    assert engine.get_leader(v) == vs[i - 1]
        for v in set(with_waiting) - set(ids):
            assert engine.get_vehicle_info(v) == {"running": "0"}


def engine_speed(engine, vehicle_id):
    return float(engine.get_vehicle_info(vehicle_id)["speed"])


def test_numpy_views_share_the_engine_buffer(grid_config):
    engine = cityflow.Engine(grid_config)
    run(engine, 120)
    counts = engine.lane_vehicle_count_array()
    waiting = engine.lane_waiting_count_array()
    assert counts.dtype == np.uint32 and not counts.flags.owndata
    assert not waiting.flags.owndata
    ids = engine.lane_ids()
    assert dict(zip(ids, counts.tolist())) == engine.get_lane_vehicle_count()
    assert dict(zip(ids, waiting.tolist())) == engine.get_lane_waiting_vehicle_count()
    run(engine, 240)
    again = engine.lane_vehicle_count_array()
    assert np.shares_memory(counts, again)
    assert dict(zip(ids, counts.tolist())) == engine.get_lane_vehicle_count()


def test_vehicle_lookups_of_unknown_ids_raise(grid_config):
    engine = cityflow.Engine(grid_config)
    run(engine, 30)
    for call in (engine.get_vehicle_info, engine.get_leader,
                 lambda v: engine.set_vehicle_speed(v, 3.0)):
        with pytest.raises(KeyError, match="Vehicle 'flow_999_0' not found"):
            call("flow_999_0")
        with pytest.raises(RuntimeError):  # what CityFlow raised
            call("nonsense")
    assert engine.set_vehicle_route("flow_999_0", []) is False


def test_signals(grid_config, grid_config_rl, capfd):
    fixed = cityflow.Engine(grid_config)
    inter = fixed.controlled_intersections()[0]
    fixed.set_tl_phase(inter, 2)  # CityFlow warns and ignores it without rlTrafficLight
    assert "rlTrafficLight" in capfd.readouterr().err
    assert fixed.get_tl_phase(inter) == 0

    rl = cityflow.Engine(grid_config_rl)
    rl.set_tl_phase(inter, 3)
    assert rl.get_tl_phase(inter) == 3
    rl.next_step()
    assert rl.get_tl_phase(inter) == 3  # the cycle does not move it
    with pytest.raises(KeyError):
        rl.set_tl_phase("no_such_intersection", 1)
    with pytest.raises(ValueError, match="phase 99 does not exist"):
        rl.set_tl_phase(inter, 99)


def test_snapshot_load_and_custom_speed(grid_config):
    engine = cityflow.Engine(grid_config)
    run(engine, 150)
    archive = engine.snapshot()
    moving = max(engine.get_vehicle_speed().items(), key=lambda kv: kv[1])[0]
    run(engine, 250)
    later = (engine.get_lane_vehicles(), engine.get_vehicle_speed())

    engine.load(archive)
    assert engine.get_current_time() == 150.0
    run(engine, 250)
    assert (engine.get_lane_vehicles(), engine.get_vehicle_speed()) == later

    engine.load(archive)
    free = engine.get_vehicle_speed()[moving]
    engine.set_vehicle_speed(moving, 0.0)
    engine.next_step()
    braked = engine.get_vehicle_speed()[moving]
    engine.load(archive)
    engine.next_step()
    assert braked < engine.get_vehicle_speed()[moving]
    assert braked < free


def test_reset_and_seed(grid_config):
    engine = cityflow.Engine(grid_config)
    run(engine, 200)
    first = engine.get_lane_vehicles()
    engine.reset()
    assert engine.get_current_time() == 0.0 and engine.get_vehicle_count() == 0
    run(engine, 200)
    assert engine.get_lane_vehicles() == first
    engine.reset(seed=True)
    run(engine, 200)
    assert engine.get_lane_vehicles() == first

    a, b = cityflow.Engine(grid_config), cityflow.Engine(grid_config)
    a.set_random_seed(7)
    b.set_random_seed(7)
    run(a, 200)
    run(b, 200)
    assert a.get_lane_vehicles() == b.get_lane_vehicles()


def test_set_vehicle_route(grid_dir, grid_config):
    roads = [r["id"] for r in json.loads((grid_dir / "roadnet.json").read_text())["roads"]]
    engine = cityflow.Engine(grid_config)
    run(engine, 100)
    assert engine.set_vehicle_route("flow_0_0_nope", []) is False
    rerouted = 0
    for v in engine.get_vehicles():
        info = engine.get_vehicle_info(v)
        if "road" not in info:
            assert engine.set_vehicle_route(v, roads[:1]) is False  # on a lane link
            continue
        route = info["route"].split()
        assert engine.set_vehicle_route(v, route[1:]) is True
        assert engine.get_vehicle_info(v)["route"].split() == route
        assert engine.set_vehicle_route(v, ["no_such_road"]) is False
        assert engine.get_vehicle_info(v)["route"].split() == route
        for target in roads:
            if target in route or not engine.set_vehicle_route(v, [target]):
                continue
            new_route = engine.get_vehicle_info(v)["route"].split()
            assert new_route[0] == route[0] and new_route[-1] == target
            rerouted += 1
            break
    assert rerouted > 0
    run(engine, 400)  # rerouted vehicles drive on


def test_replay(grid_dir):
    config = write_config(grid_dir, "replay.json", saveReplay=True,
                          roadnetLogFile="replay_roadnet.json", replayLogFile="replay.txt")
    engine = cityflow.Engine(config)
    run(engine, 10)
    engine.set_save_replay(False)
    run(engine, 20)
    engine.set_save_replay(True)
    engine.set_replay_file("replay_2.txt")
    run(engine, 25)
    del engine
    assert len((grid_dir / "replay.txt").read_text().splitlines()) == 10
    assert len((grid_dir / "replay_2.txt").read_text().splitlines()) == 5
    assert json.loads((grid_dir / "replay_roadnet.json").read_text())["static"]["nodes"]


def test_replay_calls_without_save_replay_warn(grid_config, capfd):
    engine = cityflow.Engine(grid_config)
    engine.set_save_replay(True)
    engine.set_replay_file("x.txt")
    assert capfd.readouterr().err.count("saveReplay is not set to true") == 2


def test_gil_is_released_while_stepping(grid_config):
    engines = [cityflow.Engine(grid_config) for _ in range(2)]
    threads = [threading.Thread(target=e.run_steps, args=(300,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reference = cityflow.Engine(grid_config)
    run(reference, 300)
    for e in engines:
        assert e.get_lane_vehicles() == reference.get_lane_vehicles()


def test_push_vehicle(grid_dir, grid_config):
    roadnet = json.loads((grid_dir / "roadnet.json").read_text())
    engine = cityflow.Engine(grid_config)
    run(engine, 50)
    archive = engine.snapshot()
    route = engine.get_vehicle_info(engine.get_vehicles()[0])["route"].split()
    generated = engine.get_vehicles_generated()
    engine.push_vehicle({"maxSpeed": 5.0, "length": 4.0, "unknown": 1.0}, route)
    assert engine.get_vehicles_generated() == generated + 1
    assert "manually_pushed_0" in engine.get_vehicles(include_waiting=True)
    assert engine.get_vehicle_info("manually_pushed_0") == {"running": "0"}
    for _ in range(60):
        engine.next_step()
        info = engine.get_vehicle_info("manually_pushed_0")
        if info["running"] == "1":
            assert float(info["speed"]) <= 5.0
            assert info["route"].split()[-1] == route[-1]
    engine.push_vehicle({}, route)
    assert "manually_pushed_1" in engine.get_vehicles(include_waiting=True)
    with pytest.raises(KeyError, match="no_such_road"):
        engine.push_vehicle({}, ["no_such_road"])
    virtual = {i["id"] for i in roadnet["intersections"] if i["virtual"]}
    leaving = next(r["id"] for r in roadnet["roads"] if r["endIntersection"] in virtual)
    with pytest.raises(ValueError, match="not connected"):
        engine.push_vehicle({}, [leaving, route[0]])
    engine.load(archive)  # the archive predates the pushes
    assert "manually_pushed_0" not in engine.get_vehicles(include_waiting=True)
    assert engine.get_vehicles_generated() == generated


def test_dump_and_load_from_file(grid_dir, grid_config_rl, tmp_path):
    engine = cityflow.Engine(grid_config_rl)
    inters = engine.controlled_intersections()
    engine.set_random_seed(3)
    for t in range(200):
        if t % 10 == 0:
            for k, i in enumerate(inters):
                engine.set_tl_phase(i, 1 + (t // 10 + k) % 4)
        if t == 100:
            v = engine.get_vehicles()[0]
            engine.set_vehicle_speed(v, 1.0)
            engine.set_vehicle_route(v, engine.get_vehicle_info(v)["route"].split()[1:])
            route = engine.get_vehicle_info(v)["route"].split()
            engine.push_vehicle({"maxSpeed": 8.0}, route)
        engine.next_step()
    archive = engine.snapshot()
    archive.dump(str(tmp_path / "save.json"))
    state = (engine.get_lane_vehicles(), engine.get_vehicle_speed(),
             engine.get_average_travel_time())
    run(engine, 300)
    later = engine.get_lane_vehicles()

    other = cityflow.Engine(grid_config_rl, thread_num=2)
    other.load_from_file(str(tmp_path / "save.json"))
    assert other.get_current_time() == 200.0
    assert (other.get_lane_vehicles(), other.get_vehicle_speed(),
            other.get_average_travel_time()) == state
    run(other, 300)
    assert other.get_lane_vehicles() == later

    engine.load_from_file(str(tmp_path / "save.json"))  # the file of a loaded state dumps again
    engine.snapshot().dump(str(tmp_path / "again.json"))
    assert (tmp_path / "again.json").read_text() == (tmp_path / "save.json").read_text()


def test_load_from_file_errors(grid_config_rl, cross_config, tmp_path):
    engine = cityflow.Engine(grid_config_rl)
    run(engine, 20)
    engine.snapshot().dump(str(tmp_path / "grid.json"))
    with pytest.raises(ValueError, match="roadnet"):
        cityflow.Engine(cross_config).load_from_file(str(tmp_path / "grid.json"))
    with pytest.raises(FileNotFoundError):
        engine.load_from_file(str(tmp_path / "none.json"))
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(citybrain.InvalidInputError, match="bad.json"):
        engine.load_from_file(str(tmp_path / "bad.json"))
    assert engine.get_current_time() == 20.0  # unchanged by the failed loads
    citybrain.run_protocol(engine, "maxpressure", horizon=60)
    with pytest.raises(ValueError, match="run_protocol"):
        engine.snapshot().dump(str(tmp_path / "after_protocol.json"))
