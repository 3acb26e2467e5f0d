// Training-screen settings: [training], [screen], kiosk.time_zone, and the
// day-window mini-language they share with the content pack.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/day_window.hpp"

namespace lasr {
namespace {

TEST(DayWindow, ParsesTheCompactForm) {
    auto w = parse_day_window("mon-fri 07:30-18:00");
    ASSERT_TRUE(w) << w.error().describe();
    EXPECT_EQ(w->days, 0x1f);
    EXPECT_EQ(w->from_min, 7 * 60 + 30);
    EXPECT_EQ(w->until_min, 18 * 60);
    EXPECT_FALSE(w->crosses_midnight());
    EXPECT_EQ(to_string(*w), "mon-fri 07:30-18:00");

    auto all = parse_day_window("daily");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->all_day());
    EXPECT_EQ(all->days, kEveryDay);
    EXPECT_EQ(to_string(*all), "daily");

    auto wknd = parse_day_window("sat,sun 10:00-24:00");
    ASSERT_TRUE(wknd);
    EXPECT_EQ(wknd->days, 0x60);
    EXPECT_EQ(wknd->until_min, 1440);
    EXPECT_EQ(to_string(*wknd), "sat,sun 10:00-24:00");

    auto wrap = parse_day_window("fri-mon");
    ASSERT_TRUE(wrap);
    EXPECT_EQ(format_days(wrap->days), "mon,fri-sun");
}

TEST(DayWindow, MidnightCrossingBelongsToTheDayItStarts) {
    auto w = *parse_day_window("fri 22:00-02:00");
    EXPECT_TRUE(w.crosses_midnight());
    const int fri = 4, sat = 5, thu = 3;
    EXPECT_EQ(w.started_days_ago(fri, 22 * 60), 0);
    EXPECT_EQ(w.started_days_ago(fri, 23 * 60 + 59), 0);
    EXPECT_EQ(w.started_days_ago(sat, 0), 1);
    EXPECT_EQ(w.started_days_ago(sat, 119), 1);
    EXPECT_EQ(w.started_days_ago(sat, 120), std::nullopt);
    EXPECT_EQ(w.started_days_ago(fri, 60), std::nullopt);  // Friday 01:00 belongs to a Thursday window
    EXPECT_EQ(w.started_days_ago(thu, 23 * 60), std::nullopt);
    EXPECT_EQ(w.started_days_ago(sat, 22 * 60), std::nullopt);
}

TEST(DayWindow, RefusesWhatItCannotMean) {
    for (const char* bad : {"", "funday 09:00-10:00", "mon 9:00-10:00", "mon 09:00", "mon 09:00-09:00",
                            "mon 24:00-10:00", "mon 09:60-10:00", "mon 09:00-25:00", "mon-xyz"}) {
        auto w = parse_day_window(bad);
        EXPECT_FALSE(w) << bad;
    }
    EXPECT_FALSE(parse_hhmm("24:00", false));
    EXPECT_EQ(*parse_hhmm("24:00", true), 1440);
}

TEST(TrainingConfig, DefaultsAreCecThenDpmsAndPackHours) {
    auto c = parse_config("");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->kiosk.time_zone, "");
    EXPECT_EQ(c->training.clock_trust, "plausible");
    EXPECT_EQ(c->training.default_playlist, "");
    EXPECT_FALSE(c->screen.on_hours.has_value());
    ASSERT_EQ(c->screen.power_off.size(), 2u);
    EXPECT_EQ(c->screen.power_off[0], (std::vector<std::string>{"cec-ctl", "--to", "0", "--standby"}));
    EXPECT_EQ(c->screen.power_on[1], (std::vector<std::string>{"xset", "dpms", "force", "on"}));
    EXPECT_EQ(c->screen.command_timeout_s, 10);
}

TEST(TrainingConfig, ReadsTrainingAndScreen) {
    auto c = parse_config(R"(
[kiosk]
mode = "training"
time_zone = "America/Chicago"
[training]
default_playlist = "all-courses"
clock_trust = "synced"
[screen]
on_hours = ["mon-fri 07:30-18:00", "sat 09:00-13:00"]
power_on = [["/usr/local/bin/tv", "on"]]
power_off = []
command_timeout_s = 3
)");
    ASSERT_TRUE(c) << c.error().describe();
    EXPECT_EQ(c->kiosk.mode, "training");
    EXPECT_EQ(c->kiosk.time_zone, "America/Chicago");
    EXPECT_EQ(c->training.default_playlist, "all-courses");
    EXPECT_EQ(c->training.clock_trust, "synced");
    ASSERT_TRUE(c->screen.on_hours);
    ASSERT_EQ(c->screen.on_hours->size(), 2u);
    EXPECT_EQ(to_string((*c->screen.on_hours)[1]), "sat 09:00-13:00");
    EXPECT_EQ(c->screen.power_on, (std::vector<std::vector<std::string>>{{"/usr/local/bin/tv", "on"}}));
    EXPECT_TRUE(c->screen.power_off.empty());
    EXPECT_EQ(c->screen.command_timeout_s, 3);
}

struct BadTraining {
    const char* text;
    const char* expect;  // in the message, with the line
};

TEST(TrainingConfig, BadValuesNameKeyAndLine) {
    const BadTraining cases[] = {
        {"[kiosk]\ntime_zone = \"Mars/Olympus\"\n", "config:2: kiosk.time_zone \"Mars/Olympus\""},
        {"[kiosk]\ntime_zone = \"../etc/passwd\"\n", "config:2: kiosk.time_zone"},
        {"[training]\nclock_trust = \"always\"\n", "config:2: training.clock_trust"},
        {"[training]\n\ndefault_playlst = \"x\"\n", "config:3: unknown key training.default_playlst"},
        {"[screen]\non_hours = [\"mon-fri 7:30-18:00\"]\n", "config:2: screen.on_hours: \"mon-fri 7:30-18:00\""},
        {"[screen]\non_hours = \"mon-fri\"\n", "config:2: screen.on_hours must be a list"},
        {"[screen]\npower_on = [\"xset dpms force on\"]\n", "config:2: screen.power_on must be a list of commands"},
        {"[screen]\npower_off = [[]]\n", "config:2: screen.power_off must be a list of commands"},
        {"[screen]\ncommand_timeout_s = 0\n", "config:2: screen.command_timeout_s must be between 1 and 120"},
        {"[screen]\nhours = [\"daily\"]\n", "config:2: unknown key screen.hours"},
    };
    for (const auto& bc : cases) {
        auto c = parse_config(bc.text);
        ASSERT_FALSE(c) << bc.text;
        EXPECT_NE(c.error().message.find(bc.expect), std::string::npos)
            << "got: " << c.error().message << "\nwanted: " << bc.expect;
    }
}

}  // namespace
}  // namespace lasr
