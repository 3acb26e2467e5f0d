// Per-screen training progress (which module of each playlist comes next,
// and where an interrupted one stopped), kept in SQLite.
//
// Why SQLite (through lasr_db) rather than a small file: a commit is already
// atomic and survives a power cut (WAL, tested with SIGKILL for the usage
// log), so there is no second write-temp-fsync-rename path to get right; and
// it is its own file, <data_dir>/training.sqlite3, not the usage log's: it
// is device state, kept when usage logging is off and never exported.
#pragma once

#include <filesystem>
#include <memory>

#include "config/result.hpp"
#include "playlists/training.hpp"

namespace lasr {

class ProgressStore {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens or creates the database (and its directory).
    static Result<std::unique_ptr<ProgressStore>> open(const std::filesystem::path& db_path);
    ~ProgressStore();
    ProgressStore(const ProgressStore&) = delete;
    ProgressStore& operator=(const ProgressStore&) = delete;

    Result<Progress> load();
    // Writes every playlist's cursor in one transaction.
    Status save(const Progress& progress);

    struct Impl;

private:
    explicit ProgressStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lasr
