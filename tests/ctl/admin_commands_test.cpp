// lasr-kioskctl hash-pin, run for real.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "media/crypto.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr {
namespace {

TEST(KioskCtlHashPin, PrintsAConfigLineTheKioskAccepts) {
    test::TempDir d;
    int rc = test::run({"sh", "-c", std::string("echo 2468 | ") + LASR_KIOSKCTL + " hash-pin > " + (d / "out.toml").string()});
    ASSERT_EQ(rc, 0);
    std::string out = test::read_file(d / "out.toml");
    EXPECT_EQ(out.find("2468"), std::string::npos) << "the PIN itself must not be printed";
    auto cfg = parse_config(out, "out.toml");
    ASSERT_TRUE(cfg) << cfg.error().describe();
    EXPECT_TRUE(crypto::verify_pin("2468", cfg->admin.pin_hash));
    EXPECT_FALSE(crypto::verify_pin("2469", cfg->admin.pin_hash));
}

TEST(KioskCtlHashPin, RefusesAShortOrMissingPin) {
    EXPECT_EQ(test::run({"sh", "-c", std::string("echo 12 | ") + LASR_KIOSKCTL + " hash-pin"}), 1);
    EXPECT_EQ(test::run({"sh", "-c", std::string(LASR_KIOSKCTL) + " hash-pin < /dev/null"}), 1);
}

}  // namespace
}  // namespace lasr
