// PostgreSQL's row-level security for members' data (migration 8): the database itself refuses
// one member's unpublished rows to another, even to SQL written by hand as the application's
// role, which is neither the tables' owner, nor a superuser, nor BYPASSRLS.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <stdexcept>

#include "pg_cluster.hpp"
#include "store.hpp"
#include "test_util.hpp"

namespace gpsi::test {
namespace {

//! A store of two members, A and B, each with an unpublished submission of one value, beside a
//! public source; made by the owner `gpsi_owner`, then opened by the application role `gpsi`.
class RowLevelSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string owner_uri = PgCluster::Get().NewDatabase("gpsi_owner");
    db_ = PgCluster::Database(owner_uri);
    auto owner = Open(owner_uri);
    ASSERT_TRUE(owner->Migrate().ok());
    owner->SetMember("*");
    Fill(*owner);
    PgCluster::Get().GrantApp(db_);
    app_uri_ = PgCluster::Get().Uri(db_, "gpsi");
  }

  static std::unique_ptr<Store> Open(const std::string& uri) {
    auto r = OpenStore(uri);
    if (!r.ok()) throw std::runtime_error(r.error().Format());
    return std::move(*r);
  }

  //! One member's unpublished release, file, value and submission; the organisation's id.
  static void AddMember(Store& s, const std::string& key, const std::string& unit, double value) {
    Organisation o;
    o.key = key, o.name_en = key, o.kind = OrgKind::kGovernment, o.created = "2026-01-01T00:00:00Z";
    const std::int64_t org = s.InsertOrg(o);
    const std::int64_t src = s.UpsertSource(Source{"member-" + key, key, 2, "", "", "2026-01-01", "", 0});
    s.SetSourceVisibility(src, org, std::string(kNeverVisible));
    FileRecord f;
    f.path = key + ".csv", f.sha256 = Sha256Hex(key), f.bytes = 1, f.source_id = src;
    f.ingested_at = "2026-01-01T00:00:00Z";
    const std::int64_t file = s.InsertFile(f);
    s.InsertObservation(Observation{unit, 2024, "ind", value, 2, ""}, src, file, nullptr);
    Submission x;
    x.org_id = org, x.dataset = "crime", x.state = SubmissionState::kSubmitted, x.source_id = src, x.file_id = file;
    x.submitter = key + "-sam", x.created = x.updated = "2026-01-01T00:00:00Z";
    s.InsertSubmission(x);
    RiskProjectRecord r;
    r.org_id = org, r.project = "road", r.country = unit, r.sheet = "{}", r.sha256 = Sha256Hex("{}");
    r.created = "2026-01-01T00:00:00Z", r.created_by = key + "-sam";
    s.InsertRiskProject(r);
    ids_[key] = {org, src, file};
  }

  static void Fill(Store& s) {
    for (const char* c : {"AAA", "BBB"}) {
      Unit u;
      u.code = u.iso3 = c, u.name_en = c;
      s.UpsertUnit(u);
    }
    s.UpsertIndicator(Indicator{"ind", "Indicator", "", "", "", 1, ""});
    const std::int64_t un = s.UpsertSource(Source{"un", "UN", 1, "", "", "2025-01-01", "", 0});
    FileRecord f;
    f.path = "un.csv", f.sha256 = Sha256Hex("un"), f.bytes = 1, f.source_id = un;
    f.ingested_at = "2025-01-01T00:00:00Z";
    const std::int64_t file = s.InsertFile(f);
    s.InsertObservation(Observation{"AAA", 2024, "ind", 1.0, 2, ""}, un, file, nullptr);
    AddMember(s, "a", "AAA", 10.0);
    AddMember(s, "b", "BBB", 20.0);
  }

  //! `sql` run by psql as the application role `gpsi`, in one transaction acting for `member`.
  static std::string AsApp(const std::string& member, const std::string& sql) {
    return PgCluster::Get().Sql("BEGIN; SET LOCAL gpsi.member = '" + member + "'; " + sql + "; COMMIT;", db_, "gpsi");
  }
  static std::string Id(const std::string& key, int which) { return std::to_string(ids_[key][which]); }

  static std::string db_, app_uri_;
  static std::map<std::string, std::array<std::int64_t, 3>> ids_;  // key → org, source, file
};
std::string RowLevelSecurity::db_, RowLevelSecurity::app_uri_;
std::map<std::string, std::array<std::int64_t, 3>> RowLevelSecurity::ids_;

TEST_F(RowLevelSecurity, TheApplicationRoleIsNeitherOwnerNorSuperuserNorBypassrls) {
  EXPECT_EQ(PgCluster::Get().Sql("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname='gpsi'", db_), "f|f\n");
  EXPECT_EQ(PgCluster::Get().Sql("SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tableowner='gpsi'", db_),
            "0\n");
  EXPECT_EQ(PgCluster::Get().Sql("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
                                 "WHERE relrowsecurity AND relforcerowsecurity",
                                 db_),
            "files,observations,quarantine,risk_projects,sources,submission_flags,submissions\n");
  // Nor can it turn the policies off.
  EXPECT_THROW(AsApp("", "ALTER TABLE submissions DISABLE ROW LEVEL SECURITY"), std::runtime_error);
  EXPECT_THROW(AsApp("", "DROP POLICY member_read ON submissions"), std::runtime_error);
}

TEST_F(RowLevelSecurity, HandWrittenSqlOfOneMemberNeitherReadsNorWritesAnothersUnpublishedRows) {
  const std::string a = Id("a", 0), b = Id("b", 0);
  // Reads: A sees its own rows, none of B's, whatever the query asks for.
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM submissions WHERE org=" + b), "0\n");
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM submissions"), "1\n");
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM observations WHERE source=" + Id("b", 1)), "0\n");
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM files WHERE id=" + Id("b", 2)), "0\n");
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM sources WHERE org IS NOT NULL"), "1\n");
  EXPECT_EQ(AsApp(a, "SELECT string_agg(unit || '=' || value, ',' ORDER BY unit) FROM observations"), "AAA=1,AAA=10\n");
  // Writes: B's rows are out of reach, and none can be made in B's name.
  EXPECT_EQ(AsApp(a, "UPDATE submissions SET state='published' WHERE org=" + b + " RETURNING id"), "");
  EXPECT_EQ(AsApp(a, "UPDATE sources SET visible_from='' WHERE id=" + Id("b", 1) + " RETURNING id"), "");
  EXPECT_EQ(AsApp(a, "DELETE FROM observations WHERE source=" + Id("b", 1) + " RETURNING value"), "");
  EXPECT_THROW(
      AsApp(a, "INSERT INTO submissions(id,org,dataset,state,source,file,submitter,created,updated) VALUES(99," + b +
                   ",'crime','submitted'," + Id("b", 1) + "," + Id("b", 2) + ",'x','t','t')"),
      std::runtime_error);
  EXPECT_THROW(AsApp(a, "UPDATE sources SET org=" + b + " WHERE id=" + Id("a", 1)), std::runtime_error);
  // A project risk sheet is its enterprise's alone: never published, so never another's to read.
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM risk_projects"), "1\n");
  EXPECT_EQ(AsApp(a, "SELECT count(*) FROM risk_projects WHERE org=" + b), "0\n");
  EXPECT_THROW(AsApp(a,
                     "INSERT INTO risk_projects(id,org,project,revision,country,sheet,sha256,created,created_by) "
                     "VALUES(99," +
                         b + ",'road',2,'BBB','{}','x','t','x')"),
               std::runtime_error);
  // Nothing of B's changed (as the superuser sees it).
  EXPECT_EQ(PgCluster::Get().Sql("SELECT state FROM submissions WHERE org=" + b, db_), "submitted\n");
  EXPECT_EQ(PgCluster::Get().Sql("SELECT count(*) FROM observations WHERE source=" + Id("b", 1), db_), "1\n");
}

TEST_F(RowLevelSecurity, NoMemberSetSeesThePublicRowsAndNoMembersUnpublishedOnes) {
  EXPECT_EQ(AsApp("", "SELECT count(*) FROM submissions"), "0\n");
  EXPECT_EQ(AsApp("", "SELECT string_agg(unit || '=' || value, ',') FROM observations"), "AAA=1\n");
  EXPECT_EQ(PgCluster::Get().Sql("SELECT count(*) FROM submissions", db_, "gpsi"), "0\n");  // outside a transaction
  // FORCE: the owner too, acting for no member.
  EXPECT_EQ(PgCluster::Get().Sql("SELECT count(*) FROM submissions", db_, "gpsi_owner"), "0\n");
  EXPECT_EQ(AsApp("*", "SELECT count(*) FROM submissions"), "2\n");
  EXPECT_EQ(AsApp("", "SELECT count(*) FROM risk_projects"), "0\n");
  EXPECT_EQ(AsApp("*", "SELECT count(*) FROM risk_projects"), "2\n");
}

TEST_F(RowLevelSecurity, TheStoreActsForTheMemberItIsSetTo) {
  auto app = Open(app_uri_);
  app->SetMember(Id("a", 0));
  const auto mine = app->Submissions();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].org_id, ids_["a"][0]);
  EXPECT_TRUE(app->FileObservations(ids_["b"][2]).empty());
  EXPECT_EQ(app->FileObservations(ids_["a"][2]).size(), 1u);
  EXPECT_FALSE(app->FindSubmission(mine[0].id + 1).has_value());
  app->SetMember("");
  EXPECT_TRUE(app->Submissions().empty());
  // A write for B's release, through the store, finds no row to change.
  app->SetMember(Id("a", 0));
  app->SetSourceVisibility(ids_["b"][1], ids_["b"][0], "2000-01-01T00:00:00Z");
  EXPECT_EQ(PgCluster::Get().Sql("SELECT visible_from FROM sources WHERE id=" + Id("b", 1), db_),
            std::string(kNeverVisible) + "\n");
  // Ids keep counting past rows the member cannot see.
  FileRecord f;
  f.path = "a2.csv", f.sha256 = Sha256Hex("a2"), f.bytes = 1, f.source_id = ids_["a"][1];
  f.ingested_at = "2026-02-01T00:00:00Z";
  EXPECT_GT(app->InsertFile(f), ids_["b"][2]);
}

TEST_F(RowLevelSecurity, APooledConnectionCarriesNothingOfTheStoreThatClosedIt) {
  // One store at a time, as gpsi serve opens one per request: one connection serves them all.
  const std::string count = "SELECT count(*) FROM pg_stat_activity WHERE datname='" + db_ + "' AND usename='gpsi'";
  const std::string before = PgCluster::Get().Sql(count);
  for (int i = 0; i < 5; ++i) {
    auto app = Open(app_uri_);
    app->SetMember(i % 2 ? "" : Id("a", 0));
    EXPECT_EQ(app->Submissions().size(), i % 2 ? 0u : 1u) << i;
  }
  EXPECT_EQ(PgCluster::Get().Sql(count), before == "0\n" ? "1\n" : before) << "one connection, kept";
  // What a store closed in the middle of leaves: no member, no transaction, no write lock.
  {
    auto a = Open(app_uri_);
    a->SetMember(Id("a", 0));
    a->Begin();
    EXPECT_EQ(a->Submissions().size(), 1u);
  }
  auto next = Open(app_uri_);
  EXPECT_TRUE(next->Submissions().empty()) << "the member of the store before";
  auto writer = Open(app_uri_);  // a second connection: the first is next's
  writer->Begin();               // takes the write lock at once: no one holds it
  writer->Rollback();
  // A read-only store never gets a connection that may write.
  auto reader = OpenStore(app_uri_, StoreAccess::kRead);
  ASSERT_TRUE(reader.ok());
  (*reader)->SetMember(Id("a", 0));
  EXPECT_THROW((*reader)->SetSourceVisibility(ids_["a"][1], ids_["a"][0], std::string(kNeverVisible)), Failure);
}

TEST_F(RowLevelSecurity, APublishedReleaseIsEveryonesToRead) {
  auto owner = Open(PgCluster::Get().Uri(db_, "gpsi_owner"));
  owner->SetMember("*");
  owner->SetSourceVisibility(ids_["b"][1], ids_["b"][0], "2000-01-01T00:00:00Z");
  EXPECT_EQ(AsApp("", "SELECT count(*) FROM observations WHERE source=" + Id("b", 1)), "1\n");
  EXPECT_EQ(AsApp(Id("a", 0), "SELECT count(*) FROM sources WHERE id=" + Id("b", 1)), "1\n");
  // Still B's alone to change.
  EXPECT_EQ(AsApp(Id("a", 0), "DELETE FROM observations WHERE source=" + Id("b", 1) + " RETURNING value"), "");
  owner->SetSourceVisibility(ids_["b"][1], ids_["b"][0], std::string(kNeverVisible));
  EXPECT_EQ(AsApp("", "SELECT count(*) FROM observations WHERE source=" + Id("b", 1)), "0\n");
}

}  // namespace
}  // namespace gpsi::test
