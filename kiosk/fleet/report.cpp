#include "kiosk/fleet/report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/log.hpp"

namespace lasr::fleet {
namespace {

using json = nlohmann::json;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int kMissedHeartbeats = 3;

// A heartbeat's field, or the fallback when it is missing or of another
// type (a kiosk of another version may send more, or less).
std::string str_of(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t int_of(const json& j, const char* key, int64_t fallback) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace

int state_rank(const std::string& s) {
    if (s == "silent") return 0;
    if (s == "failing") return 1;
    if (s == "expired content") return 2;
    if (s == "behind") return 3;
    return 4;
}

std::string age_text(int64_t s) {
    if (s < 0) s = 0;
    if (s < 120) return std::to_string(s) + " s";
    if (s < 2 * 3600) return std::to_string(s / 60) + " min";
    if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
    return std::to_string(s / 86400) + " d";
}

int FleetReport::exit_code() const {
    for (const KioskRow& k : kiosks)
        if (k.state == "silent" || k.state == "failing") return 1;
    return 0;
}

Result<FleetReport> build_report(FleetCache& cache, int64_t now_ms) {
    FleetReport r;
    r.now_ms = now_ms;
    auto kiosks = cache.kiosks();
    if (!kiosks) return std::move(kiosks).error();
    // Errors need the last 3 intervals; plays the last 7 days.
    auto events = cache.events_since(now_ms - 7 * kDayMs);
    if (!events) return std::move(events).error();
    auto skipped = cache.skipped();
    if (!skipped) return std::move(skipped).error();
    r.skipped = *skipped;

    std::map<std::pair<std::string, std::string>, size_t> index;
    for (const KioskFacts& k : *kiosks) {
        KioskRow row;
        row.kiosk = k.kiosk;
        row.home_page = k.home_page;
        row.last_seen_ms = k.last_seen_ms;
        row.last_seen_age_s = std::max<int64_t>(0, (now_ms - k.last_seen_ms) / 1000);
        if (!k.health.empty()) {
            json h = json::parse(k.health, nullptr, false);
            if (h.is_object()) {
                row.has_heartbeat = true;
                row.library = str_of(h, "library");
                row.branch = str_of(h, "branch");
                row.mode = str_of(h, "mode");
                row.app_version = str_of(h, "app-version");
                row.pack_version = int_of(h, "pack-version", 0);
                row.pack_issued = str_of(h, "pack-issued");
                row.pack_expires = str_of(h, "pack-expires");
                row.heartbeat_interval_s = static_cast<int>(std::clamp<int64_t>(int_of(h, "heartbeat-interval-s", 300), 1, 86400));
                row.content_sync = str_of(h, "content-sync");
                row.screen = str_of(h, "screen");
                row.queue_depth = int_of(h, "queue-depth", -1);
                row.queue_oldest_s = int_of(h, "queue-oldest-s", -1);
                row.disk_free_mb = int_of(h, "disk-free-mb", -1);
                row.uptime_s = int_of(h, "uptime-s", -1);
                if (row.content_sync == "error") row.cause = str_of(h, "content-error");
            }
        }
        index[{k.home_page, k.kiosk}] = r.kiosks.size();
        r.kiosks.push_back(std::move(row));
    }

    // Errors in each kiosk's recent window, plays and completions in 7 days.
    std::map<size_t, std::map<std::string, std::pair<int64_t, int64_t>>> errors;  // kind -> (count, latest)
    std::map<std::pair<std::string, std::string>, int64_t> branch_plays;
    for (const EventCount& e : *events) {
        auto it = index.find({e.home_page, e.kiosk});
        if (it == index.end()) continue;
        KioskRow& row = r.kiosks[it->second];
        if (e.kind == "play") {
            row.plays_7d += e.count;
            const std::string label = (row.library.empty() ? std::string("?") : row.library) + " / " +
                                      (row.branch.empty() ? std::string("(no branch)") : row.branch);
            r.plays_by_branch[label][e.course.empty() ? std::string("(rolled up)") : e.course] += e.count;
        } else if (e.kind == "completion") {
            row.completions_7d += e.count;
        }
    }
    // Errors count in each kiosk's own recent window (3 of its intervals).
    for (const EventCount& e : *events) {
        if (e.kind != "error") continue;
        auto it = index.find({e.home_page, e.kiosk});
        if (it == index.end()) continue;
        const KioskRow& row = r.kiosks[it->second];
        const int64_t window_ms = int64_t{kMissedHeartbeats} * row.heartbeat_interval_s * 1000;
        if (e.latest_ms < now_ms - window_ms) continue;
        auto& slot = errors[it->second][e.object];
        slot.first += e.count;
        slot.second = std::max(slot.second, e.latest_ms);
    }

    // Newest pack per library.
    std::map<std::string, int64_t> newest;
    for (const KioskRow& k : r.kiosks)
        if (!k.library.empty()) newest[k.library] = std::max(newest[k.library], k.pack_version);

    for (size_t i = 0; i < r.kiosks.size(); ++i) {
        KioskRow& k = r.kiosks[i];
        const int64_t window_s = int64_t{kMissedHeartbeats} * k.heartbeat_interval_s;
        auto err = errors.find(i);
        if (err != errors.end()) {
            // The most frequent kind; the most recent among equals.
            const std::pair<const std::string, std::pair<int64_t, int64_t>>* top = nullptr;
            for (const auto& e : err->second) {
                k.errors_recent += e.second.first;
                if (!top || e.second.first > top->second.first ||
                    (e.second.first == top->second.first && e.second.second > top->second.second))
                    top = &e;
            }
            if (top) k.cause = top->first;
        }
        const auto expires = parse_time_ms(k.pack_expires);
        if (k.last_seen_age_s > window_s) {
            k.state = "silent";
            k.cause = "nothing heard for " + age_text(k.last_seen_age_s) + " (heartbeat every " +
                      age_text(k.heartbeat_interval_s) + ")";
        } else if (k.errors_recent > 0 || k.content_sync == "error") {
            k.state = "failing";
            if (k.cause.empty()) k.cause = "content sync failing";
        } else if (expires && *expires < now_ms) {
            k.state = "expired content";
            k.cause = "pack " + std::to_string(k.pack_version) + " expired " + k.pack_expires;
        } else if (!k.library.empty() && k.pack_version < newest[k.library]) {
            k.state = "behind";
            k.cause = "pack " + std::to_string(k.pack_version) + " < " + std::to_string(newest[k.library]) +
                      " (newest seen for " + k.library + ")";
        } else {
            k.state = "ok";
            k.cause.clear();
        }
        ++r.by_state[k.state];
    }
    std::stable_sort(r.kiosks.begin(), r.kiosks.end(), [](const KioskRow& a, const KioskRow& b) {
        const int ra = state_rank(a.state), rb = state_rank(b.state);
        if (ra != rb) return ra < rb;
        return std::tie(a.library, a.branch, a.kiosk, a.home_page) < std::tie(b.library, b.branch, b.kiosk, b.home_page);
    });
    return r;
}

}  // namespace lasr::fleet
