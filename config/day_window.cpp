#include "config/day_window.hpp"

#include <array>
#include <cstdio>

namespace lasr {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

Error invalid(const std::string& what) { return make_error(Domain::config, Errc::validation, what); }

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::optional<int> DayWindow::started_days_ago(int weekday, int minute) const {
    if (!crosses_midnight()) {
        if (on(weekday) && minute >= from_min && minute < until_min) return 0;
        return std::nullopt;
    }
    if (on(weekday) && minute >= from_min) return 0;
    if (on((weekday + 6) % 7) && minute < until_min) return 1;
    return std::nullopt;
}

std::optional<int> weekday_from_name(std::string_view name) {
    for (size_t i = 0; i < kDayNames.size(); ++i)
        if (kDayNames[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

std::string_view weekday_name(int weekday) { return kDayNames[static_cast<size_t>(((weekday % 7) + 7) % 7)]; }

Result<uint8_t> parse_days(const std::vector<std::string>& tokens) {
    if (tokens.empty()) return invalid("names no days");
    uint8_t mask = 0;
    for (const std::string& raw : tokens) {
        std::string t = trim(raw);
        if (t == "daily") mask |= kEveryDay;
        else if (t == "weekdays") mask |= 0x1f;
        else if (t == "weekends") mask |= 0x60;
        else if (auto d = weekday_from_name(t)) mask = static_cast<uint8_t>(mask | (1u << *d));
        else if (size_t dash = t.find('-'); dash != std::string::npos) {
            auto a = weekday_from_name(t.substr(0, dash));
            auto b = weekday_from_name(t.substr(dash + 1));
            if (!a || !b) return invalid("\"" + t + "\" is not a day range like mon-fri");
            for (int day = *a;; day = (day + 1) % 7) {
                mask = static_cast<uint8_t>(mask | (1u << day));
                if (day == *b) break;
            }
        } else {
            return invalid("\"" + t + "\" is not a day (mon..sun, a range like mon-fri, daily, weekdays, weekends)");
        }
    }
    return mask;
}

Result<int> parse_hhmm(std::string_view s, bool allow_24) {
    auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4))
        return invalid("\"" + std::string(s) + "\" is not a time like 07:30");
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h == 24 && m == 0 && allow_24) return 1440;
    if (h > 23 || m > 59)
        return invalid("\"" + std::string(s) + "\" is not a time of day (00:00 to 23:59" +
                       (allow_24 ? std::string(", or 24:00 for the end of the day)") : std::string(")")));
    return h * 60 + m;
}

Result<DayWindow> make_day_window(uint8_t days, std::string_view from, std::string_view until) {
    DayWindow w;
    w.days = days;
    if (!from.empty()) {
        auto f = parse_hhmm(from, false);
        if (!f) return std::move(f).error();
        w.from_min = *f;
    }
    if (!until.empty()) {
        auto u = parse_hhmm(until, true);
        if (!u) return std::move(u).error();
        w.until_min = *u;
    }
    if (w.from_min == w.until_min)
        return invalid("starts and ends at " + format_hhmm(w.from_min) + "; leave both times out for the whole day");
    return w;
}

Result<DayWindow> parse_day_window(std::string_view text) {
    std::string s = trim(text);
    size_t space = s.find(' ');
    std::string days_part = space == std::string::npos ? s : s.substr(0, space);
    std::string times = space == std::string::npos ? std::string() : trim(s.substr(space + 1));
    std::vector<std::string> tokens;
    for (size_t start = 0;;) {
        size_t comma = days_part.find(',', start);
        tokens.push_back(days_part.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    auto days = parse_days(tokens);
    if (!days) return invalid("\"" + s + "\": " + days.error().message);
    std::string from, until;
    if (!times.empty()) {
        size_t dash = times.find('-');
        if (dash == std::string::npos)
            return invalid("\"" + s + "\": the times must be a range like 07:30-18:00");
        from = trim(times.substr(0, dash));
        until = trim(times.substr(dash + 1));
    }
    auto w = make_day_window(*days, from, until);
    if (!w) return invalid("\"" + s + "\": " + w.error().message);
    return w;
}

std::string format_days(uint8_t days) {
    days &= kEveryDay;
    if (days == kEveryDay) return "daily";
    std::string out;
    // Runs of three or more consecutive days read as ranges: mon-fri.
    for (int d = 0; d < 7;) {
        if (!((days >> d) & 1)) {
            ++d;
            continue;
        }
        int e = d;
        while (e + 1 < 7 && ((days >> (e + 1)) & 1)) ++e;
        if (!out.empty()) out += ",";
        if (e - d >= 2) out += std::string(weekday_name(d)) + "-" + std::string(weekday_name(e));
        else {
            out += weekday_name(d);
            if (e > d) out += "," + std::string(weekday_name(e));
        }
        d = e + 1;
    }
    return out.empty() ? "never" : out;
}

std::string format_hhmm(int minute) {
    char b[16];
    std::snprintf(b, sizeof b, "%02d:%02d", minute / 60, minute % 60);
    return b;
}

std::string to_string(const DayWindow& w) {
    std::string s = format_days(w.days);
    if (!w.all_day()) s += " " + format_hhmm(w.from_min) + "-" + format_hhmm(w.until_min);
    return s;
}

}  // namespace lasr
