// Subcommands of the gpsi CLI, one file each; main.cpp wires them to CLI11.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core.hpp"

namespace gpsi::cli {

//! Options shared by every subcommand.
struct Globals {
  std::string db;
  bool json = false;
  bool quiet = false;
  int exit_code = 0;
};

//! Prints an error as `file:line:column: error: message` and records its exit code.
void Report(Globals& g, const Error& e);
//! The API token a member or judge acts with: the first line of `file` when given, else $GPSI_TOKEN
//! (never an argument, which `ps` would show); kUnauthorized when there is none.
Result<std::string> ApiToken(const std::string& file);
//! Writes `text` to `path` whole or not at all (a temporary file beside it, then a rename), making
//! its folder; kIo when it cannot.
Status WriteWhole(const std::filesystem::path& path, const std::string& text);
//! A date YYYY-MM-DD (--date: an edition's date, the PDFs' pinned creation date).
CLI::Validator IsoDate();
//! A year range given as "A:B" with A ≤ B (--years, --origins); a usage error naming `option`.
Result<std::pair<int, int>> YearRange(std::string_view option, const std::string& text);
//! A whole number ≥ 1 for counts such as --samples (CLI11's PositiveNumber names its range as "0
//! to" a 309-digit number); the engine sets the upper bounds (engine/detail/limits.hpp).
CLI::Validator AtLeastOne();
//! A finite number > 0 (CLI11's PositiveNumber, likewise, names a 309-digit range).
CLI::Validator AboveZero();
//! Base URLs of update adapter groups: $GPSI_UPDATE_BASE_URL (`GROUP=URL;…`, a bare URL for every
//! group), then the --base-url options, which win.
std::map<std::string, std::string> UpdateBaseUrls(const std::vector<std::string>& options);

void AddInit(CLI::App& app, Globals& g);
void AddIngest(CLI::App& app, Globals& g);
void AddExport(CLI::App& app, Globals& g);
void AddShow(CLI::App& app, Globals& g);
void AddLists(CLI::App& app, Globals& g);
void AddResolve(CLI::App& app, Globals& g);
void AddBuild(CLI::App& app, Globals& g);
void AddAudit(CLI::App& app, Globals& g);
void AddUncertainty(CLI::App& app, Globals& g);
void AddSensitivity(CLI::App& app, Globals& g);
void AddEvents(CLI::App& app, Globals& g);
void AddUpdate(CLI::App& app, Globals& g);
void AddServe(CLI::App& app, Globals& g);
void AddValidate(CLI::App& app, Globals& g);
void AddReport(CLI::App& app, Globals& g);
void AddForecast(CLI::App& app, Globals& g);
void AddWarn(CLI::App& app, Globals& g);
void AddRisk(CLI::App& app, Globals& g);
void AddOrg(CLI::App& app, Globals& g);
void AddUser(CLI::App& app, Globals& g);
void AddToken(CLI::App& app, Globals& g);
void AddAuditLog(CLI::App& app, Globals& g);
void AddSubmission(CLI::App& app, Globals& g);
void AddEvaluation(CLI::App& app, Globals& g);
void AddCatalogue(CLI::App& app, Globals& g);
void AddMigrate(CLI::App& app, Globals& g);

}  // namespace gpsi::cli
