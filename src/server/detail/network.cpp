// The network side of the server (detail/network.hpp): Boost.Beast's HTTP/1.1 parser and
// serializer on Asio. A connection is a Session: it reads one request's head with a deadline,
// screens and parses it (detail/front.hpp), reads the body, asks the Answerer (the cache on the
// network thread, else the endpoints on the worker pool), writes the answer and starts again on the
// bytes left in its buffer (pipelining).
#include "detail/network.hpp"

#include <sys/resource.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "detail/front.hpp"

namespace gpsi::server::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBacklog = 1024;
constexpr std::size_t kReadChunk = 4096;
constexpr int kAcceptBatch = 256;  //!< connections taken at once when the accept queue has more waiting
constexpr std::chrono::seconds kStopGrace{3};
//! A connection over a limit gets its 503 after this long: a client that reconnects at once (a
//! flood) would otherwise keep the loops busy accepting and refusing it.
constexpr std::chrono::seconds kTurnAwayDelay{1};
constexpr int kTurnAwayHeld = 4096;  //!< connections held for their delayed 503 at most; more are refused at once
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kBusyAnswer =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 65\r\n\r\n"
    "{\"error\":{\"code\":\"busy\",\"message\":\"too many connections, retry\"}}";

//! The Date header's value (RFC 9110 5.6.7), made once per second per thread.
const std::string& HttpDate() {
  thread_local std::time_t made = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != made) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text = buf;
    made = now;
  }
  return text;
}

//! A request field as the text access log writes it: control bytes (a forged line, a terminal
//! escape), backslashes and, in a field that is not UTF-8, every byte ≥ 0x80 as \xNN.
std::string LogField(std::string_view s) {
  const bool utf8 = ValidUtf8(s);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F || (b >= 0x80 && !utf8) || c == '\\') {
      out += fmt::format("\\x{:02x}", b);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

//! One access-log entry.
struct LogEntry {
  std::string client, method, path;
  int status = 0;
  std::size_t bytes = 0;
  Clock::time_point start;
  std::string account;  //!< whom a refusal refused (Response::account)
};

void WriteLog(const std::string& format, const LogEntry& e) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - e.start).count();
  if (format == "text") {
    fmt::print(stderr, "{} {} {} {}us{}\n", LogField(e.method), LogField(e.path), e.status, us,
               e.account.empty() ? "" : " account=" + LogField(e.account));
  } else if (format == "json") {
    nlohmann::ordered_json j{{"time", NowUtc()}, {"client", e.client}, {"method", e.method},
                             {"path", e.path},   {"status", e.status}, {"bytes", e.bytes},
                             {"us", us}};
    if (!e.account.empty()) j["account"] = e.account;
    // dump escapes control bytes; bytes that are not UTF-8 become U+FFFD.
    fmt::print(stderr, "{}\n", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  }
}

}  // namespace

class Session;

//! Everything the network shares between its threads. Sessions hold a plain pointer to it: it lives
//! until ~Network, whose members go in reverse order (workers joined, then the event loop, whose
//! destructor destroys the handlers still queued and with them their sessions, which unregister
//! from the maps declared before it).
struct Network::State {
  NetworkConfig cfg;
  Answerer answer;
  std::size_t max_open = 0;  // cfg.max_connections, within the open-file limit
  std::atomic<bool> stopping{false};
  std::atomic<int> turned_away{0};  // connections waiting for their delayed 503
  std::mutex mu;                    // guards the two maps below
  std::unordered_map<std::string, int> per_client;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  net::io_context ioc;
  net::strand<net::io_context::executor_type> accept_strand{ioc.get_executor()};  // the acceptor's only user
  tcp::acceptor acceptor{accept_strand};
  std::optional<net::steady_timer>
      grace;  // at shutdown: stops the loops when the last answer is out, or after kStopGrace
  net::thread_pool workers;

  State(NetworkConfig c, Answerer a)
      : cfg(std::move(c)),
        answer(std::move(a)),
        ioc(cfg.io_threads),
        workers(static_cast<std::size_t>(std::max(1, cfg.worker_threads))) {}

  void Accept();
  void OnAccept(tcp::socket socket);
  void TurnAway(tcp::socket socket);
  bool Admit(const std::string& client);
  void Release(const std::string& client, Session* s);
  void CloseAll();
};

//! One connection: read a request, answer it, again, until the client or a limit closes it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Network::State* st, tcp::socket socket, std::string client)
      : st_(st), stream_(std::move(socket)), client_(std::move(client)) {}
  ~Session() { st_->Release(client_, this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Next(); });
  }

  //! At shutdown: an idle connection closes now, one being answered after its answer.
  void StopSoon() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->close_ = true;
      if (self->waiting_) self->Close();
    });
  }

 private:
  Network::State* st_;
  beast::tcp_stream stream_;
  std::string client_;
  beast::flat_buffer buf_;
  std::optional<Parser> parser_;
  bool waiting_ = false;  // idle: no byte of the next request yet
  bool close_ = false;    // close after the answer being written
  bool head_ = false;     // the request is HEAD: the answer's headers only
  LogEntry log_;
  Response res_;
  http::response<http::span_body<const char>> out_;
  std::optional<http::response<http::file_body>> file_out_;

  std::string_view Buffered() const { return {static_cast<const char*>(buf_.data().data()), buf_.size()}; }

  //! Waits for the next request; its deadline starts with its first byte (pipelined bytes may be here).
  void Next() {
    if (close_ || st_->stopping) return Close();
    log_ = LogEntry{client_, "-", "-", 0, 0, Clock::now()};
    head_ = false;
    waiting_ = buf_.size() == 0;
    if (waiting_) {
      stream_.expires_after(st_->cfg.idle_timeout);
    } else {
      stream_.expires_after(st_->cfg.request_deadline);
    }
    ReadHead();
  }

  void ReadHead() {
    if (auto n = HeadLength(Buffered())) return OnHead(*n);
    if (buf_.size() > kHeadMax) return Refuse(ParseRefusal(http::error::header_limit));
    stream_.async_read_some(buf_.prepare(kReadChunk), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->Close();  // the deadline, a reset, or the client closed
      if (self->waiting_) {
        self->waiting_ = false;
        self->log_.start = Clock::now();
        self->stream_.expires_after(self->st_->cfg.request_deadline);
      }
      self->buf_.commit(n);
      self->ReadHead();
    });
  }

  void OnHead(std::size_t head_length) {
    if (auto r = ScreenHead(Buffered().substr(0, head_length))) return Refuse(*r);
    parser_.emplace();
    ArmParser(*parser_);
    beast::error_code ec;
    std::size_t used = parser_->put(net::buffer(buf_.data().data(), head_length), ec);
    if (ec || !parser_->is_header_done()) return Refuse(ParseRefusal(ec ? ec : http::error::partial_message));
    buf_.consume(used);
    const auto& h = parser_->get();
    log_.method = std::string(h.method_string());
    log_.path = std::string(h.target().substr(0, h.target().find('?')));
    if (auto r = CheckFraming(h)) return Refuse(*r);
    if (auto r = LimitBody(*parser_)) return Refuse(*r);
    head_ = h.method() == http::verb::head;
    if (!parser_->is_done() && beast::iequals(h[http::field::expect], "100-continue")) {
      return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = shared_from_this()](beast::error_code e, std::size_t) {
                                if (e) return self->Close();
                                self->ReadBody();
                              });
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    http::async_read(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == beast::error::timeout || ec == net::error::operation_aborted || ec == http::error::end_of_stream ||
          ec == net::error::eof || ec == net::error::connection_reset) {
        return self->Close();
      }
      if (ec) return self->Refuse(ParseRefusal(ec));
      self->OnRequest();
    });
  }

  void OnRequest() {
    if (!parser_->keep_alive()) close_ = true;
    auto made = MakeRequest(parser_->release());
    parser_.reset();
    if (auto* r = std::get_if<Refusal>(&made)) return Refuse(*r);
    auto req = std::get<Request>(std::move(made));
    req.client = client_;
    log_.path = req.path;
    Response res;
    if (st_->answer.quick(req, res)) return Write(std::move(res));
    net::post(st_->workers, [self = shared_from_this(), req = std::move(req)]() mutable {
      Response res;
      try {
        self->st_->answer.full(req, res);
      } catch (const std::exception& e) {
        res = Response();
        SendError(res, Errc::kInternal, e.what());
      }
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  void Refuse(const Refusal& r) {
    if (r.close) close_ = true;
    Response res;
    SendError(res, r.code, r.message);
    Write(std::move(res));
  }

  //! Copies the handler's status and headers onto `m`, with Date and the connection's persistence.
  template <class Message>
  void Head(Message& m, std::uint64_t length) {
    m.result(static_cast<unsigned>(res_.status == 0 ? 200 : res_.status));
    m.version(11);
    for (const auto& [name, value] : res_.headers) m.insert(name, value);
    m.set(http::field::date, HttpDate());
    if (m.result() != http::status::not_modified) m.content_length(length);
    m.keep_alive(!close_);
  }

  void Write(Response res) {
    waiting_ = false;
    res_ = std::move(res);
    if (st_->stopping) close_ = true;
    log_.status = res_.status == 0 ? 200 : res_.status;
    log_.account = res_.account;
    const bool bodiless = head_ || log_.status == 304;
    if (!res_.file.empty() && !bodiless) return WriteFile();
    std::string_view body = res_.Body();
    out_ = http::response<http::span_body<const char>>();
    Head(out_, res_.file.empty() ? body.size() : res_.file_size);
    if (!bodiless) out_.body() = {body.data(), body.size()};
    log_.bytes = out_.body().size();
    stream_.expires_after(st_->cfg.write_deadline);
    http::async_write(stream_, out_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWritten(ec); });
  }

  //! A large static file, streamed from disk (never held whole in memory).
  void WriteFile() {
    beast::error_code ec;
    file_out_.emplace();
    file_out_->body().open(res_.file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      res_ = Response();
      SendError(res_, Errc::kIo, "cannot read the file");
      res_.file.clear();
      return Write(std::move(res_));
    }
    const std::uint64_t size = file_out_->body().size();
    Head(*file_out_, size);
    log_.bytes = size;
    // At least 64 KiB/s: a large file to a slow client has time, a stalled one does not keep it.
    stream_.expires_after(st_->cfg.write_deadline + std::chrono::seconds(size / (64 * 1024)));
    http::async_write(stream_, *file_out_, [self = shared_from_this()](beast::error_code e, std::size_t) {
      self->file_out_.reset();
      self->OnWritten(e);
    });
  }

  void OnWritten(beast::error_code ec) {
    WriteLog(st_->cfg.access_log, log_);
    res_ = Response();
    if (ec) return Close();
    Next();
  }

  void Close() {
    waiting_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }
};

void Network::State::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
    if (stopping || !acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors, or a connection reset before it was taken: retry shortly, not at once.
      auto timer = std::make_shared<net::steady_timer>(accept_strand, std::chrono::milliseconds(10));
      return timer->async_wait([this, timer](beast::error_code) { Accept(); });
    }
    OnAccept(std::move(s));
    // Take the others already waiting (the acceptor is non-blocking): one per turn of the loop would
    // leave a burst of connections, and a client behind it, waiting for many turns.
    for (int i = 0; i < kAcceptBatch; ++i) {
      tcp::socket more(net::make_strand(ioc));
      acceptor.accept(more, ec);
      if (ec) break;
      OnAccept(std::move(more));
    }
    Accept();
  });
}

void Network::State::OnAccept(tcp::socket socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  std::string client = peer.address().to_string();
  if (!Admit(client)) return TurnAway(std::move(socket));
  socket.set_option(tcp::no_delay(true), ec);  // an answer's head and body go without waiting for an ACK
  auto s = std::make_shared<Session>(this, std::move(socket), client);
  {
    std::lock_guard lock(mu);
    sessions.emplace(s.get(), s);
  }
  s->Start();
}

void Network::State::TurnAway(tcp::socket socket) {
  // The answer is written without reading the request: the client learns why, and holds no session.
  auto refuse = [](tcp::socket& s) {
    beast::error_code ec;
    s.non_blocking(true, ec);
    // What the client sent is read first: closing with unread bytes would send a reset, which can
    // discard the 503 before the client reads it.
    char sink[4096];
    for (int i = 0; i < 16 && !ec; ++i) s.read_some(net::buffer(sink), ec);
    ec = {};
    s.write_some(net::buffer(kBusyAnswer.data(), kBusyAnswer.size()), ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
  };
  if (turned_away.fetch_add(1) >= kTurnAwayHeld) {
    --turned_away;
    return refuse(socket);
  }
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  auto timer = std::make_shared<net::steady_timer>(ioc, kTurnAwayDelay);
  timer->async_wait([this, held, timer, refuse](beast::error_code) {
    refuse(*held);
    --turned_away;
  });
}

bool Network::State::Admit(const std::string& client) {
  std::lock_guard lock(mu);
  if (sessions.size() >= max_open) return false;
  int& n = per_client[client];
  if (n >= cfg.max_client_connections) {
    if (n == 0) per_client.erase(client);
    return false;
  }
  ++n;
  return true;
}

void Network::State::Release(const std::string& client, Session* s) {
  std::lock_guard lock(mu);
  sessions.erase(s);
  if (auto it = per_client.find(client); it != per_client.end() && --it->second <= 0) per_client.erase(it);
  // The last connection is gone at shutdown: stop now rather than at the end of the grace period.
  if (stopping && sessions.empty() && !ioc.stopped()) net::post(ioc, [this] { ioc.stop(); });
}

void Network::State::CloseAll() {
  net::dispatch(accept_strand, [this] {
    beast::error_code ec;
    acceptor.close(ec);
  });
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  if (open.empty()) return ioc.stop();
  for (auto& s : open) s->StopSoon();
  // Answers still being made have a little time; then the loops stop whatever is left.
  grace.emplace(ioc, kStopGrace);
  grace->async_wait([this](beast::error_code) { ioc.stop(); });
}

Network::Network(NetworkConfig cfg, Answerer answerer)
    : state_(std::make_unique<State>(std::move(cfg), std::move(answerer))) {
  // Each connection is a file descriptor: take the hard limit, and keep the total under it.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  const auto fds = rl.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(rl.rlim_cur);
  state_->max_open = std::min(static_cast<std::size_t>(std::max(1, state_->cfg.max_connections)),
                              fds > 128 ? fds - 64 : std::size_t{64});
}

Network::~Network() {
  state_->workers.join();  // before the event loop they post to goes
}

Result<int> Network::Bind(const std::string& address, int port) {
  auto& a = state_->acceptor;
  beast::error_code ec;
  tcp::resolver resolver(state_->ioc);
  auto found =
      resolver.resolve(address, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty()) return Error{Errc::kIo, fmt::format("cannot listen on {}: {}", address, ec.message())};
  tcp::endpoint ep = found.begin()->endpoint();
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(kBacklog, ec);
  if (!ec) a.non_blocking(true, ec);
  if (ec) {
    a.close();
    return Error{Errc::kIo, fmt::format("cannot listen on {}:{} (is another server using the port?): {}", address, port,
                                        ec.message())};
  }
  return static_cast<int>(a.local_endpoint().port());
}

void Network::Run() {
  auto& st = *state_;
  if (st.stopping) return;
  net::dispatch(st.accept_strand, [&st] { st.Accept(); });
  std::vector<std::thread> loops;
  for (int i = 1; i < st.cfg.io_threads; ++i) loops.emplace_back([&st] { st.ioc.run(); });
  st.ioc.run();
  for (auto& t : loops) t.join();
}

void Network::Stop() {
  auto& st = *state_;
  if (st.stopping.exchange(true)) return;
  net::post(st.ioc, [&st] { st.CloseAll(); });
}

}  // namespace gpsi::server::detail
