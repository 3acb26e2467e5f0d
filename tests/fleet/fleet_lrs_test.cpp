// The scripted LRS's query API (xAPI 1.0.3 GET /statements), and `fleet`
// against an LRS that misbehaves: every answer a clear error or a counted
// skip, never a crash, and the cache never half-written.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/fleet/cache.hpp"
#include "kiosk/net/http.hpp"
#include "tests/fleet/fleet_fixtures.hpp"

namespace lasr {
namespace {

using json = nlohmann::json;
using test::LrsGetFault;

// Plain GETs of the query API, as any xAPI client makes them.
class LrsQuery : public ::testing::Test {
protected:
    void SetUp() override {
        auto h = net::HttpClient::create();
        ASSERT_TRUE(h);
        http = std::move(*h);
        // Stored times under the test's control: 1000 ms apart per batch.
        lrs.set_stored_clock([this] { return stored_ms.load(); });
    }
    net::HttpResponse get(const std::string& path_and_query, bool version = true,
                          const std::string& password = "s3cret") {
        net::HttpRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(lrs.port()) + path_and_query;
        if (version) r.headers.push_back("X-Experience-API-Version: 1.0.3");
        r.basic_user = "kiosk-7";
        r.basic_password = password;
        auto resp = http->send(r);
        EXPECT_TRUE(resp) << resp.error().describe();
        return resp ? *resp : net::HttpResponse{};
    }
    // Stores n statements at stored time `at` (plays of kiosk-1; every
    // third a heartbeat).
    std::vector<std::string> put(int n, int64_t at) {
        stored_ms = at;
        std::vector<std::string> batch;
        for (int i = 0; i < n; ++i) {
            batch.push_back(i % 3 == 2 ? test::heartbeat_statement("kiosk-1", test::health("springfield", 7, ""), at)
                                       : test::play_statement("kiosk-1", "v" + std::to_string(i), "c1", at, false));
        }
        EXPECT_TRUE(lrs.store_direct(batch));
        return batch;
    }

    test::TestLrs lrs;
    std::unique_ptr<net::HttpClient> http;
    std::atomic<int64_t> stored_ms{1795921445000};
};

TEST_F(LrsQuery, PagesFollowMoreInStoredOrderWithFilters) {
    const int64_t t0 = 1795921445000;
    put(300, t0);
    put(300, t0 + 1000);
    put(300, t0 + 2000);

    EXPECT_EQ(get("/xapi/statements", false).status, 400) << "no X-Experience-API-Version";
    EXPECT_EQ(get("/xapi/statements", true, "wrong").status, 401);

    // Ascending, 400 a page: 400 + 400 + 100, each with stored, authority, version.
    std::string next = "/xapi/statements?ascending=true&limit=400";
    std::vector<int64_t> stored;
    std::set<std::string> ids;
    int pages = 0;
    while (!next.empty()) {
        auto r = get(next);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.header("x-experience-api-version"), "1.0.3");
        EXPECT_FALSE(r.header("x-experience-api-consistent-through").empty());
        json page = json::parse(r.body);
        ASSERT_TRUE(page["statements"].is_array());
        ASSERT_TRUE(page["more"].is_string());
        for (const json& st : page["statements"]) {
            ASSERT_TRUE(st.contains("stored") && st.contains("authority")) << st.dump();
            EXPECT_EQ(st["version"], "1.0.3");
            stored.push_back(*fleet::parse_time_ms(st["stored"].get<std::string>()));
            EXPECT_TRUE(ids.insert(st["id"].get<std::string>()).second) << "twice: " << st["id"];
        }
        next = page["more"].get<std::string>();
        if (!next.empty()) {
            EXPECT_EQ(next.rfind("/xapi/statements?", 0), 0u) << "a relative IRL: " << next;
        }
        ++pages;
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(ids.size(), 900u);
    EXPECT_TRUE(std::is_sorted(stored.begin(), stored.end()));

    // since is exclusive, until inclusive, both on stored.
    auto count = [&](const std::string& q) {
        auto r = get("/xapi/statements?limit=0&" + q);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body)["statements"].size();
    };
    EXPECT_EQ(count("since=" + fleet::format_time_ms(t0)), 500u) << "page size 500 of 600";
    EXPECT_EQ(count("since=" + fleet::format_time_ms(t0 + 1000)), 300u);
    EXPECT_EQ(count("until=" + fleet::format_time_ms(t0 + 1000) + "&ascending=true"), 500u);
    EXPECT_EQ(count("since=" + fleet::format_time_ms(t0) + "&until=" + fleet::format_time_ms(t0 + 1000)), 300u);
    // verb: exact IRI (every third was a heartbeat).
    EXPECT_EQ(count("verb=https%3A%2F%2Flasr-kiosk.invalid%2Fxapi%2Fverbs%2Freported"), 300u);
    // Newest first unless ascending.
    auto r = get("/xapi/statements?limit=1");
    EXPECT_EQ(json::parse(r.body)["statements"][0]["stored"], fleet::format_time_ms(t0 + 2000));
    EXPECT_EQ(get("/xapi/statements?since=yesterday").status, 400);
    EXPECT_EQ(get("/xapi/statements?limit=-3").status, 400);
}

// ---------------------------------------------------------------- fleet faults

class FleetFaults : public ::testing::Test {
protected:
    void SetUp() override {
        const int64_t now = test::now_ms();
        std::vector<std::string> batch;
        batch.push_back(test::heartbeat_statement("kiosk-1", test::health("springfield", 7, "2027-06-01T00:00:00Z"),
                                                  now - 60000));
        for (int i = 0; i < 12; ++i)
            batch.push_back(test::play_statement("kiosk-1", "v" + std::to_string(i), "c1", now - 120000, false));
        ASSERT_TRUE(lrs.store_direct(batch));
        opts = test::fleet_options(lrs, dir / "cache.sqlite3");
    }
    Error fails() {
        auto r = fleet::refresh_and_report(opts);
        EXPECT_FALSE(r) << "expected an error";
        return r ? Error{} : r.error();
    }
    int64_t cached_plays() {
        auto c = fleet::FleetCache::open(opts.cache, opts.lrs.base_url);
        EXPECT_TRUE(c) << c.error().describe();
        auto ev = (*c)->events_since(0);
        int64_t n = 0;
        for (const auto& e : *ev) n += e.kind == "play" ? e.count : 0;
        return n;
    }

    test::TempDir dir;
    test::TestLrs lrs;
    fleet::FleetOptions opts;
};

TEST_F(FleetFaults, HttpErrorsAreClearMessages) {
    struct Case {
        int status;
        const char* says;
    };
    for (Case c : {Case{401, "refused the credentials"}, Case{403, "may not read statements"},
                   Case{404, "no xAPI statements resource"}, Case{500, "the LRS failed"},
                   Case{503, "the LRS failed"}}) {
        lrs.push_get_fault(LrsGetFault::http(c.status));
        Error e = fails();
        EXPECT_NE(e.message.find(c.says), std::string::npos) << c.status << ": " << e.describe();
        EXPECT_NE(e.message.find(std::to_string(c.status)), std::string::npos) << e.describe();
        EXPECT_NE(e.message.find(lrs.base_url()), std::string::npos) << "names the URL: " << e.describe();
    }
    // Really wrong credentials, not an injected 401.
    opts.lrs.password = "nope";
    EXPECT_NE(fails().message.find("refused the credentials"), std::string::npos);
}

TEST_F(FleetFaults, HtmlOrWrongJsonIsRefused) {
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::html));
    Error e = fails();
    EXPECT_NE(e.message.find("text/html, not JSON"), std::string::npos) << e.describe();
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::wrong_shape));
    e = fails();
    EXPECT_NE(e.message.find("not a JSON object"), std::string::npos) << e.describe();
}

TEST_F(FleetFaults, MoreLinkToAnotherHostIsRefused) {
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::foreign_more));
    Error e = fails();
    EXPECT_NE(e.message.find("another host"), std::string::npos) << e.describe();
    EXPECT_NE(e.message.find("lrs.elsewhere.invalid"), std::string::npos) << e.describe();
    for (const auto& q : lrs.queries()) EXPECT_EQ(q.find("at=0"), std::string::npos) << "never followed: " << q;
    EXPECT_EQ(fleet::origin_of("http://A.example:80/x"), fleet::origin_of("http://a.example/y"));
    EXPECT_NE(fleet::origin_of("http://a.example:8080/"), fleet::origin_of("http://a.example/"));
    EXPECT_NE(fleet::origin_of("https://a.example/"), fleet::origin_of("http://a.example/"));
}

TEST_F(FleetFaults, MalformedAndUnknownVerbStatementsAreSkippedAndCounted) {
    const std::string other = test::play_statement("kiosk-9", "v1", "c1", test::now_ms(), false);
    json unknown = json::parse(other);
    unknown["verb"]["id"] = "http://example.org/verbs/danced";
    unknown["stored"] = fleet::format_time_ms(test::now_ms());
    json no_actor = unknown;
    no_actor.erase("actor");
    no_actor["verb"]["id"] = std::string(fleet::kVerbReported);
    lrs.push_get_fault(LrsGetFault::inject_raw({"\"just a string\"", "42", "{}", unknown.dump(), no_actor.dump(),
                                                "{\"id\":\"not-a-uuid\",\"stored\":\"2026-01-01T00:00:00Z\"}"}));
    auto r = fleet::refresh_and_report(opts);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->skipped.at("malformed"), 5);
    EXPECT_EQ(r->skipped.at("unknown_verb"), 1);
    ASSERT_EQ(r->kiosks.size(), 1u) << "only kiosk-1; the skipped ones add nothing";
    EXPECT_EQ(r->kiosks[0].plays_7d, 12);
    EXPECT_NE(fleet::render_text(*r).find("5 malformed"), std::string::npos);
}

TEST_F(FleetFaults, AHugePageIsRefusedByItsSizeAndALargeOneReadOneStatementAtATime) {
    std::vector<std::string> batch;
    for (int i = 0; i < 3000; ++i)
        batch.push_back(test::play_statement("kiosk-2", "v" + std::to_string(i), "c2", test::now_ms() - 1000, i % 2));
    ASSERT_TRUE(lrs.store_direct(batch));
    // The LRS ignores limit=500 and sends all 3012 (about 3.5 MB) at once.
    opts.lrs.max_page_bytes = 1u << 20;
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::pass));  // heartbeats
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::ignore_limit));
    Error e = fails();
    EXPECT_NE(e.message.find("larger than 1 MB"), std::string::npos) << e.describe();
    EXPECT_NE(e.message.find("--max-page-mb"), std::string::npos) << e.describe();
    // Under a larger bound the same page goes through whole.
    opts.lrs.max_page_bytes = 16u << 20;
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::pass));
    lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::ignore_limit));
    auto r = fleet::refresh_and_report(opts);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(cached_plays(), 12 + 1500);
}

TEST_F(FleetFaults, AFailureMidwayLeavesWholePagesAndTheNextRunGoesOn) {
    std::vector<std::string> batch;
    for (int i = 0; i < 1100; ++i)
        batch.push_back(test::play_statement("kiosk-3", "v" + std::to_string(i), "c3", test::now_ms() - 1000, false));
    ASSERT_TRUE(lrs.store_direct(batch));
    opts.limit = 500;
    // Heartbeats: one page; plays: 500, 500, then the LRS fails.
    for (int i = 0; i < 3; ++i) lrs.push_get_fault(LrsGetFault::of(LrsGetFault::Kind::pass));
    lrs.push_get_fault(LrsGetFault::http(500));
    fails();
    EXPECT_EQ(cached_plays(), 1000) << "two whole pages, nothing of the third";
    // The next run re-reads from the cursor (with overlap): nothing counted twice.
    auto r = fleet::refresh_and_report(opts);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(cached_plays(), 1112);
    r = fleet::refresh_and_report(opts);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(cached_plays(), 1112) << "a third run adds nothing";
}

TEST_F(FleetFaults, CredentialsFileMustBePrivateAndTheCacheBelongsToOneLrs) {
    std::string user, password;
    test::write_file(dir / "cred", "reader:pw\n");
    std::filesystem::permissions(dir / "cred", std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
    auto st = fleet::read_credentials(dir / "cred", user, password);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("chmod 600"), std::string::npos) << st.error().describe();
    std::filesystem::permissions(dir / "cred", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ASSERT_TRUE(fleet::read_credentials(dir / "cred", user, password));
    EXPECT_EQ(user, "reader");
    EXPECT_EQ(password, "pw");

    ASSERT_TRUE(fleet::refresh_and_report(opts));
    opts.lrs.base_url = "http://127.0.0.1:1/xapi/";
    Error e = fails();
    EXPECT_NE(e.message.find("use another --cache"), std::string::npos) << e.describe();
}

}  // namespace
}  // namespace lasr
