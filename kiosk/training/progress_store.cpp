#include "kiosk/training/progress_store.hpp"

#include "kiosk/db/sqlite.hpp"

namespace lasr {
namespace {

constexpr std::string_view kSchemaV1 = R"(
CREATE TABLE progress (
    playlist_id TEXT PRIMARY KEY NOT NULL,
    item_index  INTEGER NOT NULL CHECK (item_index >= 0),
    video_id    TEXT NOT NULL,
    position_s  REAL NOT NULL CHECK (position_s >= 0)
);
)";

constexpr sqlite::Migration kMigrations[] = {{1, "v1: progress table", kSchemaV1}};
static_assert(std::size(kMigrations) == ProgressStore::kSchemaVersion);

}  // namespace

struct ProgressStore::Impl {
    sqlite::Database db;
    sqlite::Statement upsert;
    sqlite::Statement select_all;
};

ProgressStore::ProgressStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProgressStore::~ProgressStore() = default;

Result<std::unique_ptr<ProgressStore>> ProgressStore::open(const std::filesystem::path& db_path) {
    std::error_code ec;
    if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
    if (ec)
        return make_error(Domain::storage, Errc::io, db_path.parent_path().string() + ": cannot create directory: " + ec.message());
    auto impl = std::make_unique<Impl>();
    auto db = sqlite::Database::open(db_path);
    if (!db) return std::move(db).error();
    impl->db = std::move(*db);
    LASR_TRY(impl->db.set_busy_timeout(2000));
    auto journal = impl->db.query_text("PRAGMA journal_mode = WAL", "enabling WAL");
    if (!journal) return std::move(journal).error();
    // NORMAL in WAL: a power cut may lose the last commit, never corrupt.
    LASR_TRY(impl->db.exec(*journal == "wal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", "setting synchronous"));
    auto version = sqlite::migrate(impl->db, kMigrations);
    if (!version) return std::move(version).error();
    auto up = impl->db.prepare(
        "INSERT INTO progress (playlist_id, item_index, video_id, position_s) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (playlist_id) DO UPDATE SET item_index = ?2, video_id = ?3, position_s = ?4",
        "save progress");
    if (!up) return std::move(up).error();
    impl->upsert = std::move(*up);
    auto sel = impl->db.prepare("SELECT playlist_id, item_index, video_id, position_s FROM progress", "load progress");
    if (!sel) return std::move(sel).error();
    impl->select_all = std::move(*sel);
    return std::unique_ptr<ProgressStore>(new ProgressStore(std::move(impl)));
}

Result<Progress> ProgressStore::load() {
    Progress out;
    sqlite::Statement& st = impl_->select_all;
    sqlite::ScopedReset reset(st);
    for (;;) {
        auto row = st.step();
        if (!row) return std::move(row).error();
        if (!*row) break;
        Cursor c;
        c.index = static_cast<size_t>(std::max<int64_t>(0, st.column_int64(1)));
        c.video_id = st.column_text(2);
        c.position_s = st.column_double(3);
        out[st.column_text(0)] = c;
    }
    return out;
}

Status ProgressStore::save(const Progress& progress) {
    sqlite::Transaction tx(impl_->db);
    LASR_TRY(tx.begin());
    sqlite::Statement& st = impl_->upsert;
    for (const auto& [playlist, c] : progress) {
        sqlite::ScopedReset reset(st);
        st.bind_text(1, playlist);
        st.bind_int64(2, static_cast<int64_t>(c.index));
        st.bind_text(3, c.video_id);
        st.bind_double(4, std::max(0.0, c.position_s));
        LASR_TRY(st.run());
    }
    return tx.commit();
}

}  // namespace lasr
