// gpsi catalogue: every published source release as a DCAT catalogue (JSON-LD) on stdout, for
// data portals and harvesters (CKAN's DCAT harvester, data.europa.eu): what the index reads, from
// whom, under which licence, in which files with which SHA-256.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine.hpp"

namespace gpsi::cli {
namespace {

//! A DCAT distribution: one file's name, size and checksum.
nlohmann::ordered_json Distribution(const engine::CatalogueFile& f) {
  return {{"@type", "dcat:Distribution"},
          {"dct:title", f.name},
          {"dcat:byteSize", f.bytes},
          {"dct:issued", f.ingested_at},
          {"spdx:checksum",
           {{"@type", "spdx:Checksum"},
            {"spdx:algorithm", "spdx:checksumAlgorithm_sha256"},
            {"spdx:checksumValue", f.sha256}}}};
}

//! A DCAT dataset: one source release, its publisher, tier and files.
nlohmann::ordered_json Dataset(const engine::CatalogueEntry& e) {
  const Source& s = e.source.source;
  const std::string id = s.key + "@" + s.release;
  nlohmann::ordered_json d{{"@id", "urn:gpsi:source:" + id},
                           {"@type", "dcat:Dataset"},
                           {"dct:identifier", id},
                           {"dct:title", s.publisher + " (" + s.key + ")"},
                           {"dct:publisher", {{"@type", "foaf:Agent"}, {"foaf:name", s.publisher}}},
                           {"dct:issued", s.release},
                           {"gpsi:retrieved", s.retrieved},
                           {"gpsi:tier", s.tier},
                           {"gpsi:observations", e.source.observations}};
  if (!s.licence.empty()) d["dct:license"] = s.licence;
  if (!s.url.empty()) d["dcat:landingPage"] = s.url;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : e.files) files.push_back(Distribution(f));
  d["dcat:distribution"] = std::move(files);
  return d;
}

}  // namespace

void AddCatalogue(CLI::App& app, Globals& g) {
  app.add_subcommand("catalogue", "every published source release as a DCAT catalogue (JSON-LD) on stdout")
      ->callback([&g] {
        auto entries = engine::Catalogue(g.db);
        if (!entries) return Report(g, entries.error());
        nlohmann::ordered_json datasets = nlohmann::ordered_json::array();
        for (const auto& e : *entries) datasets.push_back(Dataset(e));
        const nlohmann::ordered_json catalogue{
            {"@context",
             {{"dcat", "http://www.w3.org/ns/dcat#"},
              {"dct", "http://purl.org/dc/terms/"},
              {"foaf", "http://xmlns.com/foaf/0.1/"},
              {"spdx", "http://spdx.org/rdf/terms#"},
              {"gpsi", "urn:gpsi:vocab#"}}},
            {"@type", "dcat:Catalog"},
            {"dct:title",
             {{{"@language", "en"}, {"@value", "Global Public Security Index: sources and releases"}},
              {{"@language", "zh"}, {"@value", "全球公共安全指数：数据来源与版本"}}}},
            {"dct:modified", NowUtc()},
            {"dcat:dataset", std::move(datasets)}};
        fmt::print("{}\n", catalogue.dump(2));
      });
}

}  // namespace gpsi::cli
