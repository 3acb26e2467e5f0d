// The fleet view's local cache (SQLite, through lasr_db): what `fleet` has
// read from the LRS, reduced to Facts, so the next run asks only for what
// was stored since (per verb, by `stored`).
//
// Never half-written: each page read from the LRS goes in with the verb's
// cursor in one transaction, so an interrupted run leaves the cache at the
// end of a whole page, and the next run goes on from there. Statements are
// kept by id, so the overlap the next run re-reads (stored times are not
// unique, and a distributed LRS makes a statement visible a little after
// its stored time) is never counted twice.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/result.hpp"
#include "kiosk/fleet/facts.hpp"

namespace lasr::fleet {

// What the cache knows of one kiosk.
struct KioskFacts {
    std::string home_page;
    std::string kiosk;
    int64_t last_seen_ms = 0;
    int64_t health_at_ms = -1;  // -1: no heartbeat yet
    std::string health;         // the latest heartbeat's health object (JSON)
};

struct EventCount {
    std::string home_page, kiosk;
    std::string kind;    // to_string(Fact::Kind): play, completion, error
    std::string object;  // video id or error kind
    std::string course;
    int64_t count = 0;
    int64_t latest_ms = 0;
};

class FleetCache {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens (creating) the cache for the LRS at `lrs_url`. A cache made for
    // another LRS is refused (its cursors would skip statements).
    static Result<std::unique_ptr<FleetCache>> open(const std::filesystem::path& path, const std::string& lrs_url);
    ~FleetCache();
    FleetCache(const FleetCache&) = delete;
    FleetCache& operator=(const FleetCache&) = delete;

    // The latest `stored` read for a verb (ms since the epoch), if any.
    Result<std::optional<int64_t>> cursor(const std::string& verb);
    // One page in one transaction: its facts, the verb's cursor (only ever
    // moved forward) and the skipped counts.
    Status add_page(const std::string& verb, const std::vector<Fact>& facts, int64_t max_stored_ms,
                    int64_t malformed, int64_t unknown_verb);
    // Events older than `before_ms` are of no report any more.
    Status prune(int64_t before_ms);

    Result<std::vector<KioskFacts>> kiosks();
    // Events at or after `since_ms`, grouped by kiosk, kind, object, course.
    Result<std::vector<EventCount>> events_since(int64_t since_ms);
    // Statements skipped over the cache's life: "malformed", "unknown_verb".
    Result<std::map<std::string, int64_t>> skipped();

private:
    struct Impl;
    explicit FleetCache(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lasr::fleet
