#include <gtest/gtest.h>

#include "kiosk/app/script.hpp"

namespace lasr {
namespace {

TEST(Script, ParsesEveryStep) {
    auto s = parse_script(R"(# a tour
goto resources
goto course:c1
tap course:c1
type food
play c1-v1
wait-end
wait 250
screenshot home-en
key escape
quit
)");
    ASSERT_TRUE(s) << s.error().describe();
    ASSERT_EQ(s->size(), 10u);
    EXPECT_EQ((*s)[0].kind, ScriptStep::Kind::go_to);
    EXPECT_EQ((*s)[2].arg, "course:c1");
    EXPECT_EQ((*s)[5].kind, ScriptStep::Kind::wait_end);
    EXPECT_EQ((*s)[6].arg, "250");
    EXPECT_EQ((*s)[7].line, 9);
}

TEST(Script, RefusesBadStepsWithTheirLine) {
    struct Case { const char* text; const char* expect; };
    for (Case c : {Case{"goto home\nfly away\n", "script:2: unknown step \"fly\""},
                   Case{"tap\n", "script:1: tap needs an argument"},
                   Case{"wait soon\n", "wait takes milliseconds"},
                   Case{"screenshot ../../etc/x\n", "screenshot names use"},
                   Case{"goto player\n", "goto takes"}}) {
        auto s = parse_script(c.text);
        ASSERT_FALSE(s) << c.text;
        EXPECT_NE(s.error().message.find(c.expect), std::string::npos) << s.error().message;
    }
}

}  // namespace
}  // namespace lasr
