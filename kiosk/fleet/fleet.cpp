#include "kiosk/fleet/fleet.hpp"

#include <algorithm>
#include <chrono>

#include "config/log.hpp"

namespace lasr::fleet {

Result<FleetReport> refresh_and_report(const FleetOptions& o) {
    using namespace std::chrono;
    const int64_t now_ms =
        o.now_ms > 0 ? o.now_ms : duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    constexpr int64_t kDayMs = 24LL * 3600 * 1000;
    auto cache = FleetCache::open(o.cache, o.lrs.base_url);
    if (!cache) return std::move(cache).error();
    int64_t statements = 0, requests = 0;
    if (!o.offline) {
        auto reader = LrsReader::create(o.lrs);
        if (!reader) return std::move(reader).error();
        for (std::string_view verb_view : kFleetVerbs) {
            const std::string verb(verb_view);
            auto cursor = (*cache)->cursor(verb);
            if (!cursor) return std::move(cursor).error();
            Query q;
            q.verb = verb;
            q.limit = o.limit;
            const int days = verb == kVerbReported ? o.heartbeat_days : o.days;
            const int64_t since = *cursor ? **cursor - o.overlap_ms : now_ms - days * kDayMs;
            q.since = format_time_ms(since);
            const auto started = steady_clock::now();
            int64_t read = 0;
            LASR_TRY((*reader)->read(q, [&](Page& page) -> Status {
                read += page.statements;
                return (*cache)->add_page(verb, page.facts, page.max_stored_ms, page.malformed, page.unknown_verb);
            }));
            statements += read;
            log::info("fleet", "read verb=" + verb + " since=" + q.since + " statements=" + std::to_string(read) +
                                   " ms=" + std::to_string(duration_cast<milliseconds>(steady_clock::now() - started).count()));
        }
        requests = (*reader)->requests();
    }
    LASR_TRY((*cache)->prune(now_ms - (std::max(o.days, 7) + 1) * kDayMs));
    auto report = build_report(**cache, now_ms);
    if (!report) return std::move(report).error();
    report->lrs = o.lrs.base_url;
    report->statements_read = statements;
    report->requests = requests;
    return report;
}

}  // namespace lasr::fleet
