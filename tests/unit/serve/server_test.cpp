// The server over loopback with a Beast client: HTTP answers, the WebSocket hello and binary
// frames, a rate change, and clients that misbehave (truncated requests and frames, vanishing
// mid-frame) without harming the server.
#include "citybrain/serve/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <thread>

#include "citybrain/serve/frame.hpp"
#include "serve_fixture.hpp"

namespace citybrain::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct Live {
  Live() : city("server"), server(city.api, city.service, {.host = "127.0.0.1", .port = 0}) {
    city.service.start();
    server.start();
  }
  ~Live() {
    server.stop();
    city.service.stop();
  }
  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), server.port()}; }
  http::response<http::string_body> request(http::verb verb, const std::string& target,
                                            const std::string& body = "",
                                            const std::string& token = "") {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(endpoint());
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return res;
  }
  test::City city;
  Server server;
};

// Waits (bounded) until pred holds; the tests never assert on durations.
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

TEST(Server, HttpAnswersOverLoopback) {
  Live live;
  auto res = live.request(http::verb::get, "/api/health");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(res.body())["status"], "ok");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  res = live.request(http::verb::get, "/api/state");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_TRUE(nlohmann::json::parse(res.body()).contains("roads"));
  res = live.request(http::verb::get, "/");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_NE(res.body().find("citybrain"), std::string::npos);
  res = live.request(http::verb::put, "/api/sim", R"({"speed":20})");
  EXPECT_EQ(res.result_int(), 401);
  res = live.request(http::verb::put, "/api/sim", R"({"speed":20})", test::kToken);
  EXPECT_EQ(res.result_int(), 200);
  res =
      live.request(http::verb::put, "/api/sim", std::string(kMaxBodyBytes + 10, 'x'), test::kToken);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(nlohmann::json::parse(res.body())["error"]["code"], "payload_too_large");
  // The simulation thread moves on.
  EXPECT_TRUE(eventually([&] { return live.city.service.sim_time() > 2; }));
}

TEST(Server, StreamSendsHelloThenFramesAndTakesARateChange) {
  Live live;
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect(live.endpoint());
  ws.handshake("127.0.0.1", "/api/stream?hz=20");
  beast::flat_buffer buffer;
  ws.read(buffer);
  ASSERT_TRUE(ws.got_text());
  auto hello = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["roads"], live.city.service.network().roads.size());
  EXPECT_EQ(hello["signals"], 4);
  EXPECT_EQ(hello["hz"], 20.0);
  EXPECT_EQ(hello["bbox"].size(), 4u);
  EXPECT_EQ(live.city.service.clients(), 1u);
  std::uint32_t last_seq = 0;
  for (int k = 0; k < 3; ++k) {
    buffer.clear();
    ws.read(buffer);
    ASSERT_TRUE(ws.got_binary());
    DecodedFrame f;
    ASSERT_TRUE(decode_frame(beast::buffers_to_string(buffer.data()), f));
    EXPECT_GT(f.seq, last_seq);
    last_seq = f.seq;
    EXPECT_EQ(f.congestion.size(), live.city.service.network().roads.size());
    EXPECT_EQ(f.phases.size(), 4u);
    for (std::uint8_t p : f.phases) EXPECT_LE(p, 4);
    EXPECT_EQ(f.qx.size(), static_cast<std::size_t>(f.kpis.values[0]));
  }
  ws.text(true);
  ws.write(asio::buffer(std::string(R"({"hz":2})")));
  EXPECT_TRUE(eventually([&] { return live.city.service.max_client_hz() == 2.0; }));
  ws.write(asio::buffer(std::string(R"({"hz":1000})")));  // out of range: ignored
  ws.write(asio::buffer(std::string("not json")));
  buffer.clear();
  ws.read(buffer);
  EXPECT_TRUE(ws.got_binary());
  EXPECT_EQ(live.city.service.max_client_hz(), 2.0);
  ws.close(websocket::close_code::normal);
  EXPECT_TRUE(eventually([&] { return live.city.service.clients() == 0; }));
}

TEST(Server, BadStreamRateIsRefused) {
  Live live;
  for (const auto& [target, status] : {std::pair<std::string, int>{"/api/stream?hz=100", 422},
                                       {"/api/stream?hz=fast", 400},
                                       {"/api/other", 404}}) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(live.endpoint());
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), status) << target;
    EXPECT_EQ(nlohmann::json::parse(res.body())["error"]["status"], status);
  }
  EXPECT_EQ(live.city.service.clients(), 0u);
}

TEST(Server, MisbehavingClientsDoNotHurtTheServer) {
  Live live;
  asio::io_context ioc;
  const std::string valid_frame_start = "\x81\xfe\x01\x00";  // masked text, 256 bytes announced
  // 1. Truncated HTTP requests and garbage.
  for (const std::string& bytes :
       {std::string("GET /api/health HTTP/1.1\r\nHost: x\r\n"),
        std::string("PUT /api/sim HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"spe"),
        std::string("\x16\x03\x01\x02\x00 not http at all\r\n\r\n"),
        std::string("GET /api/health HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    tcp::socket s(ioc);
    s.connect(live.endpoint());
    asio::write(s, asio::buffer(bytes));
    s.close();
  }
  // 2. WebSocket clients that send a truncated frame, or vanish mid-frame while frames flow.
  for (int k = 0; k < 3; ++k) {
    websocket::stream<beast::tcp_stream> ws(ioc);
    beast::get_lowest_layer(ws).connect(live.endpoint());
    ws.handshake("127.0.0.1", "/api/stream?hz=30");
    beast::flat_buffer buffer;
    ws.read(buffer);  // the hello
    auto& sock = beast::get_lowest_layer(ws).socket();
    if (k == 0) asio::write(sock, asio::buffer(valid_frame_start + "\x01\x02\x03\x04" + "abc"));
    // Read part of a binary frame, then drop the connection without a close handshake.
    char part[16];
    sock.read_some(asio::buffer(part));
    sock.set_option(asio::socket_base::linger(true, 0));
    sock.close();
  }
  // A slow client that never reads keeps at most one frame pending and does not stop the twin.
  tcp::socket slow(ioc);
  {
    websocket::stream<beast::tcp_stream> ws(ioc);
    beast::get_lowest_layer(ws).connect(live.endpoint());
    ws.handshake("127.0.0.1", "/api/stream?hz=30");
    slow = std::move(beast::get_lowest_layer(ws).socket());
  }
  const double t0 = live.city.service.sim_time();
  EXPECT_TRUE(eventually([&] { return live.city.service.sim_time() > t0 + 20; }));
  auto res = live.request(http::verb::get, "/api/health");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_TRUE(eventually([&] { return live.city.service.clients() == 1; }));
  slow.close();
  EXPECT_TRUE(eventually([&] { return live.city.service.clients() == 0; }));
}

}  // namespace
}  // namespace citybrain::serve
