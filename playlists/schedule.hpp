// The schedule engine for training screens: pure logic, no I/O, no clock of
// its own. Every answer is a function of an instant the caller passes in,
// so tests (and `lasr-kioskctl schedule --at`) can ask about any moment.
//
// The language (manifest "schedules", see README "Training screens and
// schedules"):
//   - playlists: a course in order, or a custom list of videos; the built-in
//     "all-courses" is every course in catalog order.
//   - rules: a playlist, a weekly window of local wall-clock time (weekdays,
//     from/until; until <= from crosses midnight and belongs to the day it
//     starts), an optional date range (starts_on/ends_on, inclusive local
//     dates of the day a window starts) with except_on dates, and a
//     priority 0..100. The highest-priority matching rule wins; on a tie,
//     the one listed first.
//   - a default playlist for when no rule matches, and while the clock is
//     not trusted.
//   - screen hours: weekly windows when the screen is on (none = always).
//
// Times are wall-clock times in the kiosk's IANA zone: an instant is
// converted to local time first, then matched. So a window means what the
// wall clock says on DST days too: on a spring-forward day a window inside
// the skipped hour does not happen, and on a fall-back day the repeated hour
// matches twice. A clock jumping backwards simply gives an earlier instant;
// the engine keeps no history to confuse.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "playlists/catalog.hpp"
#include "playlists/timezone.hpp"

namespace lasr {

// Whether the system clock can be believed. A Raspberry Pi has no real-time
// clock: until NTP answers it boots at the last saved time (fake-hwclock) or
// at 1970, and a kiosk must never wait for the network to start.
enum class ClockPolicy {
    plausible,  // synchronised, or later than both the build and the pack's issue time
    synced,     // only a clock the kernel reports synchronised (NTP, timesyncd, chrony)
};

struct ClockEvidence {
    SysSeconds now;
    bool kernel_synchronized = false;  // adjtimex(): STA_UNSYNC clear (what timedatectl shows)
    SysSeconds build_time;             // when this program was built
    std::optional<SysSeconds> pack_issued;  // the content pack's "issued"
};

struct ClockVerdict {
    bool trusted = false;
    std::string why;  // "synchronised", "not synchronised, but after the build and the pack", ...
};

ClockVerdict judge_clock(const ClockEvidence& evidence, ClockPolicy policy);

// Device settings that override the pack's (from kiosk.toml).
struct ScheduleOverrides {
    std::string default_playlist;                         // "" = the pack's
    std::optional<std::vector<DayWindow>> screen_hours;   // unset = the pack's
};

class Schedule {
public:
    Schedule(const Catalog& catalog, TimeZone zone, ScheduleOverrides overrides = {});

    struct Choice {
        enum class Why { rule, no_rule_matches, clock_not_trusted };
        std::string playlist;
        Why why = Why::no_rule_matches;
        int rule = -1;                // the winning rule (index into rules()), for Why::rule
        std::vector<int> outranked;   // other rules that match too, in the order they lost
        LocalTime local;              // the instant on the kiosk's wall clock
    };
    // The playlist for instant t. With an untrusted clock: the default.
    Choice choose(SysSeconds t, bool clock_trusted) const;
    // Whether rule i matches instant t (weekday, window, dates).
    bool rule_matches(size_t i, const LocalTime& local) const;

    // Whether the screen should be on at t by its hours (always, when there
    // are none). With an untrusted clock it stays on.
    bool screen_on(SysSeconds t, bool clock_trusted) const;
    const std::vector<DayWindow>& screen_hours() const { return screen_hours_; }
    bool screen_hours_from_config() const { return screen_hours_from_config_; }

    // Alerts active at t ([starts, ends)), most urgent first: emergency,
    // warning, info; then the most recently started; then listing order.
    std::vector<const Alert*> active_alerts(SysSeconds t) const;

    // The videos a playlist plays, in order; empty for an unknown playlist.
    std::vector<std::string> videos_of(const std::string& playlist) const;
    std::string title_of(const std::string& playlist, const std::string& lang) const;
    // The default playlist in force (config, else pack, else all-courses),
    // and a note when the config named one the pack does not have.
    const std::string& default_playlist() const { return default_playlist_; }
    const std::string& default_playlist_problem() const { return default_problem_; }

    // The first minute after t at which choose() or screen_on() (trusted
    // clock) would answer differently, looking up to `horizon_days` ahead.
    std::optional<SysSeconds> next_change(SysSeconds t, int horizon_days = 8) const;

    // "rule weekday-mornings, priority 5, window mon-fri 09:00-12:00 America/Chicago"
    std::string explain(const Choice& choice) const;
    std::string describe_rule(size_t i) const;

    // The pack's issue time: the true time is never earlier than this.
    std::optional<SysSeconds> pack_issued() const { return parse_rfc3339_utc(catalog_.info.issued); }
    const Catalog& catalog() const { return catalog_; }
    const std::vector<ScheduleRule>& rules() const { return rules_; }
    const TimeZone& zone() const { return zone_; }

private:
    const Catalog& catalog_;
    TimeZone zone_;
    std::vector<ScheduleRule> rules_;
    std::vector<DayWindow> screen_hours_;
    bool screen_hours_from_config_ = false;
    std::string default_playlist_;
    std::string default_problem_;
};

}  // namespace lasr
