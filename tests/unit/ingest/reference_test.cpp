// Unit tests of the country reference (LoadReference over Debian iso-codes, the shared data
// folder's UNSD M49 and country-codes files, and data/reference) and of detail::UnitResolver.
// Expected codes, names and regions come from ISO 3166-1, UNSD M49 and data/reference/*.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "detail/unit_resolver.hpp"
#include "init_store.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi {
namespace {

using detail::UnitMatch;
using detail::UnitResolver;
using test::TempDir;
using Kind = UnitMatch::Kind;

//! A store initialised with the full reference, shared by the read-only tests of this file.
class ReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = *dir_ / "ref.db";
    auto r = test::InitStore(db_);
    ASSERT_TRUE(r.ok()) << r.error().Format();
    report_ = *r;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    auto s = OpenSqliteStore(db_);
    ASSERT_TRUE(s.ok()) << s.error().Format();
    store_ = std::move(*s);
    resolver_ = std::make_unique<UnitResolver>(*store_);
  }

  //! Resolves and expects a unit; returns its code ("" otherwise).
  std::string Code(std::string_view text, std::string_view by = "name") {
    UnitMatch m = resolver_->Resolve(text, by);
    EXPECT_EQ(m.kind, Kind::kUnit) << "'" << text << "' by " << by;
    return m.code;
  }
  Kind KindOf(std::string_view text, std::string_view by = "name") { return resolver_->Resolve(text, by).kind; }

  static TempDir* dir_;
  static std::string db_;
  static ReferenceReport report_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<UnitResolver> resolver_;
};

TempDir* ReferenceTest::dir_ = nullptr;
std::string ReferenceTest::db_;
ReferenceReport ReferenceTest::report_;

TEST_F(ReferenceTest, ReportCountsWhatWasLoaded) {
  EXPECT_TRUE(report_.m49_loaded);
  // ISO 3166-1 has 249 entries; plus former states and Kosovo.
  EXPECT_GE(report_.units, 250);
  EXPECT_GE(static_cast<std::int64_t>(store_->Units().size()), 250);
  EXPECT_GE(report_.with_zh, 249);
  EXPECT_GE(report_.with_region, 240);
  EXPECT_GT(report_.aggregates, 0);
  EXPECT_EQ(store_->SchemaVersion(), kSchemaVersion);
}

TEST_F(ReferenceTest, CoteDIvoire) {
  EXPECT_EQ(Code("Côte d'Ivoire"), "CIV");
  EXPECT_EQ(Code("Côte d’Ivoire"), "CIV");
  EXPECT_EQ(Code("Cote d'Ivoire"), "CIV");
  EXPECT_EQ(Code("Ivory Coast"), "CIV");
  EXPECT_EQ(Code("COTE D'IVOIRE"), "CIV");
}

TEST_F(ReferenceTest, Turkiye) {
  EXPECT_EQ(Code("Türkiye"), "TUR");
  EXPECT_EQ(Code("Turkiye"), "TUR");
  EXPECT_EQ(Code("Turkey"), "TUR");
}

TEST_F(ReferenceTest, Korea) {
  EXPECT_EQ(Code("Korea, Rep."), "KOR");
  EXPECT_EQ(Code("Republic of Korea"), "KOR");
  EXPECT_EQ(Code("South Korea"), "KOR");
  EXPECT_EQ(Code("Korea, Dem. People's Rep."), "PRK");
  EXPECT_EQ(Code("North Korea"), "PRK");
}

TEST_F(ReferenceTest, OtherPublisherSpellings) {
  EXPECT_EQ(Code("Viet Nam"), "VNM");
  EXPECT_EQ(Code("Vietnam"), "VNM");
  EXPECT_EQ(Code("Congo, Dem. Rep."), "COD");
  EXPECT_EQ(Code("Democratic Republic of the Congo"), "COD");
  EXPECT_EQ(Code("Congo, Rep."), "COG");
  EXPECT_EQ(Code("United States of America"), "USA");
  EXPECT_EQ(Code("United Kingdom of Great Britain and Northern Ireland"), "GBR");
  EXPECT_EQ(Code("Iran, Islamic Rep."), "IRN");
  EXPECT_EQ(Code("Egypt, Arab Rep."), "EGY");
}

TEST_F(ReferenceTest, ChineseNames) {
  auto chn = store_->FindUnit("CHN");
  ASSERT_TRUE(chn.has_value());
  EXPECT_EQ(chn->name_zh, "中国");
  auto fra = store_->FindUnit("FRA");
  ASSERT_TRUE(fra.has_value());
  EXPECT_EQ(fra->name_zh, "法国");
  EXPECT_EQ(Code("中国"), "CHN");
  EXPECT_EQ(Code("法国"), "FRA");
  auto xkx = store_->FindUnit("XKX");
  ASSERT_TRUE(xkx.has_value());
  EXPECT_EQ(xkx->name_zh, "科索沃");
}

TEST_F(ReferenceTest, FranceHasM49RegionsAndCodes) {
  auto fra = store_->FindUnit("FRA");
  ASSERT_TRUE(fra.has_value());
  EXPECT_EQ(fra->kind, UnitKind::kCountry);
  EXPECT_EQ(fra->iso2, "FR");
  EXPECT_EQ(fra->iso3, "FRA");
  EXPECT_EQ(fra->m49, "250");
  EXPECT_EQ(fra->region_code, "150");
  EXPECT_EQ(fra->region_name, "Europe");
  EXPECT_EQ(fra->subregion_code, "155");
  EXPECT_EQ(fra->subregion_name, "Western Europe");
  EXPECT_TRUE(fra->parent.empty());
}

TEST_F(ReferenceTest, M49CodesArePaddedToThreeDigits) {
  auto afg = store_->FindUnit("AFG");
  ASSERT_TRUE(afg.has_value());
  EXPECT_EQ(afg->m49, "004");
  EXPECT_EQ(afg->region_code, "142");  // Asia
  EXPECT_EQ(Code("004", "m49"), "AFG");
  EXPECT_EQ(Code("4", "m49"), "AFG");
  EXPECT_EQ(Code("250", "m49"), "FRA");
  EXPECT_EQ(KindOf("001", "m49"), Kind::kAggregate);  // World
  EXPECT_EQ(KindOf("150", "m49"), Kind::kAggregate);  // Europe
}

TEST_F(ReferenceTest, SmallIslandAndLandlockedGroups) {
  std::map<std::pair<std::string, std::string>, std::string> groups;
  for (const auto& [unit, grouping, value] : store_->UnitGroups()) groups[{unit, grouping}] = value;
  // UNSD M49: Burundi is LDC and LLDC, Comoros LDC and SIDS, France none of them.
  EXPECT_EQ((groups[{"BDI", "ldc"}]), "yes");
  EXPECT_EQ((groups[{"BDI", "lldc"}]), "yes");
  EXPECT_EQ((groups[{"BDI", "sids"}]), "no");
  EXPECT_EQ((groups[{"COM", "sids"}]), "yes");
  EXPECT_EQ((groups[{"FRA", "ldc"}]), "no");
}

TEST_F(ReferenceTest, IsoCodesResolve) {
  EXPECT_EQ(Code("FRA", "iso3"), "FRA");
  EXPECT_EQ(Code("fra", "iso3"), "FRA");
  EXPECT_EQ(Code(" FRA ", "iso3"), "FRA");
  EXPECT_EQ(Code("FR", "iso2"), "FRA");
  EXPECT_EQ(Code("FRA", "auto"), "FRA");
  EXPECT_EQ(Code("France", "auto"), "FRA");
}

TEST_F(ReferenceTest, Kosovo) {
  EXPECT_EQ(Code("XKX", "iso3"), "XKX");
  EXPECT_EQ(Code("KSV", "iso3"), "XKX");
  EXPECT_EQ(Code("KSV", "code"), "XKX");
  EXPECT_EQ(Code("Kosovo"), "XKX");
  auto xkx = store_->FindUnit("XKX");
  ASSERT_TRUE(xkx.has_value());
  EXPECT_EQ(xkx->kind, UnitKind::kOther);
}

TEST_F(ReferenceTest, FormerStatesStayApart) {
  EXPECT_EQ(Code("Soviet Union"), "SUN");
  EXPECT_EQ(Code("Yugoslavia"), "YUG");
  EXPECT_EQ(Code("Czechoslovakia"), "CSK");
  auto sun = store_->FindUnit("SUN");
  ASSERT_TRUE(sun.has_value());
  EXPECT_EQ(sun->kind, UnitKind::kOther);
  // The former "Yemen, Democratic" must not capture today's Yemen.
  EXPECT_EQ(Code("Yemen"), "YEM");
}

TEST_F(ReferenceTest, Aggregates) {
  EXPECT_EQ(KindOf("World"), Kind::kAggregate);
  EXPECT_EQ(KindOf("Sub-Saharan Africa"), Kind::kAggregate);
  EXPECT_EQ(KindOf("High income"), Kind::kAggregate);
  EXPECT_EQ(KindOf("Europe (OWID)"), Kind::kAggregate);
  EXPECT_EQ(KindOf("Western Europe"), Kind::kAggregate);
  EXPECT_EQ(KindOf("European Union (27)"), Kind::kAggregate);
  EXPECT_EQ(KindOf("WLD", "iso3"), Kind::kAggregate);
  EXPECT_EQ(KindOf("SSF", "iso3"), Kind::kAggregate);
  EXPECT_EQ(KindOf("OWID_WRL", "code"), Kind::kAggregate);
  EXPECT_EQ(KindOf("World", "auto"), Kind::kAggregate);
  EXPECT_EQ(KindOf("WLD", "auto"), Kind::kAggregate);
}

TEST_F(ReferenceTest, Unknown) {
  EXPECT_EQ(KindOf("Atlantis"), Kind::kUnknown);
  EXPECT_EQ(KindOf("QQQ", "iso3"), Kind::kUnknown);
  EXPECT_EQ(KindOf("QQQ_X", "iso3"), Kind::kUnknown);  // sub-unit shape, but no country QQQ
  EXPECT_EQ(KindOf("", "name"), Kind::kUnknown);
  EXPECT_EQ(KindOf("", "iso3"), Kind::kUnknown);
  EXPECT_EQ(KindOf("999", "m49"), Kind::kUnknown);
}

TEST_F(ReferenceTest, KosovoAliasCodesAreNotNames) {
  // "#KSV" is an alias code; typing the literal "#KSV" as a name must not hit it.
  EXPECT_EQ(KindOf("#KSV"), Kind::kUnknown);
}

TEST(IsSubUnitCode, Shapes) {
  EXPECT_TRUE(detail::IsSubUnitCode("GBR_E_W"));
  EXPECT_TRUE(detail::IsSubUnitCode("GBR_NI"));
  EXPECT_TRUE(detail::IsSubUnitCode("IRQ_KRD"));
  EXPECT_FALSE(detail::IsSubUnitCode("GBR"));
  EXPECT_FALSE(detail::IsSubUnitCode("GBR_"));
  EXPECT_FALSE(detail::IsSubUnitCode("GB_EW"));
  EXPECT_FALSE(detail::IsSubUnitCode("gbr_e_w"));
  EXPECT_FALSE(detail::IsSubUnitCode("OWID-WRL"));
}

// Tests that change the store get a reference of their own.
class FreshReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "fresh.db";
    auto r = test::InitStore(db_);
    ASSERT_TRUE(r.ok()) << r.error().Format();
    auto s = OpenSqliteStore(db_);
    ASSERT_TRUE(s.ok()) << s.error().Format();
    store_ = std::move(*s);
  }
  TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
};

TEST_F(FreshReferenceTest, SubUnitCodeCreatesSubUnitOfItsCountry) {
  ASSERT_FALSE(store_->FindUnit("GBR_E_W").has_value());
  std::size_t units_before = store_->Units().size();
  {
    UnitResolver resolver(*store_);
    UnitMatch m = resolver.Resolve("GBR_E_W", "iso3");
    ASSERT_EQ(m.kind, Kind::kUnit);
    EXPECT_EQ(m.code, "GBR_E_W");
    EXPECT_NE(m.code, "GBR");
    EXPECT_TRUE(m.created);
    UnitMatch again = resolver.Resolve("GBR_E_W", "code");
    ASSERT_EQ(again.kind, Kind::kUnit);
    EXPECT_EQ(again.code, "GBR_E_W");
    EXPECT_FALSE(again.created);
  }
  auto u = store_->FindUnit("GBR_E_W");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->kind, UnitKind::kSubUnit);
  EXPECT_EQ(u->parent, "GBR");
  EXPECT_EQ(store_->Units().size(), units_before + 1);
  // GBR itself is unchanged.
  auto gbr = store_->FindUnit("GBR");
  ASSERT_TRUE(gbr.has_value());
  EXPECT_EQ(gbr->kind, UnitKind::kCountry);
  EXPECT_TRUE(gbr->parent.empty());
  // A new resolver (next ingest run) finds the stored sub-unit without creating it again.
  UnitResolver next(*store_);
  UnitMatch m = next.Resolve("GBR_E_W", "iso3");
  ASSERT_EQ(m.kind, Kind::kUnit);
  EXPECT_EQ(m.code, "GBR_E_W");
  EXPECT_FALSE(m.created);
}

TEST_F(FreshReferenceTest, AmbiguousNameListsBothCandidates) {
  // Give "France"'s name key a second unit, as two lists disagreeing would.
  store_->AddUnitName(NameKey("France"), "XKX", "test");
  UnitResolver resolver(*store_);
  UnitMatch m = resolver.Resolve("France", "name");
  ASSERT_EQ(m.kind, Kind::kAmbiguous);
  std::vector<std::string> candidates = m.candidates;
  std::sort(candidates.begin(), candidates.end());
  EXPECT_EQ(candidates, (std::vector<std::string>{"FRA", "XKX"}));
  EXPECT_TRUE(m.code.empty());
  // Codes are not affected by names.
  UnitMatch code = resolver.Resolve("FRA", "iso3");
  ASSERT_EQ(code.kind, Kind::kUnit);
  EXPECT_EQ(code.code, "FRA");
}

TEST_F(FreshReferenceTest, InitIsIdempotent) {
  std::size_t units = store_->Units().size();
  std::size_t names = store_->UnitNames().size();
  std::size_t aggregates = store_->AggregateNames().size();
  store_.reset();
  auto r = test::InitStore(db_);
  ASSERT_TRUE(r.ok()) << r.error().Format();
  auto s = OpenSqliteStore(db_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Units().size(), units);
  EXPECT_EQ((*s)->UnitNames().size(), names);
  EXPECT_EQ((*s)->AggregateNames().size(), aggregates);
}

// Every name key of the shipped reference should name one unit: an ambiguous key sends every
// row that uses it to quarantine.
TEST_F(ReferenceTest, NoShippedNameIsAmbiguous) {
  std::map<std::string, std::set<std::string>> by_key;
  for (const auto& [key, unit] : store_->UnitNames()) by_key[key].insert(unit);
  for (const auto& [key, units] : by_key) {
    if (units.size() < 2) continue;
    std::string list;
    for (const auto& u : units) list += u + " ";
    ADD_FAILURE() << "name key '" << key << "' names " << list;
  }
}

}  // namespace
}  // namespace gpsi
