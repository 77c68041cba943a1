// The schema's tables as a whole-store copy sees them (gpsi migrate --to), their checksums and
// the copy itself: one backend-neutral procedure over Store::ReadRows and Store::AppendRows.
#include <fmt/format.h>

#include "store.hpp"

namespace gpsi {

const std::vector<TableShape>& StoreTables() {
  // Parents before children (sources refer to orgs since migration 5). "user" and "column" are
  // quoted: reserved words in PostgreSQL, and SQLite reads a quoted name as a name too.
  static const std::vector<TableShape> kTables{
      {"units",
       "code,kind,name_en,name_zh,official_name_en,iso2,iso3,m49,region_code,region_name,subregion_code,"
       "subregion_name,intermediate_code,intermediate_name,parent",
       "code"},
      {"unit_names", "name_key,unit,origin", "name_key,unit"},
      {"aggregate_names", "name_key,label,origin", "name_key"},
      {"orgs", "id,key,name_en,name_zh,kind,tier,created,disabled", "id"},
      {"org_countries", "org,unit", "org,unit"},
      {"agreements", "org,dataset,indicators", "org,dataset"},
      {"users", "id,login,name,org,role,password,created,disabled,failed_logins,locked_until", "id"},
      {"tokens", "id,\"user\",sha256,suffix,scopes,label,created,expires,revoked", "id"},
      {"sessions", "id,\"user\",sha256,created,expires,revoked", "id"},
      {"sources", "id,key,publisher,tier,licence,url,release,retrieved,preference,visible_from,org", "id"},
      {"files",
       "id,path,sha256,bytes,source,descriptor,ingested_at,rows_read,rows_accepted,rows_quarantined,rows_skipped",
       "id"},
      {"unit_groups", "unit,grouping,value,file", "unit,grouping"},
      {"indicators", "code,name_en,name_zh,unit_of_measure,dimension,direction,description", "code"},
      {"observations", "unit,indicator,year,file,value,source,line,flags", "unit,indicator,year,file"},
      {"quarantine", "id,file,line,\"column\",raw,reason,detail", "id"},
      {"event_points",
       "source,event_id,day,lat,lon,adm1,country_fips,unit,root_code,quad_class,goldstein,mentions,file_sha256,line",
       "source,event_id"},
      {"runs", "seq,id,created,method_id,method_hash,data_hash,engine_version,out_dir,scores_sha256", "seq"},
      {"fetch_state", "url,etag,last_modified,sha256,fetched_at", "url"},
      {"submissions",
       "id,org,dataset,state,source,file,note,submitter,approver,reviewer,embargo,reason,created,updated", "id"},
      {"submission_flags",
       "id,submission,unit,indicator,year,kind,value,reference,score,comment,commented_by,commented_at", "id"},
      {"campaigns", "id,key,state,rules,rules_sha256,created,opened,closed,published,results", "id"},
      {"campaign_applications", "campaign,code,org,country,project,documents", "campaign,code"},
      {"campaign_judges", "campaign,login,org,country,declared", "campaign,login"},
      {"campaign_assignments", "campaign,application,judge", "campaign,application,judge"},
      {"campaign_sheets", "id,campaign,application,judge,revision,scores,comment,reason,sealed_at,sha256", "id"},
      {"risk_projects", "id,org,project,revision,country,sheet,sha256,created,created_by", "id"},
      {"audit_log", "seq,at,actor,org,origin,action,target,before,after,prev_hash,hash", "seq"},
  };
  return kTables;
}

namespace {

//! One value in the checksum's canonical text: a type letter, then the value; text is
//! length-prefixed, so no content can imitate a boundary.
void Canonical(std::string& out, const StoredValue& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    out += "N;";
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    fmt::format_to(std::back_inserter(out), "I{};", *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    fmt::format_to(std::back_inserter(out), "R{};", *d);  // fmt's {}: the shortest exact form
  } else {
    const auto& t = std::get<std::string>(v);
    fmt::format_to(std::back_inserter(out), "T{}:{};", t.size(), t);
  }
}

//! The rows of one table read in chunks, so a table of millions of rows is never held whole.
constexpr std::size_t kChunkRows = 20000;

void CopyTable(Store& from, Store& to, const TableShape& table) {
  std::vector<StoredRow> chunk;
  chunk.reserve(kChunkRows);
  from.ReadRows(table, [&](const StoredRow& row) {
    chunk.push_back(row);
    if (chunk.size() == kChunkRows) {
      to.AppendRows(table, chunk);
      chunk.clear();
    }
  });
  if (!chunk.empty()) to.AppendRows(table, chunk);
}

}  // namespace

std::string TableChecksum(Store& store, const TableShape& table, std::int64_t* rows) {
  Sha256 hash;
  std::int64_t n = 0;
  std::string line;
  store.ReadRows(table, [&](const StoredRow& row) {
    line.clear();
    for (const auto& v : row) Canonical(line, v);
    line += '\n';
    hash.Update(line);
    ++n;
  });
  if (rows) *rows = n;
  return hash.HexDigest();
}

Result<std::vector<TableCopy>> CopyStore(Store& from, Store& to) {
  for (const auto& t : StoreTables()) {
    std::int64_t n = 0;
    TableChecksum(to, t, &n);
    if (n > 0) {
      return Error{
          Errc::kUsage,
          fmt::format("the target store is not empty ({} holds {} rows): copy into a new, empty one", t.name, n)};
    }
  }
  std::vector<TableCopy> out;
  Transaction tx(to);
  for (const auto& t : StoreTables()) {
    CopyTable(from, to, t);
    TableCopy c{std::string(t.name)};
    c.sha256 = TableChecksum(from, t, &c.rows);
    std::int64_t copied = 0;
    const std::string sum = TableChecksum(to, t, &copied);
    if (copied != c.rows || sum != c.sha256) {
      return Error{Errc::kInternal,
                   fmt::format("the copy of {} differs from the original ({} rows, sha256 {}; copied {} rows, sha256 "
                               "{}): nothing was copied",
                               t.name, c.rows, c.sha256.substr(0, 12), copied, sum.substr(0, 12))};
    }
    out.push_back(std::move(c));
  }
  tx.Commit();
  return out;
}

}  // namespace gpsi
