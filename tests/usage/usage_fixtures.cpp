#include "tests/usage/usage_fixtures.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

namespace lasr::test {

using json = nlohmann::json;

int scripted_session(UsageLog& log, int variant) {
    int n = 0;
    auto ok = [&](const Status& st) {
        EXPECT_TRUE(st) << st.error().describe();
        return static_cast<bool>(st);
    };
    const std::string v = std::to_string(variant % 5);
    if (!ok(log.record({EventKind::app_started}))) return -1;
    ++n;
    if (!ok(log.begin_session())) return -1;
    ++n;
    if (!ok(log.record({EventKind::course_opened, "course-" + v}))) return -1;
    ++n;
    auto play = log.play_started("video-" + v, "course-" + v, 120.5);
    EXPECT_TRUE(play) << play.error().describe();
    if (!play) return -1;
    n += 1;
    if (!ok(log.play_event(*play, EventKind::video_played, 0))) return -1;
    if (!ok(log.play_progress(*play, 20))) return -1;
    if (!ok(log.play_event(*play, EventKind::video_paused, 30.25))) return -1;
    if (!ok(log.play_event(*play, EventKind::video_played, 30.25))) return -1;
    if (!ok(log.play_event(*play, EventKind::video_seeked, 60, 45.5))) return -1;
    n += 4;
    if (!ok(log.play_ended(*play, 121, PlayOutcome::completed))) return -1;
    n += 2;  // completed + terminated
    if (!ok(log.record({EventKind::resource_viewed, "food-bank-" + v}))) return -1;
    if (!ok(log.record({EventKind::qr_shown, "food-bank-" + v}))) return -1;
    if (!ok(log.record({EventKind::alert_shown, "storm.2026"}))) return -1;
    n += 3;
    auto second = log.play_started("video-x" + v, "course-" + v, 10);
    EXPECT_TRUE(second);
    if (!second) return -1;
    if (!ok(log.play_event(*second, EventKind::video_played, 0))) return -1;
    if (!ok(log.play_ended(*second, 4.5, PlayOutcome::stopped))) return -1;
    n += 3;  // initialized, played, terminated
    if (!ok(log.record({EventKind::kiosk_error, "media.unplayable"}))) return -1;
    ++n;
    if (!ok(log.end_session())) return -1;
    ++n;
    if (!ok(log.record({EventKind::app_stopped}))) return -1;
    ++n;
    return n;
}

SyncSettings sync_settings(const TestLrs& lrs, int batch) {
    SyncSettings s;
    s.statements_url = lrs.base_url() + "statements";
    s.user = "kiosk-7";
    s.password = "s3cret";
    s.batch_max_statements = batch;
    s.batch_max_bytes = 256 * 1024;
    s.backoff_base = std::chrono::milliseconds(5);
    s.backoff_cap = std::chrono::milliseconds(40);
    s.request_timeout_s = 1;
    return s;
}

int drain(UsageSync& sync, int max_runs, std::chrono::milliseconds max_sleep) {
    std::atomic<bool> stop{false};
    for (int i = 1; i <= max_runs; ++i) {
        SyncResult r = sync.run(stop);
        if (r.outcome == SyncResult::Outcome::drained) return i;
        if (r.outcome == SyncResult::Outcome::failed || r.outcome == SyncResult::Outcome::paused) {
            ADD_FAILURE() << "sync " << to_string(r.outcome) << ": " << r.message;
            return -1;
        }
        std::this_thread::sleep_for(std::min(max_sleep, r.retry_in));
    }
    return -1;
}

std::vector<OutboxRow> outbox_rows(UsageLog& log) {
    auto rows = log.outbox_head(1 << 30, SIZE_MAX);
    EXPECT_TRUE(rows) << rows.error().describe();
    return rows ? *rows : std::vector<OutboxRow>{};
}

namespace {

bool string_allowed(const std::string& s) {
    static const std::regex patterns[] = {
        std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),  // UUID
        std::regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$"),            // timestamp
        std::regex("^\\d{4}-\\d{2}-\\d{2}$"),                                           // day
        std::regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$"),                      // a pack's issued/expires
        std::regex("^https?://[A-Za-z0-9.:/_%~-]+$"),                                  // IRI, no spaces or query
        std::regex("^[a-z]+$"),                                                         // verb words
        std::regex("^en-US$"),
        std::regex("^(\\d+\\.\\d{3}\\[\\.\\]\\d+\\.\\d{3})(\\[,\\]\\d+\\.\\d{3}\\[\\.\\]\\d+\\.\\d{3})*$|^$"),  // segments
        std::regex("^[a-z]+\\.[a-z_]+$"),                                               // error kind
        std::regex("^[A-Za-z0-9._-]{1,64}$"),                                           // kiosk id
    };
    for (const auto& re : patterns)
        if (std::regex_match(s, re)) return true;
    return false;
}

void walk(const json& j, const std::string& path, bool& ok) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) walk(it.value(), path + "/" + it.key(), ok);
    } else if (j.is_array()) {
        for (size_t i = 0; i < j.size(); ++i) walk(j[i], path + "/" + std::to_string(i), ok);
    } else if (j.is_string()) {
        if (!string_allowed(j.get<std::string>())) {
            ADD_FAILURE() << "free text at " << path << ": \"" << j.get<std::string>() << "\"";
            ok = false;
        }
    }
}

}  // namespace

bool check_statement_shape(const std::string& body) {
    json st = json::parse(body, nullptr, false);
    if (st.is_discarded()) {
        ADD_FAILURE() << "not JSON: " << body;
        return false;
    }
    bool ok = true;
    auto expect = [&](bool cond, const std::string& what) {
        if (!cond) {
            ADD_FAILURE() << what << " in " << body;
            ok = false;
        }
    };
    expect(st.contains("id") && st["id"].is_string(), "id");
    expect(st["actor"]["objectType"] == "Agent", "actor.objectType");
    expect(st["actor"].size() == 2 && st["actor"]["account"].size() == 2, "the actor is an account and nothing else");
    expect(st["actor"]["account"]["homePage"].is_string() && st["actor"]["account"]["name"].is_string(), "account");
    expect(st["verb"]["id"].is_string() && st["verb"]["display"]["en-US"].is_string(), "verb");
    expect(st["object"]["id"].is_string(), "object.id");
    const json& ext = st["context"]["extensions"];
    const std::string v = "https://lasr-kiosk.invalid/xapi/ext/";
    expect(ext.contains(v + "seq") && ext[v + "seq"].is_number_integer(), "seq");
    expect(ext.contains(v + "boot-id"), "boot-id");
    expect(ext.contains(v + "uptime-min") && ext[v + "uptime-min"].is_number_integer(), "uptime-min");
    expect(ext.contains(v + "clock-trusted") && ext[v + "clock-trusted"].is_boolean(), "clock-trusted");
    if (ext.value(v + "clock-trusted", false)) {
        expect(st.contains("timestamp"), "a trusted clock writes a timestamp");
        if (st.contains("timestamp")) {
            const std::string ts = st["timestamp"];
            // The minute, in the one fixed format: seconds and milliseconds zero.
            expect(std::regex_match(ts, std::regex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:00\\.000Z$")),
                   "timestamp truncated to the minute, fixed format");
        }
    } else {
        expect(!st.contains("timestamp"), "no timestamp from an untrusted clock");
    }
    for (const char* k : {"mbox", "mbox_sha1sum", "openid", "name"})
        expect(!st["actor"].contains(k), std::string("no person in the actor (") + k + ")");
    walk(st, "", ok);
    return ok;
}

}  // namespace lasr::test
