// What the fleet view keeps of a statement read back from the LRS: one
// small Fact per statement that matters (a heartbeat, a play, a completion,
// an error, a start, a daily aggregate), never the statement itself.
//
// Statements are what kiosks sent (kiosk/usage/xapi.hpp); anything else an
// LRS holds (other clients, other verbs, malformed JSON) is skipped and
// counted, never fatal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "config/result.hpp"

namespace lasr::fleet {

// The verbs `fleet` asks the LRS for (one query each).
inline constexpr std::string_view kVerbReported = "https://lasr-kiosk.invalid/xapi/verbs/reported";
inline constexpr std::string_view kVerbInitialized = "http://adlnet.gov/expapi/verbs/initialized";
inline constexpr std::string_view kVerbCompleted = "http://adlnet.gov/expapi/verbs/completed";
inline constexpr std::string_view kVerbFailed = "http://adlnet.gov/expapi/verbs/failed";
inline constexpr std::string_view kVerbCounted = "https://lasr-kiosk.invalid/xapi/verbs/counted";
inline constexpr std::string_view kFleetVerbs[] = {kVerbReported, kVerbInitialized, kVerbCompleted, kVerbFailed,
                                                    kVerbCounted};

struct Fact {
    enum class Kind {
        heartbeat,   // health: the heartbeat's health object (JSON text)
        play,        // a video play began: object video id, course
        completion,  // a video was completed: object video id, course
        error,       // a kiosk error: object = its kind ("media.unplayable")
        seen,        // anything else of a kiosk's (app start, a patron session): last seen only
    };
    Kind kind = Kind::seen;
    std::string id;          // the statement id
    std::string kiosk;       // actor.account.name
    std::string home_page;   // actor.account.homePage
    std::string stored;      // as the LRS wrote it
    int64_t stored_ms = 0;
    int64_t at_ms = 0;       // the kiosk's timestamp when it had one, else stored
    // When the kiosk was last heard from, by this statement: its timestamp
    // (which kiosks truncate to the minute) plus up to a minute, but never
    // after the LRS stored it; stored when it had no timestamp.
    int64_t seen_ms = 0;
    std::string object;
    std::string course;
    int64_t count = 1;       // a daily aggregate stands for `count` statements
    std::string health;
};
std::string_view to_string(Fact::Kind k) noexcept;
std::optional<Fact::Kind> fact_kind_from(std::string_view s) noexcept;

// Why a statement was not used.
enum class Skip { none, malformed, unknown_verb };

// `statement` is one element of a StatementResult's "statements" (parsed
// JSON of any shape). Skip::malformed names what was wrong in `why`.
// `asked_verb` is the verb the query filtered on ("" = none): a statement
// with another verb is an unknown verb (an LRS that ignores the filter).
struct Classified {
    Skip skip = Skip::none;
    std::string why;
    Fact fact;
};
Classified classify(const nlohmann::json& statement, std::string_view asked_verb);

// ISO 8601 (xAPI Timestamp: "2026-11-29T03:04:05.123Z", "+01:00" offsets,
// any fraction) as milliseconds since the epoch.
std::optional<int64_t> parse_time_ms(std::string_view s);
// "2026-11-29T03:04:05.123Z"
std::string format_time_ms(int64_t ms);

}  // namespace lasr::fleet
