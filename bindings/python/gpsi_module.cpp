// The C++ half of the `gpsi` Python package: the extension `_gpsi`, a thin layer over the engine
// façade (Build, Audit, Uncertainty). It hands tables back as the CSV text the CLI writes (the
// engine's one writer per table), which bindings/python/gpsi/__init__.py reads into pandas
// DataFrames, so Python and the CLI cannot disagree on a number. Engine failures become the Python
// exception gpsi.Error; every engine call runs without the GIL.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core.hpp"
#include "engine.hpp"

namespace py = pybind11;

namespace gpsi {
namespace {

//! The Python type gpsi.Error, created once at import; the module keeps a reference to it.
PyObject* error_type = nullptr;

//! Raises gpsi.Error for `e`: str() is the formatted `file:line:column: error: message`, and the
//! attributes carry the error table's row so callers can branch on `code` rather than on text.
void SetPythonError(const Error& e) {
  const ErrorInfo& info = Info(e.code);
  py::object exc = py::reinterpret_borrow<py::object>(error_type)(e.Format());
  exc.attr("code") = std::string(info.id);
  exc.attr("message") = e.message.empty() ? std::string(info.message) : e.message;
  exc.attr("exit_code") = info.exit_code;
  exc.attr("file") = e.file;
  exc.attr("line") = e.line;
  exc.attr("column") = e.column;
  PyErr_SetObject(error_type, exc.ptr());
}

//! The value of an engine call; a failure is thrown as Failure, which the module's exception
//! translator turns into gpsi.Error once the GIL is held again.
template <class T>
T Unwrap(Result<T>&& r) {
  if (!r) throw Failure(r.error());
  return std::move(r.value());
}

//! The build inputs as the engine wants them: a store and a method file, or COINr tables.
engine::BuildConfig MakeBuildConfig(std::string db_path, std::string method_path, std::string coinr_data,
                                    std::string coinr_meta, std::vector<std::string> sets) {
  engine::BuildConfig cfg;
  cfg.db_path = std::move(db_path);
  cfg.method_path = std::move(method_path);
  cfg.coinr_data = std::move(coinr_data);
  cfg.coinr_meta = std::move(coinr_meta);
  cfg.sets = std::move(sets);
  return cfg;  // out_dir stays empty: Python asks for the tables' text instead of files
}

//! Calls `f` (an engine call writing to no Python object) with the GIL released, so other Python
//! threads run meanwhile; the result is unwrapped after the GIL is taken back.
template <class F>
auto WithoutGil(F&& f) {
  auto r = [&] {
    py::gil_scoped_release release;
    return f();
  }();
  return Unwrap(std::move(r));
}

//! A table's text, written without the GIL (a large panel's scores.csv takes a while).
//! A build table as CSV text (the bytes `gpsi build` writes), made without the GIL.
std::string Text(void (*table)(const engine::BuildResult&, TableSink&), const engine::BuildResult& b) {
  py::gil_scoped_release release;
  return engine::CsvOf(table, b);
}

//! Defines the module's exception, class and functions.
void DefineModule(py::module_& m) {
  m.doc() = "gpsi engine bindings (private): use the `gpsi` package, which returns pandas DataFrames.";

  error_type = PyErr_NewExceptionWithDoc(
      "gpsi.Error",
      "A failed engine call. str() is the formatted message (`file:line:column: error: message`); "
      "attributes: code (the error table's id, e.g. 'bad-method'), message, exit_code (the CLI's), "
      "file, line, column (empty/0 when unknown).",
      PyExc_Exception, nullptr);
  if (!error_type) throw py::error_already_set();
  m.add_object("Error", py::handle(error_type));
  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Failure& f) {
      SetPythonError(f.error());
    }
  });

  m.def(
      "engine_version", [] { return std::string(Version()); }, "The engine's version string.");

  py::class_<engine::BuildResult>(m, "BuildResult", "A finished build, held in C++; tables are written on demand.")
      .def_property_readonly("run_id", [](const engine::BuildResult& b) { return b.run_id; })
      .def_property_readonly("data_hash", [](const engine::BuildResult& b) { return b.data_hash; })
      .def_property_readonly("method_id", [](const engine::BuildResult& b) { return b.method.id; })
      .def_property_readonly("method_version", [](const engine::BuildResult& b) { return b.method.version; })
      .def_property_readonly("method_hash", [](const engine::BuildResult& b) { return b.method.hash; })
      .def_property_readonly("has_years", [](const engine::BuildResult& b) { return b.panel.has_years(); })
      .def_property_readonly("log", [](const engine::BuildResult& b) { return b.log; })
      .def_property_readonly("compute_seconds", [](const engine::BuildResult& b) { return b.compute_seconds; })
      .def(
          "scores_csv", [](const engine::BuildResult& b) { return Text(engine::ScoresTable, b); },
          "scores.csv as `gpsi build` writes it.")
      .def(
          "stages_csv", [](const engine::BuildResult& b) { return Text(engine::StagesTable, b); },
          "stages.csv as `gpsi build` writes it.")
      .def(
          "provenance_csv", [](const engine::BuildResult& b) { return Text(engine::ProvenanceTable, b); },
          "provenance.csv as `gpsi build` writes it.")
      .def(
          "records_csv", [](const engine::BuildResult& b) { return Text(engine::RecordsTable, b); },
          "records.csv as `gpsi build` writes it: every stored record each value was made from.")
      .def(
          "eligibility_csv", [](const engine::BuildResult& b) { return Text(engine::EligibilityTable, b); },
          "eligibility.csv as `gpsi build` writes it.")
      .def(
          "coverage_csv", [](const engine::BuildResult& b) { return Text(engine::CoverageTable, b); },
          "coverage.csv as `gpsi build` writes it.");

  m.def(
      "build",
      [](std::string db_path, std::string method_path, std::string coinr_data, std::string coinr_meta,
         std::vector<std::string> sets, std::string coinr_label) {
        auto cfg = MakeBuildConfig(std::move(db_path), std::move(method_path), std::move(coinr_data),
                                   std::move(coinr_meta), std::move(sets));
        cfg.coinr_label = std::move(coinr_label);
        return WithoutGil([&] { return engine::Build(cfg); });
      },
      py::arg("db_path"), py::arg("method_path"), py::arg("coinr_data"), py::arg("coinr_meta"), py::arg("sets"),
      py::arg("coinr_label") = "",
      "engine::Build without output files; raises gpsi.Error. coinr_label names COINr data in the provenance.");

  m.def(
      "audit",
      [](std::string db_path, std::string method_path, std::string coinr_data, std::string coinr_meta,
         std::vector<std::string> sets, double p_threshold, int year, std::string out_dir) {
        engine::AuditConfig cfg;
        cfg.build = MakeBuildConfig(std::move(db_path), std::move(method_path), std::move(coinr_data),
                                    std::move(coinr_meta), std::move(sets));
        cfg.p_threshold = p_threshold;
        cfg.year = year;
        cfg.out_dir = std::move(out_dir);
        engine::AuditResult a = WithoutGil([&] { return engine::Audit(cfg); });
        py::dict d;
        d["year"] = a.year;
        d["units"] = a.units;
        d["flags"] = a.flags;
        d["files"] = a.files;
        d["summary"] = a.summary;
        return d;
      },
      py::arg("db_path"), py::arg("method_path"), py::arg("coinr_data"), py::arg("coinr_meta"), py::arg("sets"),
      py::arg("p_threshold"), py::arg("year"), py::arg("out_dir"),
      "engine::Audit, writing its tables into out_dir; returns year, units, flags, files, summary.");

  m.def(
      "uncertainty",
      [](std::string db_path, std::string method_path, std::string coinr_data, std::string coinr_meta,
         std::vector<std::string> sets, std::size_t samples, std::uint64_t seed, int threads, std::string out_dir) {
        engine::UncertaintyConfig cfg;
        cfg.build = MakeBuildConfig(std::move(db_path), std::move(method_path), std::move(coinr_data),
                                    std::move(coinr_meta), std::move(sets));
        cfg.samples = samples;
        cfg.seed = seed;
        cfg.threads = threads;
        cfg.out_dir = std::move(out_dir);
        engine::UncertaintySummary s = WithoutGil([&] { return engine::Uncertainty(cfg); });
        py::dict d;
        d["runs"] = s.runs;
        d["failed"] = s.failed;
        d["seconds"] = s.seconds;
        return d;
      },
      py::arg("db_path"), py::arg("method_path"), py::arg("coinr_data"), py::arg("coinr_meta"), py::arg("sets"),
      py::arg("samples"), py::arg("seed"), py::arg("threads"), py::arg("out_dir"),
      "engine::Uncertainty, writing rank_stats.csv, score_stats.csv, design.csv and uncertainty.json into "
      "out_dir; returns runs, failed, seconds.");
}

}  // namespace
}  // namespace gpsi

PYBIND11_MODULE(_gpsi, m) {
  gpsi::DefineModule(m);
}
