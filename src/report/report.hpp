// gpsi report: the published files beyond the CSV every layer writes (model's Csv): XLSX
// workbooks of the same tables for the API's downloads, and the JSON answers the API and the
// CLI's --json share.
#pragma once

#include <string>
#include <vector>

#include "core.hpp"
#include "engine.hpp"

namespace gpsi::report {

//! The table as an XLSX workbook of one sheet named `sheet`: the header row bold, numbers as
//! numbers, empty cells left blank; the same table gives the same bytes (a fixed creation time).
Result<std::string> Xlsx(const Table& t, const std::string& sheet);

//! The recorded builds as /api/v1/runs answers and `gpsi runs --json` prints them:
//! `{"runs": [{run_id, created, method, method_hash, data_hash, engine_version, out, scores_sha256}]}`
//! (engine::RunFields), one line.
std::string RunsJson(const std::vector<RunRecord>& runs);
//! The same runs as a table (/api/v1/runs?format=csv): a column per field.
Table RunsTable(const std::vector<RunRecord>& runs);

}  // namespace gpsi::report
