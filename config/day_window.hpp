// Weekly windows of local wall-clock time: "mon-fri 07:30-18:00".
//
// One value type for everything that happens "on these weekdays, between
// these times": schedule rules and screen hours in a content pack, and screen
// hours in kiosk.toml. Times are local wall-clock minutes in the kiosk's time
// zone, so a window means the same on a DST day as on any other (the engine
// that evaluates it converts the instant first; see playlists/schedule.hpp).
//
// A window whose end is not after its start crosses midnight: "fri
// 22:00-02:00" runs from Friday 22:00 to Saturday 02:00, and its weekday is
// the day it starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr {

inline constexpr uint8_t kEveryDay = 0x7f;

struct DayWindow {
    uint8_t days = kEveryDay;  // bit 0 = Monday ... bit 6 = Sunday
    int from_min = 0;          // minutes after local midnight, 0..1439
    int until_min = 1440;      // 1..1440; not after from_min: ends the next day

    bool crosses_midnight() const { return until_min <= from_min; }
    bool all_day() const { return from_min == 0 && until_min == 1440; }
    bool on(int weekday) const { return (days >> weekday) & 1; }  // weekday 0 = Monday

    // Whether local time `minute` (0..1439) on `weekday` (0 = Monday) is
    // inside an occurrence of this window, and if so how many days ago that
    // occurrence started: 0 (today) or 1 (yesterday, for a window that
    // crossed midnight).
    std::optional<int> started_days_ago(int weekday, int minute) const;

    bool operator==(const DayWindow&) const = default;
};

// "mon".."sun" -> 0..6
std::optional<int> weekday_from_name(std::string_view name);
std::string_view weekday_name(int weekday);

// Day tokens: "mon".."sun", ranges "mon-fri" (wrapping: "fri-mon"),
// "daily", "weekdays" (mon-fri), "weekends" (sat, sun).
Result<uint8_t> parse_days(const std::vector<std::string>& tokens);
// "HH:MM", 00:00..23:59; "24:00" too when allow_24 (an end of day).
Result<int> parse_hhmm(std::string_view text, bool allow_24);
// A window from its parts; empty from/until mean start/end of the day.
Result<DayWindow> make_day_window(uint8_t days, std::string_view from, std::string_view until);
// The compact form used in kiosk.toml: DAYS [HH:MM-HH:MM], DAYS being
// comma-separated day tokens: "mon-fri 07:30-18:00", "sat,sun 10:00-14:00",
// "fri 22:00-02:00", "daily" (all day, every day).
Result<DayWindow> parse_day_window(std::string_view text);

// "mon-fri", "sat,sun", "daily"
std::string format_days(uint8_t days);
// "07:30", "24:00"
std::string format_hhmm(int minute);
// "mon-fri 07:30-18:00", the compact form parse_day_window reads.
std::string to_string(const DayWindow& w);

}  // namespace lasr
