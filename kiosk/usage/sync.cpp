#include "kiosk/usage/sync.hpp"

#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/log.hpp"

namespace lasr {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kVersionHeader = "X-Experience-API-Version: 1.0.3";
// A Retry-After beyond this is a misconfigured server; we look again sooner.
constexpr milliseconds kMaxRetryAfter{24 * 3600 * 1000};
// After a 413 has made batches smaller, this many good batches in a row let
// them grow again (doubling, up to the configured limit).
constexpr int kGrowAfter = 20;

Error sync_error(Errc c, std::string message) { return make_error(Domain::sync, c, std::move(message)); }

// Retry-After: delta-seconds or an HTTP date. Nothing usable: nullopt.
std::optional<milliseconds> parse_retry_after(const std::string& v) {
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (v.size() > 9) return kMaxRetryAfter;
        return std::min(kMaxRetryAfter, milliseconds(std::strtoll(v.c_str(), nullptr, 10) * 1000));
    }
    struct tm tm{};
    const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end) return std::nullopt;
    const time_t when = timegm(&tm);
    const time_t now = ::time(nullptr);
    if (when <= now) return milliseconds(0);
    return std::min(kMaxRetryAfter, milliseconds(static_cast<int64_t>(when - now) * 1000));
}

uint64_t random_seed() {
    uint64_t seed = 0;
    if (::getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
        std::random_device rd;
        seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    }
    return seed;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// The statement as an LRS may give it back: without what the LRS adds
// (stored, authority, version) and with the timestamp as a value, so our
// stored bytes and its copy can be compared for "is this ours?".
nlohmann::json comparable(nlohmann::json st) {
    if (!st.is_object()) return st;
    st.erase("stored");
    st.erase("authority");
    st.erase("version");
    return st;
}

}  // namespace

std::string_view to_string(SyncResult::Outcome o) noexcept {
    switch (o) {
        case SyncResult::Outcome::drained: return "drained";
        case SyncResult::Outcome::budget: return "budget";
        case SyncResult::Outcome::retry_later: return "retry_later";
        case SyncResult::Outcome::paused: return "paused";
        case SyncResult::Outcome::stopped: return "stopped";
        case SyncResult::Outcome::failed: return "failed";
    }
    return "unknown";
}

Result<SyncSettings> SyncSettings::from(const Config& c) {
    const UsageSettings& u = c.usage;
    if (u.lrs_url.empty())
        return sync_error(Errc::not_found, "no LRS configured ([usage] lrs_url is empty): nothing to sync to");
    SyncSettings s;
    s.statements_url = u.lrs_url;
    if (s.statements_url.back() != '/') s.statements_url += '/';
    s.statements_url += "statements";
    s.user = u.lrs_user;
    s.password = u.lrs_password;
    if (!u.lrs_credentials_file.empty()) {
        std::ifstream f(u.lrs_credentials_file);
        std::string line;
        if (!f || !std::getline(f, line))
            return sync_error(Errc::not_found, "cannot read the LRS credentials file " + u.lrs_credentials_file.string());
        line = trim(line);
        auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            return sync_error(Errc::validation, u.lrs_credentials_file.string() + ": expected one line \"user:password\"");
        s.user = line.substr(0, colon);
        s.password = line.substr(colon + 1);
    }
    s.batch_max_statements = u.batch_max_statements;
    s.batch_max_bytes = static_cast<size_t>(u.batch_max_kb) * 1024;
    s.backoff_cap = milliseconds(static_cast<int64_t>(u.backoff_cap_s) * 1000);
    s.request_timeout_s = u.request_timeout_s;
    s.ca_file = c.content.ca_file;  // one extra CA bundle for every https server the kiosk talks to
    return s;
}

struct UsageSync::Reply {
    bool transport_ok = false;  // an HTTP status came back
    long status = 0;
    std::string body;
    std::string retry_after;
    std::string error;  // transport failure
    bool cancelled = false;
};

UsageSync::UsageSync(UsageLog& log, SyncSettings settings, std::unique_ptr<net::HttpClient> http)
    : log_(log), settings_(std::move(settings)), http_(std::move(http)), rng_(random_seed()),
      limit_count_(settings_.batch_max_statements), limit_bytes_(settings_.batch_max_bytes) {}

UsageSync::~UsageSync() = default;

Result<std::unique_ptr<UsageSync>> UsageSync::create(UsageLog& log, const SyncSettings& settings) {
    if (settings.statements_url.empty()) return sync_error(Errc::invalid_argument, "no statements URL");
    if (settings.batch_max_statements < 1 || settings.batch_max_bytes < 1)
        return sync_error(Errc::invalid_argument, "batch limits must be at least 1");
    net::HttpOptions o;
    o.ca_file = settings.ca_file;
    o.total_timeout_s = settings.request_timeout_s;
    o.connect_timeout_s = std::min<long>(10, settings.request_timeout_s);
    o.low_speed_window_s = std::min<long>(30, settings.request_timeout_s);
    o.user_agent = "lasr-kiosk usage-sync";
    auto http = net::HttpClient::create(o);
    if (!http) return std::move(http).error();
    return std::unique_ptr<UsageSync>(new UsageSync(log, settings, std::move(*http)));
}

milliseconds UsageSync::backoff(int failures) {
    const int64_t base = std::max<int64_t>(1, settings_.backoff_base.count());
    const int64_t cap = std::max<int64_t>(base, settings_.backoff_cap.count());
    int64_t ceiling = base;
    for (int i = 0; i < failures && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    std::uniform_int_distribution<int64_t> pick(0, ceiling);
    return milliseconds(pick(rng_));
}

UsageSync::Reply UsageSync::post(const std::vector<OutboxRow>& rows, size_t from, size_t to,
                                 const std::atomic<bool>& stopping) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = settings_.statements_url;
    req.headers = {std::string(kVersionHeader), "Content-Type: application/json"};
    req.basic_user = settings_.user;
    req.basic_password = settings_.password;
    size_t bytes = 2;
    for (size_t i = from; i < to; ++i) bytes += rows[i].body.size() + 1;
    req.body.reserve(bytes);
    req.body += '[';
    for (size_t i = from; i < to; ++i) {
        if (i > from) req.body += ',';
        req.body += rows[i].body;  // the stored bytes, untouched
    }
    req.body += ']';

    Reply r;
    auto resp = http_->send(req, 1u << 20, &stopping);
    if (!resp) {
        r.error = resp.error().describe();
        r.cancelled = stopping.load();
        return r;
    }
    r.transport_ok = true;
    r.status = resp->status;
    r.retry_after = resp->header("retry-after");
    r.body = std::move(resp->body);
    return r;
}

bool UsageSync::fail_transient(const Reply& r, SyncResult& out) {
    ++failures_;
    out.outcome = r.cancelled ? SyncResult::Outcome::stopped : SyncResult::Outcome::retry_later;
    out.message = r.transport_ok ? "LRS answered HTTP " + std::to_string(r.status) : r.error;
    auto ra = r.transport_ok ? parse_retry_after(r.retry_after) : std::nullopt;
    out.retry_in = ra ? *ra : backoff(failures_);
    return false;
}

bool UsageSync::fail_auth(const Reply& r, SyncResult& out) {
    paused_ = true;
    out.outcome = SyncResult::Outcome::paused;
    out.message = "the LRS refused our credentials (HTTP " + std::to_string(r.status) +
                  "): usage upload paused; check [usage] lrs_user/lrs_password or lrs_credentials_file";
    out.retry_in = settings_.backoff_cap;
    return false;
}

bool UsageSync::delivered(const std::vector<OutboxRow>& rows, size_t from, size_t to, SyncResult& out) {
    std::vector<int64_t> seqs;
    seqs.reserve(to - from);
    for (size_t i = from; i < to; ++i) seqs.push_back(rows[i].seq);
    if (auto st = log_.outbox_delivered(seqs); !st) {
        out.outcome = SyncResult::Outcome::failed;
        out.message = st.error().describe();
        return false;
    }
    out.sent += static_cast<int64_t>(to - from);
    failures_ = 0;
    return true;
}

bool UsageSync::dead_letter(const OutboxRow& row, int status, const std::string& reason, SyncResult& out) {
    if (auto st = log_.outbox_dead_letter(row.seq, status, reason); !st) {
        out.outcome = SyncResult::Outcome::failed;
        out.message = st.error().describe();
        return false;
    }
    ++out.dead_lettered;
    log::error("sync", "dead_letter seq=" + std::to_string(row.seq) + " statement=" + row.statement_id +
                           " http_status=" + std::to_string(status) + " reason=\"" + reason + "\"");
    return true;
}

bool UsageSync::resolve_conflict(const OutboxRow& row, const std::atomic<bool>& stopping, SyncResult& out) {
    // Alone, it still conflicts: is what the LRS holds under this id ours?
    net::HttpRequest req;
    req.url = settings_.statements_url + "?statementId=" + row.statement_id;
    req.headers = {std::string(kVersionHeader)};
    req.basic_user = settings_.user;
    req.basic_password = settings_.password;
    ++out.requests;
    auto resp = http_->send(req, 1u << 20, &stopping);
    if (!resp) return fail_transient(Reply{false, 0, "", "", resp.error().describe(), stopping.load()}, out);
    Reply r{true, resp->status, resp->body, resp->header("retry-after"), "", false};
    if (r.status == 401 || r.status == 403) return fail_auth(r, out);
    if (r.status == 200) {
        auto theirs = nlohmann::json::parse(r.body, nullptr, false);
        auto ours = nlohmann::json::parse(row.body, nullptr, false);
        // Ours has no timestamp when the clock was not trusted; the LRS then
        // set one (= stored).
        if (theirs.is_object() && ours.is_object() && !ours.contains("timestamp")) theirs.erase("timestamp");
        if (!theirs.is_discarded() && !ours.is_discarded() && comparable(theirs) == comparable(ours)) {
            log::info("sync", "conflict_resolved seq=" + std::to_string(row.seq) + " statement=" + row.statement_id +
                                  " (the LRS already holds this statement)");
            return delivered({row}, 0, 1, out);
        }
        return dead_letter(row, 409, "the LRS holds a different statement with this id", out);
    }
    if (r.status == 404) return dead_letter(row, 409, "409 Conflict, and the LRS cannot show its copy", out);
    if (r.status == 429 || r.status >= 500) return fail_transient(r, out);
    return dead_letter(row, 409, "409 Conflict; fetching the LRS's copy gave HTTP " + std::to_string(r.status), out);
}

bool UsageSync::send_range(const std::vector<OutboxRow>& rows, size_t from, size_t to,
                           const std::atomic<bool>& stopping, SyncResult& out) {
    if (stopping.load()) {
        out.outcome = SyncResult::Outcome::stopped;
        return false;
    }
    ++out.requests;
    Reply r = post(rows, from, to, stopping);
    if (!r.transport_ok) return fail_transient(r, out);
    const size_t n = to - from;
    switch (r.status) {
        case 200:
        case 204:
            return delivered(rows, from, to, out);
        case 401:
        case 403:
            return fail_auth(r, out);
        case 400: {
            if (n == 1) return dead_letter(rows[from], 400, "the LRS rejected the statement (400): " + r.body.substr(0, 200), out);
            const size_t mid = from + n / 2;
            return send_range(rows, from, mid, stopping, out) && send_range(rows, mid, to, stopping, out);
        }
        case 409: {
            if (n == 1) return resolve_conflict(rows[from], stopping, out);
            for (size_t i = from; i < to; ++i)
                if (!send_range(rows, i, i + 1, stopping, out)) return false;
            return true;
        }
        case 413: {
            if (n == 1) return dead_letter(rows[from], 413, "the statement is larger than the LRS accepts", out);
            limit_count_ = std::max(1, static_cast<int>(n / 2));
            size_t bytes = 0;
            for (size_t i = from; i < to; ++i) bytes += rows[i].body.size();
            limit_bytes_ = std::max<size_t>(1, bytes / 2);
            successes_since_shrink_ = 0;
            log::warn("sync", "payload_too_large statements=" + std::to_string(n) +
                                  " new_batch_limit=" + std::to_string(limit_count_));
            const size_t mid = from + n / 2;
            return send_range(rows, from, mid, stopping, out) && send_range(rows, mid, to, stopping, out);
        }
        default:
            // 5xx, 429, 408, and anything unexpected (a 404 is a wrong URL,
            // which staff fix; meanwhile nothing is lost): back off.
            return fail_transient(r, out);
    }
}

SyncResult UsageSync::run(const std::atomic<bool>& stopping, milliseconds budget) {
    SyncResult out;
    if (paused_) {
        out.outcome = SyncResult::Outcome::paused;
        out.message = "usage upload paused: the LRS refused our credentials";
        out.retry_in = settings_.backoff_cap;
        return out;
    }
    const auto start = Clock::now();
    for (;;) {
        if (stopping.load()) {
            out.outcome = SyncResult::Outcome::stopped;
            break;
        }
        if (budget != milliseconds::max() && Clock::now() - start >= budget) {
            out.outcome = SyncResult::Outcome::budget;
            break;
        }
        auto rows = log_.outbox_head(limit_count_, limit_bytes_);
        if (!rows) {
            out.outcome = SyncResult::Outcome::failed;
            out.message = rows.error().describe();
            break;
        }
        if (rows->empty()) {
            out.outcome = SyncResult::Outcome::drained;
            break;
        }
        const int limit_before = limit_count_;
        if (!send_range(*rows, 0, rows->size(), stopping, out)) break;
        if (limit_count_ == limit_before && limit_count_ < settings_.batch_max_statements &&
            ++successes_since_shrink_ >= kGrowAfter) {
            limit_count_ = std::min(settings_.batch_max_statements, limit_count_ * 2);
            limit_bytes_ = std::min(settings_.batch_max_bytes, limit_bytes_ * 2);
            successes_since_shrink_ = 0;
        }
    }
    // What status() shows: the last success, or the last error and whether
    // staff must act.
    SyncNote note;
    note.success = out.outcome == SyncResult::Outcome::drained || out.outcome == SyncResult::Outcome::budget;
    note.auth_paused = out.outcome == SyncResult::Outcome::paused;
    note.error = out.message;
    const bool noteworthy = out.outcome != SyncResult::Outcome::stopped &&
                            !(note.success && out.sent == 0 && out.dead_lettered == 0);
    if (noteworthy) {
        if (auto st = log_.note_sync(note); !st) log::error(st.error());
    }
    if (out.outcome == SyncResult::Outcome::paused) {
        log::error("sync", out.message);
    } else if (out.outcome == SyncResult::Outcome::retry_later || out.outcome == SyncResult::Outcome::failed) {
        log::warn("sync", "upload_failed failures=" + std::to_string(failures_) + " retry_in_ms=" +
                              std::to_string(out.retry_in.count()) + " reason=\"" + out.message + "\"");
    }
    if (out.sent > 0 || out.dead_lettered > 0) {
        log::info("sync", "uploaded sent=" + std::to_string(out.sent) + " dead_lettered=" +
                              std::to_string(out.dead_lettered) + " requests=" + std::to_string(out.requests) +
                              " outcome=" + std::string(to_string(out.outcome)));
    }
    return out;
}

}  // namespace lasr
