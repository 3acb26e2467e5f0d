#include "tests/fleet/fleet_fixtures.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace lasr::test {
namespace {

xapi::StatementFrame frame(const std::string& kiosk, int64_t at_ms, int64_t seq) {
    xapi::StatementFrame f;
    f.statement_id = xapi::new_uuid();
    f.home_page = "https://springfield.example.org";
    f.kiosk_id = kiosk;
    f.seq = seq;
    f.boot_id = "8c7d9a52-57d0-4c1a-9f7e-3b1c5d2e4f60";
    f.uptime_ms = 3600000;
    f.clock_trusted = true;
    f.timestamp = xapi::format_minute(std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms)));
    return f;
}

std::string must(Result<std::string> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    return r ? *r : std::string();
}

}  // namespace

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

xapi::Health health(const std::string& library, uint64_t pack_version, const std::string& expires, int interval_s) {
    xapi::Health h;
    h.app_version = "0.1.0";
    h.mode = "patron";
    h.branch = "main-street";
    h.heartbeat_interval_s = interval_s;
    h.library = library;
    h.pack_version = pack_version;
    h.pack_issued = "2026-11-01T00:00:00Z";
    h.pack_expires = expires;
    h.content_sync = "idle";
    h.queue_depth = 0;
    h.disk_free_mb = 20480;
    h.uptime_s = 3600;
    h.screen = "unmanaged";
    return h;
}

std::string heartbeat_statement(const std::string& kiosk, const xapi::Health& h, int64_t at_ms, int64_t seq) {
    return must(xapi::build_heartbeat(h, frame(kiosk, at_ms, seq)));
}

std::string play_statement(const std::string& kiosk, const std::string& video, const std::string& course,
                           int64_t at_ms, bool completed, int64_t seq) {
    xapi::UsageEvent ev(completed ? xapi::EventKind::video_completed : xapi::EventKind::video_initialized, video,
                        course);
    ev.length_s = 60;
    ev.time_s = completed ? 60 : 0;
    ev.progress = completed ? 1 : 0;
    ev.segments = completed ? "0.000[.]60.000" : "";
    xapi::StatementFrame f = frame(kiosk, at_ms, seq);
    f.video_session = xapi::new_uuid();
    return must(xapi::build_statement(ev, f));
}

std::string error_statement(const std::string& kiosk, const std::string& kind, int64_t at_ms, int64_t seq) {
    return must(xapi::build_statement(xapi::UsageEvent(xapi::EventKind::kiosk_error, kind), frame(kiosk, at_ms, seq)));
}

fleet::FleetOptions fleet_options(const TestLrs& lrs, const std::filesystem::path& cache) {
    fleet::FleetOptions o;
    o.lrs.base_url = lrs.base_url();
    o.lrs.user = "kiosk-7";
    o.lrs.password = "s3cret";
    o.lrs.timeout_s = 30;
    o.cache = cache;
    return o;
}

}  // namespace lasr::test
