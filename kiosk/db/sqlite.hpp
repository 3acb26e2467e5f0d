// A thin RAII layer over SQLite for the kiosk's local databases (in the manner of
// MPD's lib/sqlite and Chromium's sql/): a Database owns the connection, a
// Statement owns one prepared statement that is prepared once and reused
// (bind, step, reset), a Transaction rolls back unless committed, and
// migrate() brings a schema forward by PRAGMA user_version.
//
// This header names SQLite's handle types only by forward declaration, so
// nothing outside lasr_db ever includes <sqlite3.h>. Failures come back as
// lasr::Error with domain storage and a message that names the database file.
// Nothing here throws; destructors log what they cannot report.
//
// None of these classes is thread-safe on its own: the owner serialises use
// (UsageLog holds a mutex around every call).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "config/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace lasr::sqlite {

class Statement;

class Database {
public:
    enum class Mode { read_write_create, read_write, read_only };

    // Opens (and with read_write_create, creates) the file. SQLite reads
    // nothing until the first statement, so a file that is not a database is
    // reported by the first prepare or query, with Errc::parse.
    static Result<Database> open(const std::filesystem::path& path,
                                 Mode mode = Mode::read_write_create);

    Database() = default;
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    explicit operator bool() const noexcept { return db_ != nullptr; }
    sqlite3* handle() const noexcept { return db_; }
    const std::string& path() const noexcept { return path_; }

    // Runs one or more statements that return no rows we want (DDL, PRAGMA
    // setters, BEGIN/COMMIT). `what` says what for the error message.
    Status exec(std::string_view sql, std::string_view what);

    // Prepares a statement. persistent = it will be kept and reused.
    Result<Statement> prepare(std::string_view sql, std::string_view what, bool persistent = true);

    // One-shot queries that return a single value in the first column of the
    // first row (PRAGMA getters, counts). No row is an Errc::not_found error.
    Result<int64_t> query_int64(std::string_view sql, std::string_view what);
    Result<std::string> query_text(std::string_view sql, std::string_view what);

    Status set_busy_timeout(int ms);
    int64_t last_insert_rowid() const noexcept;
    int64_t changes() const noexcept;
    bool in_transaction() const noexcept;

    // "<file>: <what>: <SQLite's message> (sqlite <code>)", with the Errc the
    // SQLite code maps to (not a database / corrupt -> parse; I/O, locking,
    // permissions, disk full -> io; constraint -> validation).
    Error error(int rc, std::string_view what) const;

private:
    friend class Transaction;
    // BEGIN DEFERRED, BEGIN IMMEDIATE, COMMIT, ROLLBACK: prepared on first use
    // and kept (every UI-thread event is a transaction; parsing them anew each
    // time was ~6% of a one-event write).
    enum TxVerb { begin_deferred, begin_immediate, commit, rollback, tx_verbs };
    Status run(TxVerb verb, std::string_view what);

    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    void close() noexcept;

    sqlite3* db_ = nullptr;
    std::string path_;
    std::array<sqlite3_stmt*, tx_verbs> tx_{};  // finalised in close()
};

class Statement {
public:
    Statement() = default;
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    explicit operator bool() const noexcept { return stmt_ != nullptr; }

    // Parameters are numbered from 1 (?1, ?2, ...). A failed bind (a wrong
    // index: a bug) is remembered and returned by the next step()/run().
    void bind_int64(int index, int64_t value) noexcept;
    void bind_double(int index, double value) noexcept;
    void bind_text(int index, std::string_view value) noexcept;  // copied
    // Not copied: `value` must stay valid and unchanged until the statement
    // is reset (run() resets it). For large values on hot paths.
    void bind_text_static(int index, std::string_view value) noexcept;
    void bind_null(int index) noexcept;

    // One step: true when a row is ready to read, false when done.
    Result<bool> step();
    // Steps to the end, discarding any rows, then resets.
    Status run();
    // Back to the start with all bindings cleared; ready for reuse.
    void reset() noexcept;

    // Columns are numbered from 0; valid only while step() says a row is ready.
    int64_t column_int64(int col) const noexcept;
    double column_double(int col) const noexcept;
    std::string column_text(int col) const;
    bool column_is_null(int col) const noexcept;

private:
    friend class Database;
    Statement(sqlite3_stmt* stmt, std::string what) : stmt_(stmt), what_(std::move(what)) {}
    Error error(int rc) const;
    void note_bind(int rc) noexcept;

    sqlite3_stmt* stmt_ = nullptr;
    std::string what_;  // a short name for error messages ("insert play")
    int bind_rc_ = 0;   // first failed bind since the last reset (SQLITE_OK = 0)
};

// Resets a statement when it goes out of scope, whatever path the code took:
// a reused statement is never left mid-step holding a read snapshot.
class ScopedReset {
public:
    explicit ScopedReset(Statement& s) noexcept : s_(s) {}
    ~ScopedReset() { s_.reset(); }
    ScopedReset(const ScopedReset&) = delete;
    ScopedReset& operator=(const ScopedReset&) = delete;

private:
    Statement& s_;
};

// Transaction tx(db); LASR_TRY(tx.begin()); ...; LASR_TRY(tx.commit());
// Rolls back on destruction unless committed.
class Transaction {
public:
    enum class Kind {
        deferred,   // takes the write lock on the first write
        immediate,  // takes the write lock now (what a read-then-write wants)
    };
    explicit Transaction(Database& db, Kind kind = Kind::immediate) noexcept : db_(db), kind_(kind) {}
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Status begin();
    Status commit();
    Status rollback();
    bool active() const noexcept { return active_; }

private:
    Database& db_;
    Kind kind_;
    bool active_ = false;
};

// One schema step: run `sql` and set user_version = `version`, in one
// transaction, so a crash leaves either the old version or the new one.
struct Migration {
    int version;           // 1, 2, 3, ... in order, no gaps
    std::string_view what;  // for logs: "v1: plays table"
    std::string_view sql;
};

// PRAGMA user_version (0 for a new, empty database).
Result<int> user_version(Database& db);

// A database at schema version `found` is one this code can use when found <=
// latest; otherwise an Errc::validation error that says what to do.
Status check_version_known(const Database& db, int found, int latest);

// Applies every step newer than the database's user_version, in order, each in
// its own immediate transaction (re-reading user_version inside it, so two
// processes opening at once do not both apply a step). A database whose
// user_version is newer than the last step is refused with Errc::validation
// and left untouched. Returns the version the database is at afterwards.
Result<int> migrate(Database& db, std::span<const Migration> steps);

}  // namespace lasr::sqlite
