#include "kiosk/ctl/schedule_preview.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>

#include "kiosk/training/progress_store.hpp"
#include "kiosk/training/system_clock.hpp"

namespace lasr::ctl {
namespace {

using namespace std::chrono;

Error bad_time(const std::string& text, const std::string& why) {
    return make_error(Domain::config, Errc::invalid_argument, "--at \"" + text + "\": " + why);
}

std::string weekday_long(int wd) {
    static const char* names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    return names[wd % 7];
}

std::string playlist_line(const Schedule& s, const std::string& id) {
    std::string line = "playlist \"" + id + "\"";
    std::string title = s.title_of(id, "en");
    if (title != id) line += " (" + title + ")";
    const Playlist* p = s.catalog().schedules.find_playlist(id);
    size_t n = s.videos_of(id).size();
    if (id == kAllCoursesPlaylist) line += ": every course in order, " + std::to_string(n) + " videos";
    else if (p && !p->course.empty()) line += ": course " + p->course + " in order, " + std::to_string(n) + " videos";
    else line += ": " + std::to_string(n) + " videos";
    return line;
}

std::string local_line(const Schedule& s, SysSeconds t) {
    LocalTime l = s.zone().to_local(t);
    return l.describe() + " " + s.zone().name() + ", a " + weekday_long(l.weekday);
}

}  // namespace

Result<ParsedTime> parse_at(const std::string& text, const TimeZone& zone, SysSeconds now) {
    if (text == "now") return ParsedTime{now, "the system clock now"};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    char sep = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used) < 6 || (sep != 'T' && sep != ' '))
        return bad_time(text, "not a time like 2026-12-01T09:30 (local), 2026-12-01T15:30Z or \"now\"");
    std::string rest = text.substr(static_cast<size_t>(used));
    if (rest.size() >= 3 && rest[0] == ':' && std::isdigit(static_cast<unsigned char>(rest[1]))) {
        se = std::stoi(rest.substr(1, 2));
        rest = rest.substr(3);
    }
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || se > 59) return bad_time(text, "not a day and time of the calendar");
    int64_t civil = sys_days{ymd}.time_since_epoch().count() * 86400 + h * 3600 + mi * 60 + se;
    if (rest == "Z" || rest == "z") return ParsedTime{SysSeconds{seconds{civil}}, "UTC as given"};
    if (!rest.empty()) {
        int oh = 0, om = 0;
        if ((rest[0] != '+' && rest[0] != '-') || std::sscanf(rest.c_str() + 1, "%2d:%2d", &oh, &om) != 2 || rest.size() != 6)
            return bad_time(text, "\"" + rest + "\" is not Z or an offset like -06:00");
        int off = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
        return ParsedTime{SysSeconds{seconds{civil - off}}, "with the offset as given"};
    }
    auto at = zone.from_local(local_seconds{seconds{civil}});
    if (at.empty())
        return bad_time(text, "that wall-clock time does not happen in " + zone.name() +
                                  " (the clocks skip it when daylight saving time starts)");
    std::string note = "local time in " + zone.name();
    if (at.size() > 1)
        note += "; it happens twice that day (daylight saving time ends): the first, " + format_rfc3339_utc(at[0]) +
                ", is shown; the second is " + format_rfc3339_utc(at[1]);
    return ParsedTime{at.front(), note};
}

Result<std::string> schedule_report(const Config& config, const Catalog& catalog, const PreviewOptions& opt,
                                    const std::filesystem::path& progress_db) {
    auto zone = TimeZone::load(config.kiosk.time_zone);
    if (!zone) return std::move(zone).error();
    Schedule s(catalog, *zone, ScheduleOverrides{config.training.default_playlist, config.screen.on_hours});
    auto at = parse_at(opt.at, s.zone(), system_now());
    if (!at) return std::move(at).error();
    SysSeconds t = at->at;
    std::ostringstream out;
    out << "at:      " << local_line(s, t) << "  [" << format_rfc3339_utc(t) << "; " << at->note << "]\n";
    if (config.kiosk.mode != "training")
        out << "note:    kiosk.mode is \"" << config.kiosk.mode << "\": schedules apply to training screens only\n";
    if (!s.default_playlist_problem().empty()) out << "warning: " << s.default_playlist_problem() << "\n";

    std::vector<const Alert*> alerts = s.active_alerts(t);
    const Alert* takeover = nullptr;
    for (const Alert* a : alerts)
        if (a->severity != "info" && !takeover) takeover = a;
    bool screen = takeover || s.screen_on(t, true);
    Schedule::Choice c = s.choose(t, true);

    if (takeover) {
        out << "shows:   the " << takeover->severity << " alert \"" << takeover->id << "\": " << takeover->title.get("en") << "\n";
        out << "why:     an active " << takeover->severity << " alert takes the screen over any schedule; underneath, "
            << (s.screen_on(t, true) ? playlist_line(s, c.playlist) + " (" + s.explain(c) + ")" : "the screen would be off")
            << "\n";
        auto ends = parse_rfc3339_utc(takeover->ends);
        out << "until:   " << (ends ? s.zone().to_local(*ends).describe() : std::string("the pack withdraws the alert"))
            << ", then the schedule resumes where it was\n";
    } else {
        if (!screen) out << "shows:   nothing: outside screen hours, the screen is off\n";
        else out << "plays:   " << playlist_line(s, c.playlist) << "\n";
        out << "why:     " << (screen ? s.explain(c) : std::string("outside screen hours")) << "\n";
        if (screen)
            for (int i : c.outranked) out << "         outranked: " << s.describe_rule(static_cast<size_t>(i)) << "\n";
        if (auto next = s.next_change(t)) {
            Schedule::Choice nc = s.choose(*next, true);
            out << "until:   " << s.zone().to_local(*next).describe() << ", then ";
            if (!s.screen_on(*next, true)) out << "the screen goes off";
            else out << playlist_line(s, nc.playlist) << " (" << s.explain(nc) << ")";
            out << "\n";
        } else {
            out << "until:   no change in the next 8 days\n";
        }
    }

    std::string hours;
    for (const DayWindow& w : s.screen_hours()) hours += (hours.empty() ? "" : ", ") + to_string(w);
    out << "screen:  " << (screen ? "on" : "off") << " ("
        << (s.screen_hours().empty() ? std::string("no screen hours: always on")
                                     : "hours " + hours + " " + s.zone().name() + ", from " +
                                           (s.screen_hours_from_config() ? "the config" : "the content pack"))
        << (takeover && !s.screen_on(t, true) ? "; on for the alert" : "") << ")\n";
    if (alerts.empty()) out << "alerts:  none active\n";
    for (const Alert* a : alerts)
        out << "alerts:  " << a->severity << " \"" << a->id << "\" " << a->title.get("en") << " ("
            << (a->starts.empty() ? "open start" : a->starts) << " to " << (a->ends.empty() ? "open end" : a->ends)
            << (a->severity == "info" ? "; shown in the lower third" : "; takes over the screen") << ")\n";

    std::error_code ec;
    if (!progress_db.empty() && std::filesystem::exists(progress_db, ec)) {
        auto store = ProgressStore::open(progress_db);
        auto progress = store ? (*store)->load() : Result<Progress>(std::move(store).error());
        if (!progress) out << "module:  (progress not readable: " << progress.error().message << ")\n";
        else if (auto it = progress->find(c.playlist); it != progress->end())
            out << "module:  " << it->second.video_id << " comes next in \"" << c.playlist << "\" (saved progress on this kiosk)\n";
        else out << "module:  \"" << c.playlist << "\" starts from its first video (no saved progress)\n";
    }
    out << "clock:   until the kiosk trusts its clock (synchronised, or plausibly set; training.clock_trust = \""
        << config.training.clock_trust << "\") it plays " << playlist_line(s, s.default_playlist()) << ", screen on\n";

    if (opt.days > 0) {
        out << "\nthe next " << opt.days << " day(s):\n";
        SysSeconds cur = t, end = t + days{opt.days};
        for (int guard = 0; cur < end && guard < 10000; ++guard) {
            auto nx = s.next_change(cur);
            SysSeconds stop = nx && *nx < end ? *nx : end;
            bool on = s.screen_on(cur, true);
            Schedule::Choice cc = s.choose(cur, true);
            out << "  " << s.zone().to_local(cur).date_time() << " - " << s.zone().to_local(stop).date_time() << "  "
                << (on ? cc.playlist : std::string("(screen off)"));
            if (on) out << "  [" << (cc.why == Schedule::Choice::Why::rule ? s.rules()[static_cast<size_t>(cc.rule)].id
                                                                         : std::string("default")) << "]";
            out << "\n";
            cur = stop;
        }
    }
    return out.str();
}

}  // namespace lasr::ctl
