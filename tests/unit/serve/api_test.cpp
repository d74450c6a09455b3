#include "citybrain/serve/api.hpp"

#include <gtest/gtest.h>

#include "citybrain/core/error.hpp"
#include "serve_fixture.hpp"

namespace citybrain::serve {
namespace {

using nlohmann::json;
using test::body_of;
using test::City;

// An error answer: the status, the contract's code, and a message naming `mentions`.
void expect_error(const Response& r, int status, const std::string& code,
                  const std::string& mentions) {
  EXPECT_EQ(r.status, status) << r.text();
  json j = body_of(r);
  ASSERT_TRUE(j.contains("error")) << r.text();
  EXPECT_EQ(j["error"]["status"], status);
  EXPECT_EQ(j["error"]["code"], code);
  EXPECT_NE(j["error"]["message"].get<std::string>().find(mentions), std::string::npos)
      << j["error"]["message"];
}

TEST(Api, Health) {
  City c;
  Response r = c.get("/api/health");
  ASSERT_EQ(r.status, 200);
  json j = body_of(r);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["city"], "test");
  EXPECT_EQ(j["speed"], 50.0);
  EXPECT_EQ(j["paused"], false);
  EXPECT_EQ(j["sim_time"], 0.0);
  EXPECT_EQ(j["clients"], 0);
  c.service.step();
  EXPECT_EQ(body_of(c.get("/api/health"))["sim_time"], 1.0);
}

TEST(Api, NetworkIsGeoJsonWithRoadsAndIntersections) {
  City c;
  Response r = c.get("/api/network");
  ASSERT_EQ(r.status, 200);
  json j = body_of(r);
  EXPECT_EQ(j["type"], "FeatureCollection");
  ASSERT_EQ(j["bbox"].size(), 4u);
  const auto& net = c.service.network();
  std::size_t roads = 0, inters = 0, signalised = 0;
  for (const auto& f : j["features"]) {
    const auto& p = f["properties"];
    if (p["kind"] == "road") {
      EXPECT_EQ(f["geometry"]["type"], "LineString");
      EXPECT_EQ(p["id"], net.roads[p["index"].get<std::size_t>()].id);
      EXPECT_EQ(p["lanes"], 2);
      EXPECT_GT(p["length"].get<double>(), 0);
      ++roads;
    } else {
      EXPECT_EQ(p["kind"], "intersection");
      EXPECT_EQ(f["geometry"]["type"], "Point");
      if (p["signal_index"].get<int>() >= 0) {
        EXPECT_EQ(p["phases"], 5);
        ++signalised;
      }
      ++inters;
    }
  }
  EXPECT_EQ(roads, net.roads.size());
  EXPECT_EQ(inters, net.intersections.size());
  EXPECT_EQ(signalised, 4u);
}

TEST(Api, StateCountsVehiclesAfterSteps) {
  City c;
  for (int k = 0; k < 60; ++k) c.service.step();
  Response r = c.get("/api/state");
  ASSERT_EQ(r.status, 200);
  json j = body_of(r);
  EXPECT_EQ(j["time"], 60.0);
  EXPECT_EQ(j["roads"].size(), c.service.network().roads.size());
  const double vehicles = j["city"]["vehicles"].get<double>();
  EXPECT_GT(vehicles, 0);
  double on_roads = 0;
  for (const auto& road : j["roads"]) {
    on_roads += road["vehicles"].get<double>();
    EXPECT_GE(road["congestion"].get<double>(), 0);
    EXPECT_LE(road["congestion"].get<double>(), 1);
    EXPECT_GE(road["travel_time_index"].get<double>(), 1);
  }
  EXPECT_LE(on_roads, vehicles);
  EXPECT_GT(on_roads, 0);
  EXPECT_GE(j["city"]["travel_time_index"].get<double>(), 1.0);
  EXPECT_GE(j["city"]["delay"].get<double>(), 0.0);
  EXPECT_LE(j["city"]["congestion_index"].get<double>(), 1.0);
  EXPECT_EQ(j["city"]["generated"].get<double>(),
            static_cast<double>(c.service.engine().vehicles_generated()));
}

TEST(Api, Intersection) {
  City c;
  for (int k = 0; k < 40; ++k) c.service.step();
  const std::string id = citybrain::test::inter_id(0, 0);
  Response r = c.get("/api/intersections/" + id);
  ASSERT_EQ(r.status, 200) << r.text();
  json j = body_of(r);
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["phases"], 5);
  EXPECT_EQ(j["controller"], "maxpressure");
  EXPECT_TRUE(j["override"].is_null());
  EXPECT_EQ(j["approaches"].size(), 4u);
  for (const auto& a : j["approaches"]) EXPECT_EQ(a["lanes"].size(), 2u);
  ASSERT_GE(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["time"], 0.0);
  EXPECT_EQ(j["phase"].get<int>(), j["timeline"].back()["phase"].get<int>());
  // A virtual intersection has no signal.
  json v = body_of(c.get("/api/intersections/" + citybrain::test::inter_id(-1, 0)));
  EXPECT_EQ(v["signal_index"], -1);
  EXPECT_TRUE(v["controller"].is_null());
}

TEST(Api, UnknownIdsAndPathsAre404) {
  City c;
  expect_error(c.get("/api/intersections/nowhere"), 404, "not_found", "nowhere");
  expect_error(c.put("/api/intersections/nowhere/control", R"({"action":"release"})"), 404,
               "not_found", "nowhere");
  expect_error(c.get("/api/nothing"), 404, "not_found", "/api/nothing");
  expect_error(c.get("/api/intersections/a/b"), 404, "not_found", "/api/intersections/a/b");
  expect_error(c.get("/api/history?metric=vehicles&road=nowhere"), 404, "not_found", "nowhere");
}

TEST(Api, WrongMethodIs405) {
  City c;
  expect_error(c.api.handle({"POST", "/api/health", "", ""}), 405, "method_not_allowed", "POST");
  expect_error(c.api.handle({"GET", "/api/sim", "", ""}), 405, "method_not_allowed", "PUT");
  expect_error(c.api.handle({"DELETE", "/index.html", "", ""}), 405, "method_not_allowed",
               "DELETE");
}

TEST(Api, ControlNeedsTheToken) {
  City c;
  const std::string target = "/api/intersections/" + citybrain::test::inter_id(0, 0) + "/control";
  expect_error(c.put(target, R"({"action":"release"})", ""), 401, "unauthorized", "Bearer");
  expect_error(c.put(target, R"({"action":"release"})", "wrong"), 401, "unauthorized", "Bearer");
  expect_error(c.put("/api/sim", R"({"paused":true})", ""), 401, "unauthorized", "Bearer");
  EXPECT_EQ(c.put(target, R"({"action":"release"})").status, 200);
}

TEST(Api, ControlBodyIsValidatedNamingTheField) {
  City c;
  const std::string t = "/api/intersections/" + citybrain::test::inter_id(0, 1) + "/control";
  expect_error(c.put(t, "{not json"), 400, "bad_request", "body");
  expect_error(c.put(t, "[1,2]"), 400, "bad_request", "body");
  expect_error(c.put(t, R"({"phase":3})"), 400, "bad_request", "action");
  expect_error(c.put(t, R"({"action":7})"), 400, "bad_request", "action");
  expect_error(c.put(t, R"({"action":"dance"})"), 422, "unprocessable", "action");
  expect_error(c.put(t, R"({"action":"hold","seconds":60})"), 400, "bad_request", "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":"3","seconds":60})"), 400, "bad_request",
               "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":3.5,"seconds":60})"), 400, "bad_request",
               "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":3})"), 400, "bad_request", "seconds");
  expect_error(c.put(t, R"({"action":"hold","phase":0,"seconds":60})"), 422, "unprocessable",
               "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":5,"seconds":60})"), 422, "unprocessable",
               "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":-2,"seconds":60})"), 422, "unprocessable",
               "phase");
  expect_error(c.put(t, R"({"action":"hold","phase":3,"seconds":0})"), 422, "unprocessable",
               "seconds");
  expect_error(c.put(t, R"({"action":"hold","phase":3,"seconds":3601})"), 422, "unprocessable",
               "seconds");
  expect_error(c.put(t, R"({"action":"hold","phase":3,"seconds":60,"colour":"red"})"), 400,
               "bad_request", "colour");
  expect_error(c.put(t, R"({"action":"controller"})"), 400, "bad_request", "controller");
  expect_error(c.put(t, R"({"action":"controller","controller":"magic"})"), 422, "unprocessable",
               "controller");
  expect_error(c.put(t, R"({"action":"release","reason":5})"), 400, "bad_request", "reason");
  expect_error(c.put(t, R"({"action":"release","who":""})"), 422, "unprocessable", "who");
  expect_error(c.put(t, std::string(kMaxBodyBytes + 1, ' ')), 413, "payload_too_large", "body");
  // Nothing above changed anything.
  EXPECT_TRUE(body_of(c.get("/api/audit"))["entries"].empty());
  const std::string virt = "/api/intersections/" + citybrain::test::inter_id(-1, 0) + "/control";
  expect_error(c.put(virt, R"({"action":"hold","phase":1,"seconds":5})"), 422, "unprocessable",
               "no signal");
}

TEST(Api, HoldTakesEffectOnTheNextStepAndIsAudited) {
  City c;
  for (int k = 0; k < 10; ++k) c.service.step();
  const std::string id = citybrain::test::inter_id(1, 1);
  const std::size_t signal =
      c.service.runner().controlled_index(c.service.network().find_intersection(id));
  const std::uint32_t before = c.service.runner().phase(signal);
  const std::uint32_t held = before == 3 ? 4 : 3;
  Response r = c.put("/api/intersections/" + id + "/control", json{{"action", "hold"},
                                                                   {"phase", held},
                                                                   {"seconds", 60},
                                                                   {"reason", "parade"},
                                                                   {"who", "alice"}}
                                                                  .dump());
  ASSERT_EQ(r.status, 200) << r.text();
  json j = body_of(r);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["intersection"], id);
  EXPECT_EQ(j["override"]["kind"], "hold");
  EXPECT_EQ(j["override"]["phase"], held);
  EXPECT_EQ(j["override"]["until"], 70.0);
  c.service.step();
  EXPECT_EQ(c.service.engine().phase(IntersectionId(c.service.network().find_intersection(id))), 0u)
      << "a change of phase starts with the yellow on the next step";
  for (int k = 0; k < 5; ++k) c.service.step();
  EXPECT_EQ(c.service.runner().phase(signal), held);
  json inter = body_of(c.get("/api/intersections/" + id));
  EXPECT_EQ(inter["phase"], held);
  EXPECT_EQ(inter["override"]["kind"], "hold");

  json audit = body_of(c.get("/api/audit?limit=10"));
  ASSERT_EQ(audit["entries"].size(), 1u);
  const json& e = audit["entries"][0];
  EXPECT_EQ(e["action"], "hold");
  EXPECT_EQ(e["who"], "alice");
  EXPECT_EQ(e["reason"], "parade");
  EXPECT_EQ(e["intersection"], id);
  EXPECT_EQ(e["sim_time"], 10.0);
  EXPECT_EQ(e["detail"]["phase"], held);
  EXPECT_EQ(e["detail"]["seconds"], 60);
  EXPECT_EQ(e["wall_time"].get<std::string>().size(), 20u);

  // Release: back to the controller, audited as the newest entry.
  json rel = body_of(c.put("/api/intersections/" + id + "/control", R"({"action":"release"})"));
  EXPECT_TRUE(rel["override"].is_null());
  audit = body_of(c.get("/api/audit"));
  ASSERT_EQ(audit["entries"].size(), 2u);
  EXPECT_EQ(audit["entries"][0]["action"], "release");
  EXPECT_EQ(audit["entries"][0]["who"], "operator");
  EXPECT_GT(audit["entries"][0]["id"].get<int>(), audit["entries"][1]["id"].get<int>());
}

TEST(Api, ControllerSwitchIsPerIntersection) {
  City c;
  const std::string id = citybrain::test::inter_id(0, 0);
  json j = body_of(c.put("/api/intersections/" + id + "/control",
                         R"({"action":"controller","controller":"fixed","reason":"test"})"));
  EXPECT_EQ(j["override"]["kind"], "controller");
  EXPECT_EQ(j["override"]["controller"], "fixed");
  c.service.step();
  EXPECT_EQ(body_of(c.get("/api/intersections/" + id))["controller"], "fixed");
  EXPECT_EQ(body_of(c.get("/api/intersections/" + citybrain::test::inter_id(0, 1)))["controller"],
            "maxpressure");
  json audit = body_of(c.get("/api/audit"));
  ASSERT_EQ(audit["entries"].size(), 1u);
  EXPECT_EQ(audit["entries"][0]["action"], "controller");
  EXPECT_EQ(audit["entries"][0]["detail"]["controller"], "fixed");
}

TEST(Api, SimPauseAndSpeed) {
  City c;
  json j = body_of(c.put("/api/sim", R"({"speed":5.0})"));
  EXPECT_EQ(j["speed"], 5.0);
  EXPECT_EQ(j["status"], "ok");
  j = body_of(c.put("/api/sim", R"({"paused":true})"));
  EXPECT_EQ(j["paused"], true);
  EXPECT_EQ(body_of(c.get("/api/health"))["paused"], true);
  expect_error(c.put("/api/sim", R"({"speed":0})"), 422, "unprocessable", "speed");
  expect_error(c.put("/api/sim", R"({"speed":1001})"), 422, "unprocessable", "speed");
  expect_error(c.put("/api/sim", R"({"speed":"fast"})"), 400, "bad_request", "speed");
  expect_error(c.put("/api/sim", R"({"paused":"yes"})"), 400, "bad_request", "paused");
  expect_error(c.put("/api/sim", R"({})"), 400, "bad_request", "paused");
  expect_error(c.put("/api/sim", R"({"speed":2,"turbo":true})"), 400, "bad_request", "turbo");
  EXPECT_EQ(body_of(c.get("/api/health"))["speed"], 5.0);
  json audit = body_of(c.get("/api/audit"));
  ASSERT_EQ(audit["entries"].size(), 2u);
  EXPECT_EQ(audit["entries"][0]["action"], "sim");
  EXPECT_TRUE(audit["entries"][0]["intersection"].is_null());
}

TEST(Api, HistoryHasARowPerSimulatedMinute) {
  City c;
  for (int k = 0; k < 150; ++k) c.service.step();
  json j = body_of(c.get("/api/history?metric=vehicles"));
  EXPECT_EQ(j["metric"], "vehicles");
  EXPECT_TRUE(j["road"].is_null());
  ASSERT_EQ(j["points"].size(), 2u);
  EXPECT_EQ(j["points"][0][0], 60.0);
  EXPECT_EQ(j["points"][1][0], 120.0);
  EXPECT_GT(j["points"][1][1].get<double>(), 0);
  json att = body_of(c.get("/api/history?metric=att&from=100&to=3600"));
  ASSERT_EQ(att["points"].size(), 1u);
  EXPECT_EQ(att["points"][0][0], 120.0);
  const std::string road = c.service.network().roads[0].id;
  json r = body_of(c.get("/api/history?metric=congestion&road=" + road));
  EXPECT_EQ(r["road"], road);
  EXPECT_EQ(r["points"].size(), 2u);
  expect_error(c.get("/api/history"), 400, "bad_request", "metric");
  expect_error(c.get("/api/history?metric=happiness"), 422, "unprocessable", "metric");
  expect_error(c.get("/api/history?metric=att&road=" + road), 422, "unprocessable", "metric");
  expect_error(c.get("/api/history?metric=att&from=abc"), 400, "bad_request", "from");
  expect_error(c.get("/api/history?metric=att&from=10&to=5"), 422, "unprocessable", "from");
  expect_error(c.get("/api/history?metric=att&colour=red"), 400, "bad_request", "colour");
  expect_error(c.get("/api/audit?limit=0"), 422, "unprocessable", "limit");
  expect_error(c.get("/api/audit?limit=ten"), 400, "bad_request", "limit");
  expect_error(c.get("/api/health?x=1"), 400, "bad_request", "x");
  expect_error(c.get("/api/history?metric=%zz"), 400, "bad_request", "escape");
}

TEST(Api, StaticFilesAndNoTraversal) {
  City c;
  Response index = c.get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(index.text().find("citybrain"), std::string::npos);
  Response js = c.get("/assets/app.js?v=1");
  ASSERT_EQ(js.status, 200);
  EXPECT_NE(js.content_type.find("javascript"), std::string::npos);
  for (const char* bad : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                          "/.hidden", "/assets//app.js", "/nothing.js", "/%00", "/..%5csecret.txt"})
    EXPECT_EQ(c.get(bad).status, 404) << bad;
  EXPECT_EQ(c.get("/api/stream").status, 400);
}

TEST(Api, StreamRate) {
  EXPECT_EQ(Api::stream_hz("/api/stream"), 5.0);
  EXPECT_EQ(Api::stream_hz("/api/stream?hz=2"), 2.0);
  EXPECT_THROW(Api::stream_hz("/api/stream?hz=0.1"), Error);
  EXPECT_THROW(Api::stream_hz("/api/stream?hz=31"), Error);
  EXPECT_THROW(Api::stream_hz("/api/stream?hz=fast"), Error);
  EXPECT_THROW(Api::stream_hz("/api/stream?rate=2"), Error);
}

TEST(Api, Token) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("citybrain_token_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  bool created = false;
  const std::string token = load_or_create_token(dir, created);
  EXPECT_TRUE(created);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(fs::status(dir / "token").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(load_or_create_token(dir, created), token);
  EXPECT_FALSE(created);
  EXPECT_NE(make_token(), token);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace citybrain::serve
