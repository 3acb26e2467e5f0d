// 50 kiosks x 3 days of statements, written by the kiosk's own usage log and
// posted by its own usage sync to the scripted LRS; then `fleet` (the
// library and the real lasr-kioskctl) must report each kiosk's state,
// versions and counts exactly as sent. And the usage sync end to end:
// every statement accepted, read back equal through the query API, none
// twice.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/net/http.hpp"
#include "tests/fleet/fleet_fixtures.hpp"
#include "tests/usage/usage_fixtures.hpp"

namespace lasr {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int kKiosks = 50;
constexpr int64_t kHourMs = 3600 * 1000;

struct Expected {
    std::string library, branch, mode, app_version, state, cause;
    int64_t pack_version = 0;
    std::string expires;
    int64_t plays = 0, completions = 0;
};

std::string kiosk_name(int k) {
    char b[16];
    std::snprintf(b, sizeof b, "kiosk-%02d", k);
    return b;
}

class Fleet50 : public ::testing::Test {
protected:
    // Builds the fleet's three days once for the suite (about 6,500 statements).
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        lrs_ = new test::TestLrs();
        sent_ = new std::map<std::string, std::string>();
        expected_ = new std::map<std::string, Expected>();
        const int64_t end = test::now_ms() - 60000;  // the simulated three days end a minute ago
        const int64_t start = end - 72 * kHourMs;
        for (int k = 0; k < kKiosks; ++k) simulate(k, start, end);
    }
    static void TearDownTestSuite() {
        delete expected_;
        delete sent_;
        delete lrs_;
        delete dir_;
    }

    static void simulate(int k, int64_t start, int64_t end) {
        const std::string name = kiosk_name(k);
        Expected e;
        e.library = k < 30 ? "springfield" : "shelbyville";
        e.branch = "branch-" + std::to_string(k % 5);
        e.mode = k % 10 == 9 ? "training" : "patron";
        e.app_version = k == 13 ? "0.0.9" : "0.1.0";
        e.pack_version = k < 30 ? (k == 28 ? 6 : 7) : 3;
        e.expires = fleet::format_time_ms(end + (k == 29 ? -24 : 30 * 24) * kHourMs).substr(0, 19) + "Z";
        const bool silent = k == 45 || k == 46 || k == 47;
        e.state = silent ? "silent" : (k == 40 || k == 41) ? "failing" : k == 29 ? "expired content" : k == 28 ? "behind" : "ok";
        if (k == 40) e.cause = "media.unplayable";
        if (k == 41) e.cause = "sync.not_found";

        test::FakeClock clock;
        UsageOptions o;
        o.kiosk_id = name;
        o.home_page = "https://" + e.library + ".example.org";
        o.clock = clock.fn();
        auto opened = UsageLog::open(dir_->path() / (name + ".sqlite3"), o);
        ASSERT_TRUE(opened) << opened.error().describe();
        UsageLog& log = **opened;
        const int per_day = k % 4 + 1;
        int64_t errors_since = 0;
        for (int h = 0; h < 72; ++h) {
            const int64_t t = start + h * kHourMs + k * 1000;
            if (silent && t > end - 5 * kHourMs) break;  // it went dark five hours ago
            clock.wall_ms = t;
            if (h % 24 == 0) {
                ASSERT_TRUE(log.record({EventKind::app_started}));
            }
            if (h % 24 == 10) {
                for (int j = 0; j < per_day; ++j) {
                    auto play = log.play_started("v" + std::to_string(j), "c" + std::to_string(j % 3 + 1), 60);
                    ASSERT_TRUE(play) << play.error().describe();
                    ASSERT_TRUE(log.play_event(*play, EventKind::video_played, 0));
                    const bool done = j % 2 == 0;
                    ASSERT_TRUE(log.play_ended(*play, done ? 60 : 20, done ? PlayOutcome::completed : PlayOutcome::stopped));
                    ++e.plays;
                    e.completions += done;
                }
            }
            if (k == 5 && h == 20) {  // an old error: it does not make kiosk-05 failing today
                ASSERT_TRUE(log.record({EventKind::kiosk_error, "media.truncated"}));
                ++errors_since;
            }
            if (k == 40 && h == 71) {
                for (const char* kind : {"media.unplayable", "content.hash_mismatch", "media.unplayable", "media.unplayable"})
                    ASSERT_TRUE(log.record({EventKind::kiosk_error, kind}));
                errors_since += 4;
            }
            xapi::Health hb = test::health(e.library, static_cast<uint64_t>(e.pack_version), e.expires);
            hb.branch = e.branch;
            hb.mode = e.mode;
            hb.app_version = e.app_version;
            hb.errors = errors_since;
            errors_since = 0;
            if (k == 41 && h >= 70) {
                hb.content_sync = "error";
                hb.content_error = "sync.not_found";
            }
            ASSERT_TRUE(log.record_heartbeat(hb));
        }
        for (const OutboxRow& row : test::outbox_rows(log)) (*sent_)[row.statement_id] = row.body;
        auto sync = UsageSync::create(log, test::sync_settings(*lrs_, 100));
        ASSERT_TRUE(sync) << sync.error().describe();
        ASSERT_GT(test::drain(**sync), 0) << name;
        auto left = log.status();
        ASSERT_TRUE(left);
        EXPECT_EQ(left->queued, 0) << name;
        (*expected_)[name] = e;
    }

    static test::TempDir* dir_;
    static test::TestLrs* lrs_;
    static std::map<std::string, std::string>* sent_;  // statement id -> the bytes the kiosk stored
    static std::map<std::string, Expected>* expected_;
};
test::TempDir* Fleet50::dir_ = nullptr;
test::TestLrs* Fleet50::lrs_ = nullptr;
std::map<std::string, std::string>* Fleet50::sent_ = nullptr;
std::map<std::string, Expected>* Fleet50::expected_ = nullptr;

// The usage sync end to end: every statement accepted once, and what the
// query API gives back is what the kiosk stored.
TEST_F(Fleet50, EveryStatementAcceptedReadBackEqualNoneTwice) {
    const test::LrsStats stats = lrs_->stats();
    EXPECT_EQ(stats.stored, static_cast<int64_t>(sent_->size()));
    EXPECT_EQ(stats.identical_resends, 0);
    EXPECT_EQ(stats.rejected_400, 0);
    EXPECT_EQ(stats.conflicts_409, 0);
    EXPECT_GT(sent_->size(), 5000u);

    auto http = net::HttpClient::create();
    ASSERT_TRUE(http);
    std::string next = "/xapi/statements?ascending=true&limit=500";
    std::set<std::string> seen;
    size_t equal = 0;
    while (!next.empty()) {
        net::HttpRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(lrs_->port()) + next;
        r.headers = {"X-Experience-API-Version: 1.0.3"};
        r.basic_user = "kiosk-7";
        r.basic_password = "s3cret";
        auto resp = (*http)->send(r);
        ASSERT_TRUE(resp) << resp.error().describe();
        ASSERT_EQ(resp->status, 200) << resp->body;
        json page = json::parse(resp->body);
        for (json st : page["statements"]) {
            const std::string id = st["id"].get<std::string>();
            EXPECT_TRUE(seen.insert(id).second) << "returned twice: " << id;
            for (const char* lrs_set : {"stored", "authority", "version"}) st.erase(lrs_set);
            auto it = sent_->find(id);
            ASSERT_NE(it, sent_->end()) << "not sent by a kiosk: " << id;
            EXPECT_EQ(st, json::parse(it->second)) << id;
            equal += st == json::parse(it->second);
        }
        next = page["more"].get<std::string>();
    }
    EXPECT_EQ(seen.size(), sent_->size());
    EXPECT_EQ(equal, sent_->size());
}

void check_rows(const std::vector<fleet::KioskRow>& rows, const std::map<std::string, Expected>& expected) {
    ASSERT_EQ(rows.size(), expected.size());
    std::map<std::string, int> states;
    for (const fleet::KioskRow& r : rows) {
        auto it = expected.find(r.kiosk);
        ASSERT_NE(it, expected.end()) << r.kiosk;
        const Expected& e = it->second;
        SCOPED_TRACE(r.kiosk);
        EXPECT_EQ(r.state, e.state) << r.cause;
        EXPECT_EQ(r.library, e.library);
        EXPECT_EQ(r.home_page, "https://" + e.library + ".example.org");
        EXPECT_EQ(r.branch, e.branch);
        EXPECT_EQ(r.mode, e.mode);
        EXPECT_EQ(r.app_version, e.app_version);
        EXPECT_EQ(r.pack_version, e.pack_version);
        EXPECT_EQ(r.pack_expires, e.expires);
        EXPECT_EQ(r.plays_7d, e.plays);
        EXPECT_EQ(r.completions_7d, e.completions);
        EXPECT_EQ(r.queue_depth, 0);
        EXPECT_EQ(r.heartbeat_interval_s, 3600);
        if (!e.cause.empty()) {
            EXPECT_EQ(r.cause, e.cause);
        }
        if (e.state == "silent") {
            EXPECT_GE(r.last_seen_age_s, 5 * 3600);
        } else {
            EXPECT_LT(r.last_seen_age_s, 2 * 3600);
        }
        ++states[r.state];
    }
    EXPECT_EQ(states["silent"], 3);
    EXPECT_EQ(states["failing"], 2);
    EXPECT_EQ(states["expired content"], 1);
    EXPECT_EQ(states["behind"], 1);
    EXPECT_EQ(states["ok"], 43);
}

TEST_F(Fleet50, FleetReportsEveryKioskAsSent) {
    auto r = fleet::refresh_and_report(test::fleet_options(*lrs_, dir_->path() / "fleet-lib.sqlite3"));
    ASSERT_TRUE(r) << r.error().describe();
    check_rows(r->kiosks, *expected_);
    EXPECT_EQ(r->exit_code(), 1);
    EXPECT_EQ(r->skipped.at("malformed"), 0);
    EXPECT_EQ(r->skipped.at("unknown_verb"), 0);
    // Worst first.
    EXPECT_EQ(r->kiosks.front().state, "silent");
    EXPECT_EQ(r->kiosks.back().state, "ok");
    // Per-course plays per branch add up to every play.
    int64_t charted = 0;
    for (const auto& [branch, courses] : r->plays_by_branch)
        for (const auto& [course, n] : courses) charted += n;
    int64_t plays = 0;
    for (const auto& [k, e] : *expected_) plays += e.plays;
    EXPECT_EQ(charted, plays);
    EXPECT_EQ(r->plays_by_branch.size(), 10u) << "5 branches in each of 2 libraries";

    // Incremental: a second run re-reads the overlap behind its cursors
    // (here: everything, all stored seconds ago) and counts nothing twice;
    // without the overlap it reads nothing at all.
    auto opts = test::fleet_options(*lrs_, dir_->path() / "fleet-lib.sqlite3");
    auto again = fleet::refresh_and_report(opts);
    ASSERT_TRUE(again) << again.error().describe();
    check_rows(again->kiosks, *expected_);
    opts.overlap_ms = 0;
    again = fleet::refresh_and_report(opts);
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_EQ(again->statements_read, 0);
    check_rows(again->kiosks, *expected_);
}

// The real command: exit code, JSON, the HTML page and the Prometheus file.
TEST_F(Fleet50, TheCommandWritesJsonHtmlAndPrometheus) {
    const fs::path d = dir_->path();
    test::write_file(d / "lrs.cred", "kiosk-7:s3cret\n");
    fs::permissions(d / "lrs.cred", fs::perms::owner_read | fs::perms::owner_write);
    const std::string cmd = std::string(LASR_KIOSKCTL) + " fleet --lrs " + lrs_->base_url() + " --credentials " +
                            (d / "lrs.cred").string() + " --cache " + (d / "fleet-cmd.sqlite3").string() +
                            " --json --html " + (d / "fleet.html").string() + " --prom " +
                            (d / "fleet.prom").string() + " >" + (d / "fleet.json").string() + " 2>" +
                            (d / "fleet.err").string();
    EXPECT_EQ(test::run({"sh", "-c", cmd}), 1) << test::read_file(d / "fleet.err");
    json doc = json::parse(test::read_file(d / "fleet.json"), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << test::read_file(d / "fleet.json");
    EXPECT_EQ(doc["exit_code"], 1);
    std::vector<fleet::KioskRow> rows;
    for (const json& k : doc["kiosks"]) {
        fleet::KioskRow r;
        r.kiosk = k["kiosk"];
        r.home_page = k["home_page"];
        r.library = k["library"];
        r.branch = k["branch"];
        r.mode = k["mode"];
        r.app_version = k["app_version"];
        r.pack_version = k["pack_version"];
        r.pack_expires = k["pack_expires"];
        r.state = k["state"];
        r.cause = k["cause"];
        r.plays_7d = k["plays_7d"];
        r.completions_7d = k["completions_7d"];
        r.queue_depth = k["queue_depth"];
        r.heartbeat_interval_s = k["heartbeat_interval_s"];
        r.last_seen_age_s = k["last_seen_age_s"];
        rows.push_back(r);
    }
    check_rows(rows, *expected_);

    const std::string html = test::read_file(d / "fleet.html");
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("kiosk-45"), std::string::npos);
    for (const char* external : {"src=\"http", "href=\"http", "@import", "url("})
        EXPECT_EQ(html.find(external), std::string::npos) << "self-contained: no " << external;
    const std::string prom = test::read_file(d / "fleet.prom");
    EXPECT_NE(prom.find("# TYPE lasr_kiosk_last_seen_seconds gauge"), std::string::npos);
    EXPECT_NE(prom.find("lasr_kiosk_state{kiosk=\"kiosk-45\",library=\"shelbyville\",branch=\"branch-0\",state=\"silent\"} 1"),
              std::string::npos)
        << prom.substr(0, 2000);
    EXPECT_NE(prom.find("lasr_fleet_kiosks{state=\"failing\"} 2"), std::string::npos);
    EXPECT_FALSE(fs::exists(d / "fleet.prom.tmp")) << "written atomically";

    // From the cache only, with a wrong LRS password: still the same report.
    EXPECT_EQ(test::run({"sh", "-c",
                         std::string(LASR_KIOSKCTL) + " fleet --lrs " + lrs_->base_url() + " --cache " +
                             (d / "fleet-cmd.sqlite3").string() + " --offline >/dev/null 2>&1"}),
              1);
    // An LRS that cannot be reached: exit 2, a message.
    EXPECT_EQ(test::run({"sh", "-c",
                         std::string(LASR_KIOSKCTL) + " fleet --lrs http://127.0.0.1:1/xapi/ --cache " +
                             (d / "other.sqlite3").string() + " 2>" + (d / "down.err").string()}),
              2);
    EXPECT_NE(test::read_file(d / "down.err").find("fleet: "), std::string::npos);
}

}  // namespace
}  // namespace lasr
