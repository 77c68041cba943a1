// gpsi serve: builds the method in memory from the store and serves it over HTTP (docs/api.md)
// until SIGTERM or SIGINT.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "engine.hpp"
#include "server.hpp"

namespace gpsi::cli {

void AddServe(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("serve", "serve the index over HTTP (docs/api.md)");
  auto cfg = std::make_shared<server::ServeConfig>();
  auto method = std::make_shared<std::string>(std::string(GPSI_SOURCE_DIR) + "/methods/gpsi.toml");
  // 1000 runs take about a second on the shared data (2 cores): enough for stable 5–95 % rank
  // intervals, short enough for a quick start (docs/api.md).
  auto intervals = std::make_shared<std::size_t>(1000);
  cfg->port = 8080;
  cmd->add_option("--port", cfg->port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--bind", cfg->bind, "address to listen on")->capture_default_str();
  cmd->add_option("--method", *method, "methodology file (TOML)")->capture_default_str();
  cmd->add_option("--threads", cfg->threads, "threads that run the endpoints (the network has one loop per core)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--max-connections", cfg->max_connections, "open connections at most (more are answered 503)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--max-client-connections", cfg->max_client_connections,
                  "open connections at most from one client address (more are answered 503)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--request-timeout", cfg->request_timeout,
                  "seconds a client has to send a whole request (headers and body); then it is closed")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", cfg->idle_timeout, "seconds an idle keep-alive connection stays open")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--access-log", cfg->access_log, "access log on stderr: text, json (one object per line) or off")
      ->check(CLI::IsMember({"text", "json", "off"}))
      ->capture_default_str();
  cmd->add_flag("--secure-cookies", cfg->secure_cookies,
                "session cookies Secure and __Host- named: set when a TLS proxy serves gpsi over HTTPS");
  cmd->add_option("--login-attempts", cfg->login_attempts, "login attempts one client may make per minute")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--web", cfg->web_dir, "folder of static files served at / (the dashboard, web/dist)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--intervals", *intervals, "Monte Carlo runs for rank intervals at startup (0 = none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  // 1000 draws, as gpsi forecast: the forecasts and warnings take about 3 s (bench/RESULTS.md).
  auto forecast_draws = std::make_shared<std::size_t>(1000);
  cmd->add_option("--forecast-draws", *forecast_draws,
                  "draws of the forecasts and warnings published at startup (0 = none)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  auto validation = std::make_shared<std::string>();
  cmd->add_option("--validation", *validation,
                  "a gpsi validate --out folder: its validation.json is served at /api/v1/validation")
      ->check(CLI::ExistingDirectory);
  auto risk_method = std::make_shared<std::string>();
  cmd->add_option("--risk-method", *risk_method,
                  "a risk methodology file (methods/risk.toml): its country sheets are served at /api/v1/risk")
      ->check(CLI::ExistingFile);
  cmd->callback([&g, cfg, method, intervals, forecast_draws, validation, risk_method] {
    // Block the stop signals in every thread (the build's and the server's inherit the mask); a
    // watcher thread takes them with sigwait, where calling Server::Stop is safe.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    cfg->db_path = g.db;
    engine::PublishConfig pc;
    pc.build.db_path = g.db;
    pc.build.method_path = *method;
    pc.intervals = *intervals;
    pc.forecast_draws = *forecast_draws;
    pc.validation = *validation;
    pc.risk_method = *risk_method;
    auto published = engine::Publish(pc);
    if (!published) return Report(g, published.error());
    if (!g.quiet) {
      fmt::print(stderr, "built in {:.2f} s; {} rank intervals ({} runs) in {:.2f} s\n", published->build_seconds,
                 published->intervals.size(), published->interval_samples, published->interval_seconds);
      if (published->forecast) {
        fmt::print(stderr, "forecasts ({} draws) and {} warnings in {:.2f} s\n", published->forecast_draws,
                   published->warnings ? published->warnings->warnings.size() : 0, published->forecast_seconds);
      }
      if (!published->forecast_note.empty()) fmt::print(stderr, "no forecasts: {}\n", published->forecast_note);
      if (!published->warnings_note.empty()) fmt::print(stderr, "no warnings: {}\n", published->warnings_note);
      if (published->risk) {
        fmt::print(stderr, "{} country risk sheets of {} in {:.2f} s\n", published->risk->countries.size(),
                   published->risk->year, published->risk->seconds);
      } else if (!risk_method->empty()) {
        fmt::print(stderr, "no risk sheets: {}\n", published->risk_note);
      }
    }

    server::Server srv(*cfg, std::move(*published));
    auto port = srv.Bind();
    if (!port) return Report(g, port.error());
    fmt::print("serving http://{}:{}\n", cfg->bind, *port);
    std::fflush(stdout);

    std::thread watcher([&srv, &stop_signals] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      srv.Stop();
    });
    srv.Listen();
    // Listen returns only through Stop, i.e. after the watcher has taken a signal.
    watcher.join();
    if (!g.quiet) fmt::print(stderr, "stopped\n");
  });
}

}  // namespace gpsi::cli
