#include "kiosk/fleet/cache.hpp"

#include <array>

#include "kiosk/db/sqlite.hpp"

namespace lasr::fleet {
namespace {

// PRAGMA application_id 'LSRF': a fleet cache, never some other database.
constexpr int64_t kApplicationId = 0x4C535246;

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value ANY
) STRICT, WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('lrs', ''), ('malformed', 0), ('unknown_verb', 0);
CREATE TABLE cursors (
    verb      TEXT PRIMARY KEY,
    stored_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE kiosks (
    home_page    TEXT NOT NULL,
    kiosk        TEXT NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    health_at_ms INTEGER NOT NULL DEFAULT -1,
    health       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (home_page, kiosk)
) STRICT, WITHOUT ROWID;
CREATE TABLE events (
    id        TEXT PRIMARY KEY,
    home_page TEXT NOT NULL,
    kiosk     TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('play', 'completion', 'error')),
    at_ms     INTEGER NOT NULL,
    object    TEXT NOT NULL,
    course    TEXT NOT NULL,
    count     INTEGER NOT NULL CHECK (count >= 1)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_at ON events (at_ms);
PRAGMA application_id = 1280528966;
)sql";
static_assert(kApplicationId == 1280528966, "keep kSchemaV1's application_id in step");

constexpr std::array<sqlite::Migration, 1> kMigrations = {{{1, "v1: fleet cache", kSchemaV1}}};

constexpr std::string_view kSeen =
    "INSERT INTO kiosks (home_page, kiosk, last_seen_ms) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (home_page, kiosk) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)";
// The newest heartbeat wins (by the kiosk's time; a later read of the same
// minute replaces an earlier one).
constexpr std::string_view kHeartbeat =
    "INSERT INTO kiosks (home_page, kiosk, last_seen_ms, health_at_ms, health) VALUES (?1, ?2, ?5, ?3, ?4) "
    "ON CONFLICT (home_page, kiosk) DO UPDATE SET "
    "last_seen_ms = max(last_seen_ms, excluded.last_seen_ms), "
    "health = CASE WHEN excluded.health_at_ms >= health_at_ms THEN excluded.health ELSE health END, "
    "health_at_ms = max(health_at_ms, excluded.health_at_ms)";
constexpr std::string_view kEvent =
    "INSERT OR IGNORE INTO events (id, home_page, kiosk, kind, at_ms, object, course, count) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kCursor =
    "INSERT INTO cursors (verb, stored_ms) VALUES (?1, ?2) "
    "ON CONFLICT (verb) DO UPDATE SET stored_ms = max(stored_ms, excluded.stored_ms)";
constexpr std::string_view kGetCursor = "SELECT stored_ms FROM cursors WHERE verb = ?1";
constexpr std::string_view kAddMeta = "UPDATE meta SET value = value + ?2 WHERE key = ?1";

}  // namespace

struct FleetCache::Impl {
    sqlite::Database db;
    sqlite::Statement seen, heartbeat, event, cursor, get_cursor, add_meta;
};

FleetCache::FleetCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FleetCache::~FleetCache() = default;

Result<std::unique_ptr<FleetCache>> FleetCache::open(const std::filesystem::path& path, const std::string& lrs_url) {
    if (path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
    }
    auto db = sqlite::Database::open(path);
    if (!db) return std::move(db).error();
    auto impl = std::make_unique<Impl>();
    impl->db = std::move(*db);
    sqlite::Database& d = impl->db;
    LASR_TRY(d.set_busy_timeout(5000));
    auto app_id = d.query_int64("PRAGMA application_id", "reading application id");
    if (!app_id) return std::move(app_id).error();
    auto objects = d.query_int64("SELECT count(*) FROM sqlite_schema", "reading schema");
    if (!objects) return std::move(objects).error();
    if (*app_id != kApplicationId && (*app_id != 0 || *objects != 0))
        return make_error(Domain::usage, Errc::validation,
                          d.path() + ": a SQLite database, but not a fleet cache; refusing to change it");
    auto mode = d.query_text("PRAGMA journal_mode = WAL", "enabling WAL");
    if (!mode) return std::move(mode).error();
    LASR_TRY(d.exec("PRAGMA synchronous = NORMAL", "setting synchronous"));
    auto version = sqlite::migrate(d, kMigrations);
    if (!version) return std::move(version).error();

    auto lrs = d.query_text("SELECT value FROM meta WHERE key = 'lrs'", "reading the cache's LRS");
    if (!lrs) return std::move(lrs).error();
    if (lrs->empty()) {
        auto st = d.prepare("UPDATE meta SET value = ?1 WHERE key = 'lrs'", "setting the cache's LRS", false);
        if (!st) return std::move(st).error();
        st->bind_text(1, lrs_url);
        LASR_TRY(st->run());
    } else if (*lrs != lrs_url) {
        return make_error(Domain::usage, Errc::validation,
                          d.path() + ": this cache holds statements of the LRS at " + *lrs + ", not " + lrs_url +
                              " (use another --cache file)");
    }
    struct Prep {
        sqlite::Statement* into;
        std::string_view sql, what;
    };
    for (const Prep& p : {Prep{&impl->seen, kSeen, "kiosk seen"}, Prep{&impl->heartbeat, kHeartbeat, "heartbeat"},
                          Prep{&impl->event, kEvent, "event"}, Prep{&impl->cursor, kCursor, "cursor"},
                          Prep{&impl->get_cursor, kGetCursor, "get cursor"}, Prep{&impl->add_meta, kAddMeta, "count"}}) {
        auto st = d.prepare(p.sql, p.what);
        if (!st) return std::move(st).error();
        *p.into = std::move(*st);
    }
    return std::unique_ptr<FleetCache>(new FleetCache(std::move(impl)));
}

Result<std::optional<int64_t>> FleetCache::cursor(const std::string& verb) {
    sqlite::Statement& st = impl_->get_cursor;
    sqlite::ScopedReset reset(st);
    st.bind_text(1, verb);
    auto row = st.step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<int64_t>();
    return std::optional<int64_t>(st.column_int64(0));
}

Status FleetCache::add_page(const std::string& verb, const std::vector<Fact>& facts, int64_t max_stored_ms,
                            int64_t malformed, int64_t unknown_verb) {
    Impl& im = *impl_;
    sqlite::Transaction tx(im.db);
    LASR_TRY(tx.begin());
    for (const Fact& f : facts) {
        if (f.kind == Fact::Kind::heartbeat) {
            im.heartbeat.bind_text(1, f.home_page);
            im.heartbeat.bind_text(2, f.kiosk);
            im.heartbeat.bind_int64(3, f.at_ms);
            im.heartbeat.bind_text(4, f.health);
            im.heartbeat.bind_int64(5, f.seen_ms);
            LASR_TRY(im.heartbeat.run());
            continue;
        }
        im.seen.bind_text(1, f.home_page);
        im.seen.bind_text(2, f.kiosk);
        im.seen.bind_int64(3, f.seen_ms);
        LASR_TRY(im.seen.run());
        if (f.kind == Fact::Kind::seen) continue;
        im.event.bind_text(1, f.id);
        im.event.bind_text(2, f.home_page);
        im.event.bind_text(3, f.kiosk);
        im.event.bind_text(4, to_string(f.kind));
        im.event.bind_int64(5, f.at_ms);
        im.event.bind_text(6, f.object);
        im.event.bind_text(7, f.course);
        im.event.bind_int64(8, f.count);
        LASR_TRY(im.event.run());
    }
    if (max_stored_ms > 0) {
        im.cursor.bind_text(1, verb);
        im.cursor.bind_int64(2, max_stored_ms);
        LASR_TRY(im.cursor.run());
    }
    for (auto [key, n] : {std::pair<const char*, int64_t>{"malformed", malformed}, {"unknown_verb", unknown_verb}}) {
        if (n == 0) continue;
        im.add_meta.bind_text(1, key);
        im.add_meta.bind_int64(2, n);
        LASR_TRY(im.add_meta.run());
    }
    return tx.commit();
}

Status FleetCache::prune(int64_t before_ms) {
    auto st = impl_->db.prepare("DELETE FROM events WHERE at_ms < ?1", "prune events", false);
    if (!st) return std::move(st).error();
    st->bind_int64(1, before_ms);
    return st->run();
}

Result<std::vector<KioskFacts>> FleetCache::kiosks() {
    auto st = impl_->db.prepare(
        "SELECT home_page, kiosk, last_seen_ms, health_at_ms, health FROM kiosks ORDER BY kiosk, home_page",
        "kiosks", false);
    if (!st) return std::move(st).error();
    std::vector<KioskFacts> out;
    for (;;) {
        auto row = st->step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        out.push_back({st->column_text(0), st->column_text(1), st->column_int64(2), st->column_int64(3),
                       st->column_text(4)});
    }
    return out;
}

Result<std::vector<EventCount>> FleetCache::events_since(int64_t since_ms) {
    auto st = impl_->db.prepare(
        "SELECT home_page, kiosk, kind, object, course, sum(count), max(at_ms) FROM events WHERE at_ms >= ?1 "
        "GROUP BY home_page, kiosk, kind, object, course",
        "events", false);
    if (!st) return std::move(st).error();
    st->bind_int64(1, since_ms);
    std::vector<EventCount> out;
    for (;;) {
        auto row = st->step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        out.push_back({st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3),
                       st->column_text(4), st->column_int64(5), st->column_int64(6)});
    }
    return out;
}

Result<std::map<std::string, int64_t>> FleetCache::skipped() {
    std::map<std::string, int64_t> out;
    for (const char* key : {"malformed", "unknown_verb"}) {
        auto v = impl_->db.query_int64(std::string("SELECT value FROM meta WHERE key = '") + key + "'", "skipped");
        if (!v) return std::move(v).error();
        out[key] = *v;
    }
    return out;
}

}  // namespace lasr::fleet
