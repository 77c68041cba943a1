// What the two backends of the Store share: the source-priority and visibility rules, the waiting
// rule for writers, the words for a store this process may not write, and the one-column lists.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "../store.hpp"
#include "core.hpp"

namespace gpsi::detail {

//! The source-priority rule, in one place: for each unit-year-indicator the value of the lowest
//! tier wins (1 UN agencies, 2 governments, 3 think tanks, 4 event data), then the newest
//! release, then the declared preference; among files of one release the newest file wins (each
//! query adds `file DESC`). An ORDER BY over the `sources` columns, prefixed with `alias`.
inline std::string SourcePriority(std::string_view alias) {
  return fmt::format("{0}tier ASC,{0}release DESC,{0}preference DESC", alias);
}

//! The visibility rule, in one place: a read of the index sees a source release once its
//! visible_from has passed ('' for public sources, which is always). A condition on `sources`
//! columns prefixed with `alias`. "Now" is this host's clock when the statement is made, the
//! clock NowUtc() read when it wrote visible_from (not a database server's clock, nor
//! PostgreSQL's now(), the time its transaction began).
inline std::string Visible(std::string_view alias) {
  return fmt::format("{}visible_from <= '{}'", alias, NowUtc());
}

//! How long a writer waits for another to finish before giving up (SQLite's busy timeout, the
//! PostgreSQL store's lock_timeout on its write lock).
inline constexpr int kBusyTimeoutMs = 30000;

//! What to do about a command that writes to a store it may not write.
inline constexpr std::string_view kWritesHint =
    "this command writes to the store: run it as a user who may write the store and its folder, or on a "
    "writable copy (the commands that only read it, such as units, show, export, runs and serve, need no write "
    "access)";

//! Refuses a name that is not a table of the schema (StoreTables), before it reaches SQL text.
inline void CheckKnownTable(const std::string& table) {
  const auto& tables = StoreTables();
  if (std::none_of(tables.begin(), tables.end(), [&](const TableShape& t) { return t.name == table; })) {
    throw Failure(Error{Errc::kInternal, "unknown table " + table});
  }
}

//! Lists kept in one column (agreement indicators, token scopes): comma-separated, as their items
//! (codes, permission names) never hold a comma.
inline std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}
inline std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t comma = std::min(text.find(',', at), text.size());
    out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

//! Lists of free text kept in one column (an application's document names): one item per line,
//! as the platform refuses line breaks in them.
inline std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "\n") + i;
  return out;
}
inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

//! A sheet's scores in one column: comma-separated, each in fmt's shortest form that reads back
//! exactly, so both backends keep the same text.
inline std::string JoinNumbers(const std::vector<double>& v) {
  return fmt::format("{}", fmt::join(v, ","));
}
inline std::vector<double> SplitNumbers(const std::string& text) {
  std::vector<double> out;
  for (const auto& item : SplitList(text)) out.push_back(std::strtod(item.c_str(), nullptr));
  return out;
}

//! The columns of event_points in EventPoint's order, as both backends read and write them.
inline constexpr std::string_view kEventPointColumns =
    "source,event_id,day,lat,lon,adm1,country_fips,unit,root_code,quad_class,goldstein,mentions,file_sha256,line";

//! The condition of an EventPointFilter, in one place: its parameters are numbered from 1, written
//! `mark` followed by the number ("?" for SQLite, "$" for PostgreSQL), in the order EventPointArgs
//! gives them. A box with west > east crosses the antimeridian.
inline std::string EventPointWhere(const EventPointFilter& f, std::string_view mark) {
  int n = 0;
  // One parameter at a time: the order in which a call's arguments are evaluated is unspecified.
  auto next = [&] { return fmt::format("{}{}", mark, ++n); };
  std::string where = "day BETWEEN " + next();
  where += " AND " + next();
  if (f.unit) where += " AND unit=" + next();
  if (f.box) {
    where += " AND lat BETWEEN " + next();
    where += " AND " + next();
    const std::string west = next();
    const std::string east = next();
    where += f.box->west <= f.box->east ? fmt::format(" AND lon BETWEEN {} AND {}", west, east)
                                        : fmt::format(" AND (lon >= {} OR lon <= {})", west, east);
  }
  return where;
}

//! The parameters of EventPointWhere, in order: each as `bind_int(i, v)`, `bind_text(i, s)` or
//! `bind_real(i, v)` with i from 1.
template <class Int, class Text, class Real>
void EventPointArgs(const EventPointFilter& f, Int&& bind_int, Text&& bind_text, Real&& bind_real) {
  int i = 0;
  bind_int(++i, static_cast<std::int64_t>(f.day_from));
  bind_int(++i, static_cast<std::int64_t>(f.day_to));
  if (f.unit) bind_text(++i, *f.unit);
  if (f.box) {
    for (double v : {f.box->south, f.box->north, f.box->west, f.box->east}) bind_real(++i, v);
  }
}

//! Event points ordered as Store::EventPoints promises.
inline constexpr std::string_view kEventPointOrder = "day,event_id,source";

}  // namespace gpsi::detail
