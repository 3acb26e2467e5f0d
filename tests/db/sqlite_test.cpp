// The private SQLite layer of kiosk/usage: statements, transactions and
// migrations, on real files.
#include "kiosk/db/sqlite.hpp"

#include <gtest/gtest.h>

#include <array>

#include "tests/support/fixtures.hpp"

namespace lasr::sqlite {
namespace {

using test::TempDir;

Database open_ok(const std::filesystem::path& p) {
    auto d = Database::open(p);
    EXPECT_TRUE(d) << d.error().describe();
    return d ? std::move(*d) : Database();
}

int64_t count(Database& d, const char* table) {
    auto n = d.query_int64(std::string("SELECT count(*) FROM ") + table, "count");
    EXPECT_TRUE(n) << n.error().describe();
    return n ? *n : -1;
}

bool has_table(Database& d, const char* name) {
    auto n = d.query_int64(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + name + "'", "has");
    return n && *n == 1;
}

TEST(UsageSqlite, TransactionRollsBackUnlessCommitted) {
    TempDir dir;
    Database d = open_ok(dir / "t.db");
    ASSERT_TRUE(d.exec("CREATE TABLE t (x INTEGER)", "create"));
    {
        Transaction tx(d);
        ASSERT_TRUE(tx.begin());
        EXPECT_TRUE(d.in_transaction());
        ASSERT_TRUE(d.exec("INSERT INTO t VALUES (1)", "insert"));
    }  // no commit: rolled back
    EXPECT_FALSE(d.in_transaction());
    EXPECT_EQ(count(d, "t"), 0);
    {
        Transaction tx(d);
        ASSERT_TRUE(tx.begin());
        ASSERT_TRUE(d.exec("INSERT INTO t VALUES (2)", "insert"));
        ASSERT_TRUE(tx.commit());
        EXPECT_FALSE(tx.active());
    }
    EXPECT_EQ(count(d, "t"), 1);
}

// BEGIN/COMMIT/ROLLBACK are prepared once per connection and go with it
// when the Database moves; a busy BEGIN IMMEDIATE is an io error and leaves
// the statement ready for the next one.
TEST(UsageSqlite, TransactionsWorkAcrossAMoveAndAfterABusyBegin) {
    TempDir dir;
    Database a = open_ok(dir / "t.db");
    ASSERT_TRUE(a.exec("PRAGMA journal_mode = WAL", "wal"));
    ASSERT_TRUE(a.exec("CREATE TABLE t (x INTEGER)", "create"));
    for (int i = 0; i < 3; ++i) {
        Transaction tx(a);
        ASSERT_TRUE(tx.begin());
        ASSERT_TRUE(a.exec("INSERT INTO t VALUES (1)", "insert"));
        if (i != 1) {
            ASSERT_TRUE(tx.commit());
        }  // the second rolls back
    }
    Database b = std::move(a);
    {
        Transaction tx(b);
        ASSERT_TRUE(tx.begin());
        ASSERT_TRUE(b.exec("INSERT INTO t VALUES (2)", "insert"));
        ASSERT_TRUE(tx.commit());
    }
    EXPECT_EQ(count(b, "t"), 3);

    Database other = open_ok(dir / "t.db");
    ASSERT_TRUE(other.set_busy_timeout(0));
    Transaction holding(b);
    ASSERT_TRUE(holding.begin());
    {
        Transaction tx(other);
        auto busy = tx.begin();
        ASSERT_FALSE(busy);
        EXPECT_EQ(busy.error().code, Errc::io);
        EXPECT_NE(busy.error().message.find("begin transaction"), std::string::npos) << busy.error().message;
    }
    ASSERT_TRUE(holding.commit());
    Transaction tx(other);
    ASSERT_TRUE(tx.begin());
    ASSERT_TRUE(tx.commit());
}

TEST(UsageSqlite, StatementIsReusableAfterAnError) {
    TempDir dir;
    Database d = open_ok(dir / "t.db");
    ASSERT_TRUE(d.exec("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)", "create"));
    auto ins = d.prepare("INSERT INTO t (x) VALUES (?1)", "insert");
    ASSERT_TRUE(ins);
    ins->bind_int64(1, 1);
    ASSERT_TRUE(ins->run());
    ins->bind_int64(1, 1);
    auto dup = ins->run();
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::validation);
    EXPECT_NE(dup.error().message.find("insert"), std::string::npos) << dup.error().message;
    ins->bind_null(1);
    EXPECT_FALSE(ins->run());
    ins->bind_int64(1, 2);
    ASSERT_TRUE(ins->run()) << "the statement was reset after the failure";
    EXPECT_EQ(count(d, "t"), 2);
}

// bind_text_static: SQLite reads the caller's bytes in place, exactly the
// view's length (a view into a longer string too), also where a function
// needs them NUL-terminated (length() in a CHECK), and drops them at reset.
TEST(UsageSqlite, StaticTextBindsTheViewsBytesInPlace) {
    TempDir dir;
    Database d = open_ok(dir / "t.db");
    ASSERT_TRUE(d.exec("CREATE TABLE t (x TEXT NOT NULL CHECK (length(x) > 0)) STRICT", "create"));
    auto ins = d.prepare("INSERT INTO t (x) VALUES (?1)", "insert");
    ASSERT_TRUE(ins);
    const std::string big(5000, 'b');
    ins->bind_text_static(1, big);
    ASSERT_TRUE(ins->run());
    const std::string both = "left|right";
    ins->bind_text_static(1, std::string_view(both).substr(0, 4));
    ASSERT_TRUE(ins->run());
    ins->bind_text_static(1, "");
    EXPECT_FALSE(ins->run()) << "the CHECK saw the empty string";
    auto sel = d.prepare("SELECT x FROM t ORDER BY rowid", "select");
    ASSERT_TRUE(sel);
    ASSERT_TRUE(*sel->step());
    EXPECT_EQ(sel->column_text(0), big);
    ASSERT_TRUE(*sel->step());
    EXPECT_EQ(sel->column_text(0), "left");
    EXPECT_FALSE(*sel->step());
}

TEST(UsageSqlite, BadBindIsReportedByStep) {
    TempDir dir;
    Database d = open_ok(dir / "t.db");
    auto st = d.prepare("SELECT ?1", "select");
    ASSERT_TRUE(st);
    st->bind_int64(5, 1);  // no ?5
    auto r = st->run();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().domain, Domain::storage);
    st->bind_int64(1, 1);
    EXPECT_TRUE(st->run()) << "reset clears the remembered bind error";
}

TEST(UsageSqlite, PrepareRefusesTwoStatementsInOne) {
    TempDir dir;
    Database d = open_ok(dir / "t.db");
    EXPECT_FALSE(d.prepare("SELECT 1; SELECT 2", "two"));
    EXPECT_TRUE(d.prepare("SELECT 1;  ", "one"));
    auto bad = d.prepare("SELEC 1", "typo");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("typo"), std::string::npos);
}

constexpr std::array<Migration, 2> kTwoSteps = {{
    {1, "v1", "CREATE TABLE a (x INTEGER);"},
    {2, "v2", "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (1);"},
}};

TEST(UsageSqlite, MigrationsRunInOrderOnceEach) {
    TempDir dir;
    Database d = open_ok(dir / "m.db");
    auto v = migrate(d, std::span(kTwoSteps).first(1));
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(*v, 1);
    v = migrate(d, kTwoSteps);
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(*v, 2);
    EXPECT_EQ(*user_version(d), 2);
    v = migrate(d, kTwoSteps);  // nothing to do
    ASSERT_TRUE(v);
    EXPECT_EQ(count(d, "b"), 1) << "step 2 ran once";
}

TEST(UsageSqlite, AFailedStepLeavesThePreviousVersionWhole) {
    TempDir dir;
    Database d = open_ok(dir / "m.db");
    constexpr std::array<Migration, 2> broken = {{
        {1, "v1", "CREATE TABLE a (x INTEGER);"},
        {2, "v2", "CREATE TABLE b (y INTEGER); INSERT INTO no_such_table VALUES (1);"},
    }};
    auto v = migrate(d, broken);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("migrating to v2"), std::string::npos) << v.error().message;
    EXPECT_EQ(*user_version(d), 1);
    EXPECT_TRUE(has_table(d, "a"));
    EXPECT_FALSE(has_table(d, "b")) << "half of step 2 was kept";
    EXPECT_FALSE(d.in_transaction());
    // The fixed step applies cleanly afterwards.
    v = migrate(d, kTwoSteps);
    ASSERT_TRUE(v) << v.error().describe();
    EXPECT_EQ(*v, 2);
}

TEST(UsageSqlite, AFutureVersionIsRefusedBeforeAnyWrite) {
    TempDir dir;
    Database d = open_ok(dir / "m.db");
    ASSERT_TRUE(d.exec("PRAGMA user_version = 9", "set"));
    auto v = migrate(d, kTwoSteps);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, Errc::validation);
    EXPECT_EQ(*user_version(d), 9);
    EXPECT_FALSE(has_table(d, "a"));
}

TEST(UsageSqlite, AGappedMigrationListIsABug) {
    TempDir dir;
    Database d = open_ok(dir / "m.db");
    constexpr std::array<Migration, 2> gapped = {{
        {1, "v1", "CREATE TABLE a (x INTEGER);"},
        {3, "v3", "CREATE TABLE c (x INTEGER);"},
    }};
    auto v = migrate(d, gapped);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, Errc::internal);
    EXPECT_EQ(*user_version(d), 0);
}

TEST(UsageSqlite, OpenReadOnlyMissingFileIsAnIoError) {
    TempDir dir;
    auto d = Database::open(dir / "missing.db", Database::Mode::read_only);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, Errc::io);
    EXPECT_NE(d.error().message.find("missing.db"), std::string::npos) << d.error().message;
}

}  // namespace
}  // namespace lasr::sqlite
