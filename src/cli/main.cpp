// gpsi command line: global options, then one subcommand (see commands.hpp).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"

namespace gpsi::cli {
void Report(Globals& g, const Error& e) {
  fmt::print(stderr, "{}\n", e.Format());
  if (g.exit_code == 0 || e.ExitCode() > g.exit_code) g.exit_code = e.ExitCode();
}

CLI::Validator AtLeastOne() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || v < 1) return "must be a whole number ≥ 1, not " + s;
        return {};
      },
      "≥ 1");
}

CLI::Validator AboveZero() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        double v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || !(v > 0) || !std::isfinite(v)) {
          return "must be a number > 0, not " + s;
        }
        return {};
      },
      "> 0");
}

Result<std::string> ApiToken(const std::string& file) {
  std::string token;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in || !std::getline(in, token)) return Error{Errc::kIo, "cannot read the token file", file};
  } else if (const char* env = std::getenv("GPSI_TOKEN")) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Error{Errc::kUnauthorized, "no API token: set GPSI_TOKEN or give --token-file"};
  return token;
}

Status WriteWhole(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path part = path.string() + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Error{Errc::kIo, "cannot write " + part.string()};
  }
  std::filesystem::rename(part, path, ec);
  if (ec) return Error{Errc::kIo, fmt::format("cannot write {}: {}", path.string(), ec.message())};
  return Ok();
}

CLI::Validator IsoDate() {
  return CLI::Validator(
      [](std::string& d) -> std::string {
        std::tm tm{};
        return d.size() == 10 && strptime(d.c_str(), "%Y-%m-%d", &tm) ? std::string() : "not a date YYYY-MM-DD: " + d;
      },
      "YYYY-MM-DD");
}

Result<std::pair<int, int>> YearRange(std::string_view option, const std::string& text) {
  int a = 0, b = 0;
  char colon = 0, rest = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &a, &colon, &b, &rest) != 3 || colon != ':' || a > b) {
    return Error{Errc::kUsage, fmt::format("{}: expected A:B with A <= B, got '{}'", option, text)};
  }
  return std::pair{a, b};
}
}  // namespace gpsi::cli

int main(int argc, char** argv) {
  using namespace gpsi;
  CLI::App app{"gpsi — Global Public Security Index engine (全球公共安全指数)"};
  app.set_version_flag("--version", std::string(Version()));
  app.require_subcommand(1);
  cli::Globals g;
  const char* env_db = std::getenv("GPSI_DB");
  g.db = env_db && *env_db ? env_db : "gpsi.db";
  app.add_option("--db", g.db, "store path (default $GPSI_DB, else ./gpsi.db)");
  app.add_flag("--json", g.json, "machine-readable output");
  app.add_flag("-q,--quiet", g.quiet, "less chatter on stderr");
  cli::AddInit(app, g);
  cli::AddIngest(app, g);
  cli::AddExport(app, g);
  cli::AddShow(app, g);
  cli::AddLists(app, g);
  cli::AddResolve(app, g);
  cli::AddBuild(app, g);
  cli::AddAudit(app, g);
  cli::AddValidate(app, g);
  cli::AddReport(app, g);
  cli::AddUncertainty(app, g);
  cli::AddSensitivity(app, g);
  cli::AddForecast(app, g);
  cli::AddWarn(app, g);
  cli::AddRisk(app, g);
  cli::AddEvents(app, g);
  cli::AddUpdate(app, g);
  cli::AddServe(app, g);
  cli::AddOrg(app, g);
  cli::AddUser(app, g);
  cli::AddToken(app, g);
  cli::AddAuditLog(app, g);
  cli::AddSubmission(app, g);
  cli::AddEvaluation(app, g);
  cli::AddCatalogue(app, g);
  cli::AddMigrate(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const Failure& f) {
    cli::Report(g, f.error());
  } catch (const std::exception& e) {
    cli::Report(g, Error{Errc::kInternal, fmt::format("internal error: {}", e.what())});
  }
  return g.exit_code;
}
