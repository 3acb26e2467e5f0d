// lasr-kioskctl sync-usage, status and export-usage: the real executable,
// a real usage database, the local test LRS.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/fixtures.hpp"
#include "tests/usage/usage_fixtures.hpp"

namespace lasr {
namespace {

using test::TempDir;

class UsageCtl : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(dir / "kiosk.toml", "[kiosk]\nid = \"branch-7-lobby\"\ndata_dir = \"" + (dir / "data").string() +
                                                 "\"\n[usage]\nhome_page = \"https://springfield.example.org\"\n"
                                                 "lrs_url = \"" + lrs.base_url() + "\"\nlrs_credentials_file = \"" +
                                                 (dir / "lrs.cred").string() + "\"\nrequest_timeout_s = 5\n");
        test::write_file(dir / "lrs.cred", "kiosk-7:s3cret\n");
        auto cfg = load_config_file(dir / "kiosk.toml");
        ASSERT_TRUE(cfg) << cfg.error().describe();
        test::FakeClock clock;
        UsageOptions o = UsageOptions::from(*cfg);
        o.clock = clock.fn();
        auto log = UsageLog::open(cfg->usage_db_path(), o);
        ASSERT_TRUE(log) << log.error().describe();
        for (int i = 0; i < 2; ++i) ASSERT_EQ(test::scripted_session(**log, i), test::kSessionStatements);
    }

    // Runs lasr-kioskctl; returns its exit code, output in `out`.
    int ctl(std::vector<std::string> args, std::string& out) {
        std::vector<std::string> argv = {LASR_KIOSKCTL};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto log = dir / ("ctl-" + std::to_string(++runs) + ".log");
        int rc = test::run(argv, log);
        out = test::read_file(log);
        return rc;
    }

    TempDir dir;
    test::TestLrs lrs;
    int runs = 0;
};

TEST_F(UsageCtl, StatusSyncExport) {
    const std::string cfg = (dir / "kiosk.toml").string();
    std::string out;
    ASSERT_EQ(ctl({"status", "--config", cfg}, out), 0) << out;
    EXPECT_NE(out.find("queue_depth=38 "), std::string::npos) << out;
    EXPECT_NE(out.find("last_success=never"), std::string::npos) << out;
    EXPECT_NE(out.find("oldest_unsent=2026-11-29T03:04:05.678Z"), std::string::npos) << out;

    ASSERT_EQ(ctl({"sync-usage", "--config", cfg}, out), 0) << out;
    EXPECT_NE(out.find("sync_usage outcome=drained sent=38"), std::string::npos) << out;
    EXPECT_EQ(lrs.count(), 38u);

    ASSERT_EQ(ctl({"status", "--config", cfg}, out), 0) << out;
    EXPECT_NE(out.find("queue_depth=0 "), std::string::npos) << out;
    EXPECT_EQ(out.find("last_success=never"), std::string::npos) << out;
    EXPECT_NE(out.find("sent=38 "), std::string::npos) << out;

    ASSERT_EQ(ctl({"export-usage", "--csv", "--config", cfg, "--out", (dir / "usage.csv").string()}, out), 0) << out;
    std::istringstream csv(test::read_file(dir / "usage.csv"));
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "day,event,object_id,course_id,count");
    int64_t total = 0;
    bool saw_course = false;
    while (std::getline(csv, line)) {
        total += std::stoll(line.substr(line.rfind(',') + 1));
        saw_course = saw_course || line == "2026-11-29,course_opened,course-0,,1";
    }
    EXPECT_EQ(total, 38);
    EXPECT_TRUE(saw_course);
}

TEST_F(UsageCtl, RefusedCredentialsAreReportedToStaff) {
    const std::string cfg = (dir / "kiosk.toml").string();
    lrs.set_credentials("kiosk-7", "rotated");
    std::string out;
    EXPECT_EQ(ctl({"sync-usage", "--config", cfg}, out), 1) << out;
    EXPECT_NE(out.find("401"), std::string::npos) << out;
    ASSERT_EQ(ctl({"status", "--config", cfg}, out), 0) << out;
    EXPECT_NE(out.find("auth_paused=yes"), std::string::npos) << out;
    EXPECT_NE(out.find("queue_depth=38 "), std::string::npos) << out;
    EXPECT_EQ(lrs.count(), 0u);
}

TEST_F(UsageCtl, NoDatabaseIsSaidPlainly) {
    test::write_file(dir / "other.toml", "[kiosk]\ndata_dir = \"" + (dir / "nowhere").string() + "\"\n");
    std::string out;
    EXPECT_EQ(ctl({"status", "--config", (dir / "other.toml").string()}, out), 1);
    EXPECT_NE(out.find("no usage database"), std::string::npos) << out;
    EXPECT_FALSE(std::filesystem::exists(dir / "nowhere/usage.sqlite3"));
}

}  // namespace
}  // namespace lasr
