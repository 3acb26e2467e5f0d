#include "playlists/schedule.hpp"

#include <algorithm>

namespace lasr {
namespace {

using namespace std::chrono;

int severity_rank(const std::string& s) {
    if (s == "emergency") return 0;
    if (s == "warning") return 1;
    return 2;
}

}  // namespace

ClockVerdict judge_clock(const ClockEvidence& e, ClockPolicy policy) {
    if (e.kernel_synchronized) return {true, "synchronised (the kernel reports NTP sync)"};
    if (policy == ClockPolicy::synced) return {false, "not synchronised, and training.clock_trust = \"synced\""};
    if (e.now < e.build_time)
        return {false, "not synchronised, and earlier than this program's build (" + format_rfc3339_utc(e.build_time) + ")"};
    if (e.pack_issued && e.now < *e.pack_issued)
        return {false, "not synchronised, and earlier than the content pack's issue time (" +
                           format_rfc3339_utc(*e.pack_issued) + ")"};
    return {true, "not synchronised, but plausible (later than the build and the content pack)"};
}

Schedule::Schedule(const Catalog& catalog, TimeZone zone, ScheduleOverrides overrides)
    : catalog_(catalog), zone_(std::move(zone)), rules_(catalog.schedules.rules) {
    if (overrides.screen_hours) {
        screen_hours_ = *overrides.screen_hours;
        screen_hours_from_config_ = true;
    } else {
        screen_hours_ = catalog.schedules.screen_hours;
    }
    auto known = [&](const std::string& id) {
        return id == kAllCoursesPlaylist || catalog.schedules.find_playlist(id) != nullptr;
    };
    default_playlist_ = std::string(kAllCoursesPlaylist);
    if (!catalog.schedules.default_playlist.empty()) default_playlist_ = catalog.schedules.default_playlist;
    if (!overrides.default_playlist.empty()) {
        if (known(overrides.default_playlist)) default_playlist_ = overrides.default_playlist;
        else
            default_problem_ = "training.default_playlist \"" + overrides.default_playlist +
                               "\" is not a playlist of this content pack; using \"" + default_playlist_ + "\"";
    }
}

bool Schedule::rule_matches(size_t i, const LocalTime& local) const {
    const ScheduleRule& r = rules_[i];
    auto ago = r.window.started_days_ago(local.weekday, local.minute_of_day);
    if (!ago) return false;
    year_month_day start{sys_days{local.date} - days{*ago}};
    if (r.starts_on && start < *r.starts_on) return false;
    if (r.ends_on && start > *r.ends_on) return false;
    return std::find(r.except_on.begin(), r.except_on.end(), start) == r.except_on.end();
}

Schedule::Choice Schedule::choose(SysSeconds t, bool clock_trusted) const {
    Choice c;
    c.local = zone_.to_local(t);
    c.playlist = default_playlist_;
    if (!clock_trusted) {
        c.why = Choice::Why::clock_not_trusted;
        return c;
    }
    std::vector<int> matching;
    for (size_t i = 0; i < rules_.size(); ++i)
        if (rule_matches(i, c.local)) matching.push_back(static_cast<int>(i));
    // Highest priority first; stable, so the first listed wins a tie.
    std::stable_sort(matching.begin(), matching.end(),
                     [&](int a, int b) { return rules_[static_cast<size_t>(a)].priority > rules_[static_cast<size_t>(b)].priority; });
    if (matching.empty()) {
        c.why = Choice::Why::no_rule_matches;
        return c;
    }
    c.why = Choice::Why::rule;
    c.rule = matching.front();
    c.playlist = rules_[static_cast<size_t>(c.rule)].playlist;
    c.outranked.assign(matching.begin() + 1, matching.end());
    return c;
}

bool Schedule::screen_on(SysSeconds t, bool clock_trusted) const {
    if (screen_hours_.empty() || !clock_trusted) return true;
    LocalTime l = zone_.to_local(t);
    for (const DayWindow& w : screen_hours_)
        if (w.started_days_ago(l.weekday, l.minute_of_day)) return true;
    return false;
}

std::vector<const Alert*> Schedule::active_alerts(SysSeconds t) const {
    std::vector<std::pair<const Alert*, SysSeconds>> active;
    for (const Alert& a : catalog_.alerts) {
        // Open-ended sides are the far past and the far future.
        SysSeconds starts = SysSeconds::min(), ends = SysSeconds::max();
        if (auto s = parse_rfc3339_utc(a.starts)) starts = *s;
        if (auto e = parse_rfc3339_utc(a.ends)) ends = *e;
        if (t < starts || t >= ends) continue;
        active.emplace_back(&a, starts);
    }
    std::stable_sort(active.begin(), active.end(), [](const auto& x, const auto& y) {
        int rx = severity_rank(x.first->severity), ry = severity_rank(y.first->severity);
        if (rx != ry) return rx < ry;
        return x.second > y.second;
    });
    std::vector<const Alert*> out;
    for (const auto& [a, s] : active) out.push_back(a);
    return out;
}

std::vector<std::string> Schedule::videos_of(const std::string& playlist) const {
    std::vector<std::string> out;
    auto add_course = [&](const Course& c) {
        for (const Video& v : c.videos) out.push_back(v.id);
    };
    if (playlist == kAllCoursesPlaylist) {
        for (const Course& c : catalog_.courses) add_course(c);
        return out;
    }
    const Playlist* p = catalog_.schedules.find_playlist(playlist);
    if (!p) return out;
    if (!p->course.empty()) {
        if (const Course* c = catalog_.find_course(p->course)) add_course(*c);
        return out;
    }
    for (const auto& v : p->videos)
        if (catalog_.find_video(v)) out.push_back(v);
    return out;
}

std::string Schedule::title_of(const std::string& playlist, const std::string& lang) const {
    const Playlist* p = catalog_.schedules.find_playlist(playlist);
    if (p && !p->title.empty()) return p->title.get(lang);
    if (p && !p->course.empty())
        if (const Course* c = catalog_.find_course(p->course)) return c->title.get(lang);
    return playlist;
}

std::optional<SysSeconds> Schedule::next_change(SysSeconds t, int horizon_days) const {
    // Windows are whole local minutes and zone offsets are whole minutes,
    // so answers only change on a minute boundary: step minute by minute.
    SysSeconds m = floor<minutes>(t);
    std::string playlist = choose(t, true).playlist;
    bool on = screen_on(t, true);
    for (int i = 1; i <= horizon_days * 24 * 60; ++i) {
        SysSeconds next = m + minutes{i};
        if (choose(next, true).playlist != playlist || screen_on(next, true) != on) return next;
    }
    return std::nullopt;
}

std::string Schedule::describe_rule(size_t i) const {
    const ScheduleRule& r = rules_[i];
    std::string s = "rule " + r.id + ", priority " + std::to_string(r.priority) + ", window " + to_string(r.window) + " " +
                    zone_.name();
    auto date = [](year_month_day d) {
        char b[32];
        std::snprintf(b, sizeof b, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                      static_cast<unsigned>(d.day()));
        return std::string(b);
    };
    if (r.starts_on || r.ends_on)
        s += ", dates " + (r.starts_on ? date(*r.starts_on) : std::string("...")) + " to " +
             (r.ends_on ? date(*r.ends_on) : std::string("..."));
    if (!r.except_on.empty()) s += ", except " + std::to_string(r.except_on.size()) + " date(s)";
    return s;
}

std::string Schedule::explain(const Choice& c) const {
    switch (c.why) {
        case Choice::Why::rule: return describe_rule(static_cast<size_t>(c.rule));
        case Choice::Why::no_rule_matches:
            return "no rule matches; the default playlist plays";
        case Choice::Why::clock_not_trusted:
            return "the clock is not trusted yet; the default playlist plays until it is";
    }
    return {};
}

}  // namespace lasr
