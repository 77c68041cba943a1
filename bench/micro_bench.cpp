// Micro-benchmarks of the ingest hot spots that are not SQLite: the CSV reader (plain long rows,
// World Bank style quoted wide rows, and the slow path with "" escapes and quoted line breaks) and
// NameKey (the unit-name matching key, ICU NFKD). The input is built in memory and read through
// fmemopen, so no disk I/O is timed.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core.hpp"
#include "detail/csv_reader.hpp"

namespace {

using gpsi::detail::CsvReader;
using gpsi::detail::CsvRecord;

// Appends pieces one at a time (GCC 12 warns falsely, -Wrestrict, on chains of string + string).
template <class... T>
void Append(std::string& s, const T&... pieces) {
  (s.append(pieces), ...);
}

std::string LongCsv(int rows) {
  static const char* const kUnits[] = {"ABW", "AFG", "AGO", "ALB", "AND", "ARE", "ARG", "ARM"};
  std::string s = "unit,year,indicator,value\n";
  for (int i = 0; i < rows; ++i) {
    Append(s, kUnits[i % 8], ",", std::to_string(1960 + i % 65), ",BENCH.L", std::to_string(1000 + i / 520), ",",
           std::to_string((i * 2654435761U) % 1000000 / 100.0), "\n");
  }
  return s;
}

std::string WideCsv(int rows) {
  std::string s = "\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",";
  for (int y = 1960; y <= 2024; ++y) Append(s, "\"", std::to_string(y), "\",");
  s += "\n";
  for (int i = 0; i < rows; ++i) {
    Append(s, "\"C\xC3\xB4te d'Ivoire\",\"CIV\",\"Synthetic indicator\",\"BX.SYN.", std::to_string(i % 4000), "\",");
    for (int y = 1960; y <= 2024; ++y) {
      if (y < 1960 + i % 40) {
        s += "\"\",";
      } else {
        Append(s, "\"", std::to_string(i * 7 + y), ".25\",");
      }
    }
    s += "\n";
  }
  return s;
}

std::string EscapedCsv(int rows) {
  std::string s = "id,text,note\n";
  for (int i = 0; i < rows; ++i) {
    Append(s, std::to_string(i), ",\"said \"\"hello\"\", then left\",\"two\nlines, quoted\"\n");
  }
  return s;
}

// Reads every record of `text` per iteration; counts bytes and records.
void ReadAll(benchmark::State& state, const std::string& text) {
  std::int64_t records = 0;
  for (auto _ : state) {
    std::FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "rb");
    CsvReader reader(f, ',', "bench.csv");
    CsvRecord rec;
    while (reader.Next(rec)) {
      benchmark::DoNotOptimize(rec.fields.data());
      ++records;
    }
    std::fclose(f);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.SetItemsProcessed(records);
}

void BM_CsvReaderLong(benchmark::State& state) {
  ReadAll(state, LongCsv(200000));
}
void BM_CsvReaderWideQuoted(benchmark::State& state) {
  ReadAll(state, WideCsv(5000));
}
void BM_CsvReaderEscaped(benchmark::State& state) {
  ReadAll(state, EscapedCsv(100000));
}

// NameKey over a mix of names as publishers write them: plain ASCII, accented Latin, punctuation
// and apostrophes, and CJK.
void BM_NameKey(benchmark::State& state) {
  const std::vector<std::string> names = {"United States of America",
                                          "C\xC3\xB4te d\xE2\x80\x99Ivoire",
                                          "S\xC3\xA3o Tom\xC3\xA9 and Pr\xC3\xADncipe",
                                          "Korea, Dem. People's Rep.",
                                          "Bolivia (Plurinational State of)",
                                          "\xE4\xB8\xAD\xE5\x9B\xBD",
                                          "Cura\xC3\xA7"
                                          "ao",
                                          "T\xC3\xBCrkiye"};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gpsi::NameKey(names[i++ % names.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NameKeyAscii(benchmark::State& state) {
  const std::string name = "United States of America";
  for (auto _ : state) benchmark::DoNotOptimize(gpsi::NameKey(name));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_CsvReaderLong)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvReaderWideQuoted)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvReaderEscaped)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NameKey);
BENCHMARK(BM_NameKeyAscii);

}  // namespace

BENCHMARK_MAIN();
