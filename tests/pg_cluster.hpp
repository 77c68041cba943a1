// The tests' PostgreSQL: a throwaway cluster (tests/pg/cluster.sh) and a new database per test.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "test_util.hpp"

namespace gpsi::test {

//! The cluster this test process uses: CTest's fixture `pg` starts one for every test that needs
//! it and passes its folder as $GPSI_TEST_PG; a test program run by hand starts its own, stopped
//! when the program ends.
class PgCluster {
 public:
  static PgCluster& Get() {
    static PgCluster cluster;
    return cluster;
  }
  //! The folder holding the cluster's Unix socket (libpq's host).
  const std::string& host() const { return host_; }

  //! Runs `sql` in database `db` as `user` (the superuser by default); its output (psql -At), or
  //! throws with psql's message.
  std::string Sql(const std::string& sql, const std::string& db = "postgres",
                  const std::string& user = "postgres") const {
    TempDir tmp;
    const std::string out = tmp / "out";
    const std::string cmd = "psql -h " + Quote(host_) + " -U " + Quote(user) + " -d " + Quote(db) +
                            " -qAt -v ON_ERROR_STOP=1 -c " + Quote(sql) + " >" + Quote(out) + " 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("psql failed: " + sql + ": " + ReadFile(out));
    return ReadFile(out);
  }

  //! A new, empty database owned by the role `owner`; its libpq URI for that role.
  std::string NewDatabase(const std::string& owner = "gpsi") const {
    std::random_device rd;
    const std::string name = "gpsi_" + std::to_string(::getpid()) + "_" + std::to_string(rd() % 1000000000u);
    Sql("CREATE DATABASE " + name + " OWNER " + owner);
    return Uri(name, owner);
  }

  //! The database a URI of Uri()'s form names.
  static std::string Database(const std::string& uri) {
    const auto from = uri.find("@/") + 2;
    return uri.substr(from, uri.find('?') - from);
  }

  //! docs/store.md's GRANT in database `db`: the application role `gpsi` may read and write the
  //! tables the owner made (under row-level security), and nothing more.
  void GrantApp(const std::string& db) const {
    Sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gpsi", db);
  }

  //! The URI of database `db` for the role `user`.
  std::string Uri(const std::string& db, const std::string& user = "gpsi") const {
    return "postgresql://" + user + "@/" + db + "?host=" + host_;
  }

 private:
  PgCluster() {
    const char* shared = std::getenv("GPSI_TEST_PG");
    if (shared && *shared) {
      host_ = shared;
      return;
    }
    own_ = "/tmp/gpsi-pg-" + std::to_string(::getpid());
    const std::string cmd = "bash " + Quote(std::string(GPSI_TESTS_DIR) + "/pg/cluster.sh") + " start " + Quote(own_);
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot start a PostgreSQL cluster in " + own_);
    host_ = own_;
  }
  ~PgCluster() {
    if (own_.empty()) return;
    const std::string cmd = "bash " + Quote(std::string(GPSI_TESTS_DIR) + "/pg/cluster.sh") + " stop " + Quote(own_);
    [[maybe_unused]] int rc = std::system(cmd.c_str());
  }
  std::string host_, own_;
};

//! The store backend a parametrised test runs on.
enum class Backend { kSqlite, kPostgres };

//! "Sqlite" or "Postgres": the name suffix of a case of INSTANTIATE_TEST_SUITE_P over backends.
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

//! A store for the platform's end-to-end tests, as production runs it (docs/store.md): `owner`
//! makes it (`gpsi init`), `app` is what gpsi serves and members' commands use. On SQLite both are
//! the file DIR/s.db. On PostgreSQL, a new database owned by `gpsi_owner`; `app` is the role `gpsi`,
//! which is not the owner, and gets docs/store.md's GRANT from Grant() once the schema exists. The
//! raw files go to DIR/blobs ($GPSI_BLOBS, inherited by the gpsi the test starts).
struct PlatformStore {
  PlatformStore(Backend backend, const TempDir& dir) : backend(backend) {
    if (backend == Backend::kSqlite) {
      owner = app = dir / "s.db";
      return;
    }
    ::setenv("GPSI_BLOBS", (dir / "blobs").c_str(), 1);
    owner = PgCluster::Get().NewDatabase("gpsi_owner");
    database = PgCluster::Database(owner);
    app = PgCluster::Get().Uri(database, "gpsi");
  }
  //! The application role's rights on the tables `gpsi init` made (nothing to do on SQLite).
  void Grant() const {
    if (backend == Backend::kSqlite) return;
    PgCluster::Get().GrantApp(database);
  }
  Backend backend;
  std::string owner, app, database;
};

}  // namespace gpsi::test
