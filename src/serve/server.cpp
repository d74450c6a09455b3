#include "citybrain/serve/server.hpp"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "citybrain/core/error.hpp"

namespace citybrain::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kHttpTimeout = std::chrono::seconds(30);
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kWsMessageLimit = 4 * 1024;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, Service& service, double hz)
      : m_ws(std::move(socket)), m_timer(m_ws.get_executor()), m_service(service), m_hz(hz) {}

  void run(http::request<http::string_body> req) {
    m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    m_ws.read_message_max(kWsMessageLimit);
    m_ws.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    m_client = m_service.add_client(m_hz);
    m_registered = true;
    const Bbox& b = m_service.bbox();
    nlohmann::json hello{{"type", "hello"},
                         {"roads", m_service.network().roads.size()},
                         {"signals", m_service.signal_count()},
                         {"bbox", {b.minx, b.miny, b.maxx, b.maxy}},
                         {"hz", m_hz}};
    m_hello = std::make_shared<const std::string>(hello.dump());
    m_writing = true;
    m_ws.text(true);
    m_ws.async_write(asio::buffer(*m_hello),
                     beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
    do_read();
    schedule(kRetrySeconds);
  }

  void do_read() {
    m_read.clear();
    m_ws.async_read(m_read, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return close();
    // {"hz": x} with 0.2 <= x <= 30 changes the rate; anything else is ignored.
    if (m_ws.got_text()) {
      auto j = nlohmann::json::parse(beast::buffers_to_string(m_read.data()), nullptr, false);
      if (j.is_object() && j.size() == 1 && j.contains("hz") && j["hz"].is_number()) {
        const double hz = j["hz"].get<double>();
        if (hz >= kMinHz && hz <= kMaxHz) {
          m_hz = hz;
          m_service.set_client_hz(m_client, hz);
        }
      }
    }
    do_read();
  }

  static constexpr double kRetrySeconds = 0.02;

  void schedule(double seconds) {
    m_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds)));
    m_timer.async_wait(beast::bind_front_handler(&WsSession::on_tick, shared_from_this()));
  }

  // A frame goes out at most every 1/hz. When the tick finds no newer frame, or the last one still
  // being written (one frame in flight at most: a slow client gets frames dropped), it looks again
  // soon rather than a whole period later, so that the twin's and the client's clocks drifting
  // apart do not halve the rate.
  void on_tick(beast::error_code ec) {
    if (ec || m_closed) return;
    auto frame = m_service.latest_frame();
    if (frame && frame != m_last && !m_writing) {
      m_last = frame;
      m_writing = true;
      m_ws.binary(true);
      m_ws.async_write(asio::buffer(*frame),
                       beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
      schedule(1.0 / m_hz);
    } else {
      schedule(std::min(1.0 / m_hz, kRetrySeconds));
    }
  }

  void on_write(beast::error_code ec, std::size_t) {
    m_writing = false;
    if (ec) close();
  }

  void close() {
    if (m_closed) return;
    m_closed = true;
    m_timer.cancel();
    if (m_registered) m_service.remove_client(m_client);
    beast::error_code ignored;
    beast::get_lowest_layer(m_ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  websocket::stream<beast::tcp_stream> m_ws;
  asio::steady_timer m_timer;
  Service& m_service;
  double m_hz;
  std::uint64_t m_client = 0;
  bool m_registered = false, m_writing = false, m_closed = false;
  beast::flat_buffer m_read;
  std::shared_ptr<const std::string> m_hello, m_last;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, Api& api, Service& service)
      : m_stream(std::move(socket)), m_api(api), m_service(service) {}

  void run() {
    asio::dispatch(m_stream.get_executor(),
                   beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    m_parser.emplace();
    m_parser->body_limit(kMaxBodyBytes);
    m_parser->header_limit(kHeaderLimit);
    m_stream.expires_after(kHttpTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return shutdown();
    if (ec == http::error::body_limit) {
      return send(
          error_response(413, "body: larger than " + std::to_string(kMaxBodyBytes) + " bytes"),
          false, false);
    }
    if (ec == http::error::header_limit) {
      return send(error_response(400, "headers: larger than 16 KiB"), false, false);
    }
    if (ec) {
      // A malformed request gets an answer when the socket is still there; then it closes.
      if (ec != beast::error::timeout && ec != asio::error::connection_reset &&
          ec != asio::error::eof && ec != http::error::partial_message) {
        return send(error_response(400, "malformed HTTP request: " + ec.message()), false, false);
      }
      return shutdown();
    }
    http::request<http::string_body> req = m_parser->release();
    if (websocket::is_upgrade(req)) {
      const std::string target(req.target());
      const std::string path = target.substr(0, target.find('?'));
      if (path != "/api/stream") {
        return send(error_response(404, "no WebSocket endpoint at " + path), false, false);
      }
      double hz = 5;
      try {
        hz = Api::stream_hz(target);
      } catch (const Error& e) {
        return send(error_response(e.code() == ErrorCode::kInvalidArgument ? 422 : 400, e.what()),
                    false, false);
      }
      m_stream.expires_never();
      std::make_shared<WsSession>(m_stream.release_socket(), m_service, hz)->run(std::move(req));
      return;
    }
    Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      r.authorization = std::string(it->value());
    }
    r.body = std::move(req.body());
    send(m_api.handle(r), req.keep_alive(), req.method() == http::verb::head);
  }

  void send(Response response, bool keep_alive, bool head) {
    m_body = response.shared_body ? response.shared_body
                                  : std::make_shared<const std::string>(std::move(response.body));
    auto& res = m_response.emplace();
    res.result(static_cast<unsigned>(response.status));
    res.version(11);
    res.set(http::field::server, "citybrain");
    res.set(http::field::content_type, response.content_type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    if (head) {
      res.content_length(m_body->size());
    } else {
      res.body() = http::span_body<const char>::value_type(m_body->data(), m_body->size());
      res.prepare_payload();
    }
    m_serializer.emplace(res);
    if (head) m_serializer->split(true);
    auto self = shared_from_this();
    if (head) {
      http::async_write_header(m_stream, *m_serializer,
                               [self, keep_alive](beast::error_code ec, std::size_t) {
                                 self->on_write(keep_alive, ec);
                               });
    } else {
      http::async_write(m_stream, *m_serializer,
                        [self, keep_alive](beast::error_code ec, std::size_t) {
                          self->on_write(keep_alive, ec);
                        });
    }
  }

  void on_write(bool keep_alive, beast::error_code ec) {
    if (ec) return;
    if (!keep_alive) return shutdown();
    do_read();
  }

  void shutdown() {
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::optional<http::response<http::span_body<const char>>> m_response;
  std::optional<http::response_serializer<http::span_body<const char>>> m_serializer;
  std::shared_ptr<const std::string> m_body;
  Api& m_api;
  Service& m_service;
};

}  // namespace

struct Server::Impl {
  Impl(Api& a, Service& s, const ServerOptions& o)
      : api(a),
        service(s),
        options(o),
        ioc(std::max(1, o.threads)),
        acceptor(asio::make_strand(ioc)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (!ec) std::make_shared<HttpSession>(std::move(socket), api, service)->run();
      if (acceptor.is_open()) accept();
    });
  }

  Api& api;
  Service& service;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

void validate_host(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) {
    throw Error(ErrorCode::kInvalidArgument, "--host",
                "expected an IP address such as 127.0.0.1, found '" + host + "'");
  }
}

Server::Server(Api& api, Service& service, const ServerOptions& options)
    : m_impl(std::make_unique<Impl>(api, service, options)) {
  validate_host(options.host);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  const tcp::endpoint endpoint(address, options.port);
  auto& acc = m_impl->acceptor;
  auto fail = [&](const char* what) {
    throw Error(ErrorCode::kIo, options.host + ":" + std::to_string(options.port),
                std::string("cannot ") + what + ": " + ec.message());
  };
  acc.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket");
  acc.set_option(asio::socket_base::reuse_address(true), ec);
  acc.bind(endpoint, ec);
  if (ec) fail("bind");
  acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen");
}

Server::~Server() {
  stop();
}

unsigned short Server::port() const {
  return m_impl->acceptor.local_endpoint().port();
}

void Server::start() {
  m_impl->accept();
  for (int i = 0; i < std::max(1, m_impl->options.threads); ++i)
    m_impl->threads.emplace_back([this] { m_impl->ioc.run(); });
}

void Server::stop() {
  if (!m_impl) return;
  m_impl->ioc.stop();
  for (auto& t : m_impl->threads) t.join();
  m_impl->threads.clear();
}

}  // namespace citybrain::serve
