// The fleet view: one row per kiosk from what the cache holds, and the ways
// it is written out (a terminal table, JSON, one static HTML page, a
// Prometheus textfile).
//
// States, worst first (a kiosk has the first that applies):
//   silent   nothing heard for more than 3 heartbeat intervals
//   failing  errors in the last 3 intervals (the most frequent kind is the
//            cause), or its content sync fails (its error kind)
//   expired  its content pack has expired ("expired content")
//   behind   its pack is older than the newest seen for its library
//   ok
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/result.hpp"
#include "kiosk/fleet/cache.hpp"

namespace lasr::fleet {

struct KioskRow {
    std::string kiosk;      // its id (actor.account.name)
    std::string home_page;
    std::string library;    // the pack's library id (from its heartbeat)
    std::string branch;
    std::string mode;
    std::string app_version;
    int64_t pack_version = 0;
    std::string pack_issued, pack_expires;
    int64_t last_seen_ms = 0;
    int64_t last_seen_age_s = 0;
    int heartbeat_interval_s = 300;
    bool has_heartbeat = false;
    std::string state;      // "ok", "silent", "failing", "expired content", "behind"
    std::string cause;      // why (failing: the top error kind)
    std::string content_sync;
    std::string screen;
    int64_t queue_depth = -1;
    int64_t queue_oldest_s = -1;
    int64_t disk_free_mb = -1;
    int64_t uptime_s = -1;
    int64_t errors_recent = 0;
    int64_t plays_7d = 0;
    int64_t completions_7d = 0;
};

struct FleetReport {
    std::string lrs;
    int64_t now_ms = 0;
    std::vector<KioskRow> kiosks;  // worst state first, then by library, branch, id
    // Plays in the last 7 days: branch label -> course id -> plays.
    std::map<std::string, std::map<std::string, int64_t>> plays_by_branch;
    std::map<std::string, int64_t> by_state;
    std::map<std::string, int64_t> skipped;  // "malformed", "unknown_verb" (the cache's life)
    // This run: what was read.
    int64_t statements_read = 0;
    int64_t requests = 0;

    // 0: every kiosk ok (or only expired / behind); 1: a kiosk is silent or failing.
    int exit_code() const;
};

Result<FleetReport> build_report(FleetCache& cache, int64_t now_ms);

std::string render_text(const FleetReport& r);
std::string render_json(const FleetReport& r);
std::string render_html(const FleetReport& r);
std::string render_prometheus(const FleetReport& r);

// 0 silent, 1 failing, 2 expired content, 3 behind, 4 ok: worst first.
int state_rank(const std::string& state);

// "45 s", "12 min", "3 h", "2 d"
std::string age_text(int64_t seconds);

}  // namespace lasr::fleet
