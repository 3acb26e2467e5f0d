#include "kiosk/db/sqlite.hpp"

#include <sqlite3.h>

#include <climits>
#include <mutex>
#include <utility>

#include "config/log.hpp"

namespace lasr::sqlite {
namespace {

constexpr std::string_view kBeginDeferred = "BEGIN DEFERRED";
constexpr std::string_view kBeginImmediate = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
constexpr std::string_view kGetUserVersion = "PRAGMA user_version";

Errc errc_for(int rc) {
    switch (rc & 0xff) {  // the primary code of an extended result code
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_FORMAT:
            return Errc::parse;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_PROTOCOL:
        case SQLITE_NOLFS:
        case SQLITE_AUTH:
            return Errc::io;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_TOOBIG:
            return Errc::validation;
        case SQLITE_NOTFOUND:
            return Errc::not_found;
        default:
            return Errc::internal;
    }
}

Error make_sqlite_error(sqlite3* db, int rc, std::string_view file, std::string_view what) {
    std::string msg(file.empty() ? std::string_view("(database)") : file);
    msg += ": ";
    msg += what;
    msg += ": ";
    // sqlite3_errmsg describes the most recent failed call on this connection,
    // which is the one we are reporting; fall back to the generic text.
    const char* text = db ? sqlite3_errmsg(db) : nullptr;
    msg += text && *text ? text : sqlite3_errstr(rc);
    msg += " (sqlite ";
    msg += std::to_string(rc);
    msg += ')';
    return make_error(Domain::storage, errc_for(rc), std::move(msg));
}

// Before SQLite's first use in the process (every connection is opened
// here): no global memory statistics. Keeping them takes a process-wide
// mutex on every allocation and free (28 per batched usage event, shared
// with the other threads' connections), and nothing reads them. Were SQLite
// already initialised, sqlite3_config refuses (SQLITE_MISUSE) and nothing
// changes.
void configure_sqlite_once() {
    static std::once_flag once;
    std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

int int_size(std::string_view s) {
    return s.size() > static_cast<size_t>(INT_MAX) ? -1 : static_cast<int>(s.size());
}

}  // namespace

// ---------------------------------------------------------------- Database

Result<Database> Database::open(const std::filesystem::path& path, Mode mode) {
    configure_sqlite_once();
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;  // the owner serialises
    switch (mode) {
        case Mode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
        case Mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
        case Mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
    }
    std::string file = path.string();
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = make_sqlite_error(db, rc, file, "cannot open");
        sqlite3_close(db);  // a handle is returned even on failure; NULL is fine
        return e;
    }
    return Database(db, std::move(file));
}

Database::~Database() { close(); }

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), tx_(std::exchange(other.tx_, {})) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        tx_ = std::exchange(other.tx_, {});
    }
    return *this;
}

void Database::close() noexcept {
    if (!db_) return;
    for (sqlite3_stmt*& st : tx_) {
        sqlite3_finalize(st);  // NULL is fine
        st = nullptr;
    }
    // Every Statement must be gone by now (owners declare them after the
    // Database). sqlite3_close (not _v2) tells us if one is not.
    int rc = sqlite3_close(db_);
    if (rc != SQLITE_OK) {
        log::error(make_sqlite_error(db_, rc, path_, "close (a statement outlived its database?)"));
        sqlite3_close_v2(db_);  // closes once the stragglers are finalised
    }
    db_ = nullptr;
}

Error Database::error(int rc, std::string_view what) const {
    return make_sqlite_error(db_, rc, path_, what);
}

Status Database::exec(std::string_view sql, std::string_view what) {
    // sqlite3_exec needs a NUL-terminated string; our SQL constants are
    // string literals but a string_view does not promise it, so copy (exec is
    // for set-up and transactions, never for the hot path).
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error(rc, what);
    return {};
}

Status Database::run(TxVerb verb, std::string_view what) {
    static constexpr std::array<std::string_view, tx_verbs> kSql = {kBeginDeferred, kBeginImmediate, kCommit,
                                                                    kRollback};
    sqlite3_stmt*& st = tx_[verb];
    if (!st) {
        const std::string_view sql = kSql[verb];
        int rc = sqlite3_prepare_v3(db_, sql.data(), int_size(sql), SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        if (rc != SQLITE_OK) {
            Error e = error(rc, what);
            sqlite3_finalize(st);
            st = nullptr;
            return e;
        }
    }
    const int rc = sqlite3_step(st);
    // The error first: the reset below returns the same code, and the message
    // is the step's.
    Status result = rc == SQLITE_DONE ? Status() : Status(error(rc, what));
    sqlite3_reset(st);
    return result;
}

Result<Statement> Database::prepare(std::string_view sql, std::string_view what, bool persistent) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0u;
    int rc = sqlite3_prepare_v3(db_, sql.data(), int_size(sql), flags, &stmt, &tail);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return error(rc, std::string("preparing ") + std::string(what));
    }
    Statement st(stmt, std::string(what));
    if (!stmt) {  // only whitespace or a comment
        return make_error(Domain::storage, Errc::internal,
                          path_ + ": preparing " + std::string(what) + ": no SQL statement");
    }
    // One statement per Statement: anything after it would be silently lost.
    for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
        if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
            return make_error(Domain::storage, Errc::internal,
                              path_ + ": preparing " + std::string(what) + ": more than one SQL statement");
        }
    }
    return st;
}

Result<int64_t> Database::query_int64(std::string_view sql, std::string_view what) {
    auto st = prepare(sql, what, false);
    if (!st) return std::move(st).error();
    ScopedReset reset(*st);
    auto row = st->step();
    if (!row) return std::move(row).error();
    if (!*row) return make_error(Domain::storage, Errc::not_found, path_ + ": " + std::string(what) + ": no result");
    return st->column_int64(0);
}

Result<std::string> Database::query_text(std::string_view sql, std::string_view what) {
    auto st = prepare(sql, what, false);
    if (!st) return std::move(st).error();
    ScopedReset reset(*st);
    auto row = st->step();
    if (!row) return std::move(row).error();
    if (!*row) return make_error(Domain::storage, Errc::not_found, path_ + ": " + std::string(what) + ": no result");
    return st->column_text(0);
}

Status Database::set_busy_timeout(int ms) {
    int rc = sqlite3_busy_timeout(db_, ms);
    if (rc != SQLITE_OK) return error(rc, "setting busy timeout");
    return {};
}

int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }
bool Database::in_transaction() const noexcept { return db_ && sqlite3_get_autocommit(db_) == 0; }

// ---------------------------------------------------------------- Statement

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);  // its return code repeats the last step's
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), what_(std::move(other.what_)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        if (stmt_) sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
        what_ = std::move(other.what_);
        bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
    }
    return *this;
}

Error Statement::error(int rc) const {
    sqlite3* db = stmt_ ? sqlite3_db_handle(stmt_) : nullptr;
    const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
    return make_sqlite_error(db, rc, file ? file : "", what_);
}

void Statement::note_bind(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_int64(int index, int64_t value) noexcept {
    note_bind(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::bind_double(int index, double value) noexcept {
    note_bind(sqlite3_bind_double(stmt_, index, value));
}

void Statement::bind_text(int index, std::string_view value) noexcept {
    // SQLITE_TRANSIENT: SQLite copies the bytes, so the caller's string may
    // go away before the step. Ids are short; the copy costs nothing.
    note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::bind_text_static(int index, std::string_view value) noexcept {
    // SQLITE_STATIC: SQLite reads the caller's bytes until the reset (which
    // clears the bindings): no copy of a statement's body per row.
    note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::bind_null(int index) noexcept { note_bind(sqlite3_bind_null(stmt_, index)); }

Result<bool> Statement::step() {
    if (bind_rc_ != SQLITE_OK) return error(bind_rc_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return error(rc);
}

Status Statement::run() {
    ScopedReset reset(*this);
    for (;;) {
        auto row = step();
        if (!row) return std::move(row).error();
        if (!*row) return {};
    }
}

void Statement::reset() noexcept {
    if (!stmt_) return;
    sqlite3_reset(stmt_);  // returns the last step's error, already reported
    sqlite3_clear_bindings(stmt_);
    bind_rc_ = SQLITE_OK;
}

int64_t Statement::column_int64(int col) const noexcept { return sqlite3_column_int64(stmt_, col); }
double Statement::column_double(int col) const noexcept { return sqlite3_column_double(stmt_, col); }
bool Statement::column_is_null(int col) const noexcept {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string Statement::column_text(int col) const {
    const unsigned char* text = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);  // after _text, per the SQLite docs
    if (!text || n <= 0) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(n));
}

// ---------------------------------------------------------------- Transaction

Transaction::~Transaction() {
    if (!active_) return;
    if (auto st = rollback(); !st) log::error(st.error());
}

Status Transaction::begin() {
    if (active_) return make_error(Domain::storage, Errc::internal, db_.path() + ": transaction already begun");
    LASR_TRY(db_.run(kind_ == Kind::immediate ? Database::begin_immediate : Database::begin_deferred,
                     "begin transaction"));
    active_ = true;
    return {};
}

Status Transaction::commit() {
    if (!active_) return make_error(Domain::storage, Errc::internal, db_.path() + ": commit without a transaction");
    auto st = db_.run(Database::commit, "commit");
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY) or may have
    // rolled it back already; either way the destructor's rollback cleans up.
    if (st || !db_.in_transaction()) active_ = false;
    return st;
}

Status Transaction::rollback() {
    if (!active_) return {};
    active_ = false;
    // Some errors (disk full, I/O) make SQLite roll back by itself; a second
    // ROLLBACK would only fail with "no transaction is active".
    if (!db_.in_transaction()) return {};
    return db_.run(Database::rollback, "rollback");
}

// ---------------------------------------------------------------- migrations

Result<int> user_version(Database& db) {
    auto v = db.query_int64(kGetUserVersion, "reading schema version");
    if (!v) return std::move(v).error();
    if (*v < 0 || *v > INT_MAX) {
        return make_error(Domain::storage, Errc::parse,
                          db.path() + ": schema version " + std::to_string(*v) + " is not a valid version");
    }
    return static_cast<int>(*v);
}

Status check_version_known(const Database& db, int found, int latest) {
    if (found <= latest) return {};
    return make_error(Domain::storage, Errc::validation,
                      db.path() + ": schema version " + std::to_string(found) +
                          " is newer than this program knows (" + std::to_string(latest) +
                          "); it was written by a newer lasr-kiosk. Refusing to open it so "
                          "nothing is lost: upgrade lasr-kiosk, or move the file aside");
}

Result<int> migrate(Database& db, std::span<const Migration> steps) {
    const int latest = steps.empty() ? 0 : steps.back().version;
    for (size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].version != static_cast<int>(i) + 1) {
            return make_error(Domain::storage, Errc::internal,
                              "migration list out of order at " + std::string(steps[i].what));
        }
    }

    // Refuse a future schema before writing anything, not even a lock.
    auto found = user_version(db);
    if (!found) return std::move(found).error();
    LASR_TRY(check_version_known(db, *found, latest));

    int version = *found;
    for (const Migration& m : steps) {
        if (m.version <= version) continue;
        Transaction tx(db, Transaction::Kind::immediate);
        LASR_TRY(tx.begin());
        // Re-read under the write lock: another process may have migrated
        // between our first look and now.
        auto now = user_version(db);
        if (!now) return std::move(now).error();
        LASR_TRY(check_version_known(db, *now, latest));
        version = *now;
        if (m.version <= version) {
            LASR_TRY(tx.commit());
            continue;
        }
        LASR_TRY(db.exec(m.sql, std::string("migrating to ") + std::string(m.what)));
        // PRAGMA takes no bound parameters; the value is our own integer.
        LASR_TRY(db.exec("PRAGMA user_version = " + std::to_string(m.version), "setting schema version"));
        LASR_TRY(tx.commit());
        version = m.version;
        log::info("usage", "migrated db=" + db.path() + " schema_version=" + std::to_string(version) +
                               " step=\"" + std::string(m.what) + "\"");
    }
    return version;
}

}  // namespace lasr::sqlite
