// The admin screen's sync lines: each state of the content sync and the
// usage upload reads as a sentence a staff member can act on.
#include <gtest/gtest.h>

#include "kiosk/app/admin_text.hpp"

namespace lasr {
namespace {

AdminStatus base() {
    AdminStatus a;
    a.now = 1'800'000'000;  // 2027-01-15
    a.content.sync_configured = true;
    a.have_usage = true;
    a.have_queue = true;
    a.upload.configured = true;
    return a;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(AdminText, RunningLineGivesUptimeMemoryAndTheDailyRestart) {
    AdminStatus a = base();
    a.uptime_s = 3 * 3600 + 600;
    a.rss_mb = 221.4;
    a.daily_restart = "04:00";
    EXPECT_EQ(running_line(a, "en").text, "3 h, 221 MB of memory; restarts daily at 04:00");
    EXPECT_EQ(running_line(a, "es").text, "3 h, 221 MB de memoria; se reinicia cada día a las 04:00");
    a.uptime_s = 9 * 86400;
    a.rss_mb = -1;  // unknown: left out
    a.daily_restart.clear();
    EXPECT_EQ(running_line(a, "en").text, "9 d; no daily restart");
    a.uptime_s = 20 * 60;
    EXPECT_EQ(running_line(a, "en").text, "20 min; no daily restart");
}

TEST(AdminText, ContentSyncNotConfiguredIsQuiet) {
    AdminStatus a = base();
    a.content.sync_configured = false;
    auto l = content_sync_line(a, "en");
    EXPECT_EQ(l.text, "not configured");
    EXPECT_TRUE(l.quiet);
    EXPECT_FALSE(l.problem);
}

TEST(AdminText, ContentSyncDownloadShowsPercentFilesBytesAndTimeLeft) {
    AdminStatus a = base();
    a.content.sync_phase = "fetch";
    a.content.files_done = 3;
    a.content.files_total = 7;
    a.content.bytes_done = 12'000'000;
    a.content.bytes_total = 48'000'000;
    a.content.sync_eta_s = 150;
    auto l = content_sync_line(a, "en");
    EXPECT_EQ(l.text, "Downloading 25%: 3 of 7 files, 12 MB of 48 MB, about 3 min left");
    EXPECT_FALSE(l.problem);
    a.content.sync_eta_s = -1;  // not known yet: not shown
    EXPECT_FALSE(contains(content_sync_line(a, "en").text, "left"));
    EXPECT_TRUE(contains(content_sync_line(a, "es").text, "Descargando 25%"));
}

TEST(AdminText, ContentSyncFailureNamesTheCauseAndTheLastSuccess) {
    AdminStatus a = base();
    a.content.sync_phase = "offline";
    a.content.sync_error = "sync/unavailable: content server 127.0.0.1: connection refused";
    a.content.sync_last_success = a.now - 3600;
    auto l = content_sync_line(a, "en");
    EXPECT_TRUE(l.problem);
    EXPECT_TRUE(contains(l.text, "Offline: content server 127.0.0.1: connection refused; last success "));
    a.content.sync_phase = "error";
    a.content.sync_last_success = 0;
    l = content_sync_line(a, "en");
    EXPECT_EQ(l.text, "Failed: content server 127.0.0.1: connection refused");
}

TEST(AdminText, ContentSyncUpToDateSaysWhenItLastChecked) {
    AdminStatus a = base();
    a.content.sync_phase = "idle";
    EXPECT_EQ(content_sync_line(a, "en").text, "Waiting for the first check");
    a.content.sync_last_success = a.now - 60;
    auto l = content_sync_line(a, "en");
    EXPECT_TRUE(contains(l.text, "Up to date (checked ")) << l.text;
    EXPECT_EQ(l.text.size(), std::string("Up to date (checked 14:02)").size()) << "today: the time only";
    a.content.sync_last_success = a.now - 3 * 86400;
    EXPECT_TRUE(contains(content_sync_line(a, "en").text, "(checked 2027-01-")) << "another day: the date too";
}

TEST(AdminText, UploadStates) {
    AdminStatus a = base();
    a.queue.queued = 0;
    a.queue.last_success = "2027-01-15T08:00:00.000Z";
    auto l = usage_upload_line(a, "en");
    EXPECT_TRUE(contains(l.text, "All sent (last sent ")) << l.text;
    EXPECT_FALSE(l.problem);

    a.queue.queued = 125;
    a.queue.oldest_unsent = "2027-01-12T08:00:00.000Z";
    a.queue.last_error = "sync/unavailable: LRS answered 503";
    l = usage_upload_line(a, "en");
    EXPECT_TRUE(l.problem);
    EXPECT_TRUE(contains(l.text, "125 waiting since 2027-01-12 ")) << l.text;
    EXPECT_TRUE(contains(l.text, "; last error: LRS answered 503")) << l.text;

    a.upload.paused = true;
    l = usage_upload_line(a, "en");
    EXPECT_TRUE(l.problem);
    EXPECT_TRUE(contains(l.text, "refused the kiosk's credentials")) << l.text;

    a.upload.paused = false;
    a.queue.last_error.clear();
    a.queue.dead_letters = 2;
    l = usage_upload_line(a, "en");
    EXPECT_TRUE(l.problem);
    EXPECT_TRUE(contains(l.text, "2 refused for good")) << l.text;

    a.upload.configured = false;
    l = usage_upload_line(a, "en");
    EXPECT_TRUE(l.quiet);
    EXPECT_TRUE(contains(l.text, "not configured; 125 waiting")) << l.text;

    a.have_usage = false;
    EXPECT_EQ(usage_upload_line(a, "en").text, "off (usage.enabled = false)");
}

}  // namespace
}  // namespace lasr
