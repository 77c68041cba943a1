// The golden cases' folders read into structs (tests/golden/<case>/case.toml; the keys of each kind
// are listed in golden_test.cpp's top comment).
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace gpsi::golden {

//! A case of kind "build" or "uncertainty": COINr tables, a --set pipeline and the oracle folder
//! with COINr's own results.
struct OracleCase {
  std::string name, dir, kind;
  std::string design, weight_sets;
  std::string coinr_data, coinr_meta, oracle;
  std::vector<std::string> sets;
  double tol = 1e-9;
  std::vector<std::pair<std::string, std::string>> datasets;
  std::map<std::string, std::string> checks;
};

//! A case of kind "store", "coinr" or "whatif": inputs, a method and settings, and the expected
//! output files or the expected error.
struct DataCase {
  std::string name, dir, kind;
  std::string problem;                    //!< what is wrong with case.toml ("" = nothing)
  std::string data, method;               //!< store, whatif: canonical data CSV and method file
  std::string coinr_data, coinr_meta;     //!< coinr: the COINr tables
  std::vector<std::string> sets;          //!< --set overrides
  std::map<std::string, double> weights;  //!< whatif: node code → weight
  std::optional<int> year;                //!< whatif: the one year to compute
  std::vector<std::string> expect;        //!< files under expected/ the output must match
  std::vector<std::string> log;           //!< texts build.log must hold
  int exit = 0;                           //!< the expected exit code (whatif: of the error)
  std::string error_id;                   //!< whatif: the error's id in the error table ("usage")
  std::vector<std::string> error;         //!< texts the error (stderr, or the message) must hold
  bool Fails() const { return exit != 0 || !error_id.empty(); }
};

//! The cases of one kind, by folder name. An unreadable case.toml is a case with a `problem`.
std::vector<OracleCase> LoadOracleCases(const std::string& kind);
std::vector<DataCase> LoadDataCases(const std::string& kind);

//! Every case folder no suite would run as written: an unreadable case.toml, an unknown kind (a
//! misspelt kind would silently run nothing) or an unknown key (a misspelt key, silently ignored).
std::vector<std::string> BadFolders();

//! A case's name as a gtest parameter name (letters, digits and _).
std::string ParamName(std::string name);

//! The shared data and oracle folders.
std::string DataRoot();
std::string OracleRoot();

inline void PrintTo(const OracleCase& c, std::ostream* os) {
  *os << c.name;
}
inline void PrintTo(const DataCase& c, std::ostream* os) {
  *os << c.name;
}

}  // namespace gpsi::golden
