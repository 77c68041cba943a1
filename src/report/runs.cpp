// The recorded runs as the HTTP API answers them and the CLI's --json prints them (nlohmann-json).
#include <nlohmann/json.hpp>

#include "report.hpp"

namespace gpsi::report {

std::string RunsJson(const std::vector<RunRecord>& runs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : runs) {
    nlohmann::json row = nlohmann::json::object();
    for (auto& [k, v] : engine::RunFields(r)) row[k] = v;
    rows.push_back(std::move(row));
  }
  return nlohmann::json{{"runs", std::move(rows)}}.dump();
}

Table RunsTable(const std::vector<RunRecord>& runs) {
  Table t;
  std::vector<std::string> header;
  for (const auto& f : engine::RunFields(RunRecord{})) header.push_back(f.first);
  t.Header(std::move(header));
  for (const auto& r : runs) {
    for (auto& [k, v] : engine::RunFields(r)) t.cells.push_back(TableCell::Text(std::move(v)));
  }
  return t;
}

}  // namespace gpsi::report
