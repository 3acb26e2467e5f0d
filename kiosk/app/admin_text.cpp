#include "kiosk/app/admin_text.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "kiosk/app/strings.hpp"

namespace lasr {
namespace {

// Local time: "14:02" today, "2026-11-27 14:02" on another day.
std::string when(std::time_t t, std::time_t now) {
    struct tm lt {}, ln {};
    localtime_r(&t, &lt);
    localtime_r(&now, &ln);
    char buf[32];
    if (lt.tm_year == ln.tm_year && lt.tm_yday == ln.tm_yday)
        std::strftime(buf, sizeof buf, "%H:%M", &lt);
    else
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &lt);
    return buf;
}

// An xAPI timestamp ("2026-11-29T14:02:11.000Z") in the same shape, local.
std::string when_iso(const std::string& iso, std::time_t now) {
    struct tm tm {};
    if (iso.size() < 19 || !strptime(iso.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return iso;
    return when(timegm(&tm), now);
}

std::string mb(uint64_t bytes) {
    char buf[32];
    double v = static_cast<double>(bytes) / 1e6;
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f MB" : "%.0f MB", v);
    return buf;
}

std::string duration(double s, std::string_view lang) {
    if (s < 90) return std::to_string(std::max(1, static_cast<int>(std::lround(s)))) + " s";
    if (s < 90 * 60) return std::to_string(static_cast<int>(std::lround(s / 60))) + " " + tr(lang, "admin.minutes");
    if (s < 48 * 3600) return std::to_string(static_cast<int>(std::lround(s / 3600))) + " h";
    return std::to_string(static_cast<int>(std::lround(s / 86400))) + " d";
}

// Error::describe() starts with "domain/code: "; staff read only the cause.
std::string cause(const std::string& described) {
    size_t colon = described.find(": ");
    size_t slash = described.find('/');
    if (colon == std::string::npos || slash == std::string::npos || slash > colon) return described;
    for (size_t i = 0; i < colon; ++i) {
        char c = described[i];
        if (!((c >= 'a' && c <= 'z') || c == '_' || c == '/')) return described;
    }
    return described.substr(colon + 2);
}

}  // namespace

StatusLine content_sync_line(const AdminStatus& a, std::string_view lang) {
    const AppState::Content& c = a.content;
    auto t = [&](std::string_view key) { return tr(lang, key); };
    StatusLine l;
    if (!c.sync_configured) {
        l.text = t("admin.sync_not_configured");
        l.quiet = true;
        return l;
    }
    auto last = [&] {
        return c.sync_last_success ? "; " + t("admin.last_success") + " " + when(c.sync_last_success, a.now) : "";
    };
    if (c.sync_phase == "fetch") {
        int pct = c.bytes_total ? static_cast<int>(100.0 * static_cast<double>(c.bytes_done) /
                                                   static_cast<double>(c.bytes_total))
                                : 0;
        l.text = t("admin.downloading") + " " + std::to_string(pct) + "%: " + std::to_string(c.files_done) + " " +
                 t("admin.of") + " " + std::to_string(c.files_total) + " " + t("admin.files") + ", " +
                 mb(c.bytes_done) + " " + t("admin.of") + " " + mb(c.bytes_total);
        if (c.sync_eta_s >= 0) l.text += ", " + t("admin.about") + " " + duration(c.sync_eta_s, lang) + " " + t("admin.left");
    } else if (c.sync_phase == "manifest") {
        l.text = t("admin.checking");
    } else if (c.sync_phase == "activate" || c.sync_phase == "gc") {
        l.text = t("admin.installing");
    } else if (c.sync_phase == "offline" || c.sync_phase == "error" || !c.sync_error.empty()) {
        l.problem = true;
        l.text = t(c.sync_phase == "offline" ? "admin.sync_offline" : "admin.sync_failed") + ": " + cause(c.sync_error) + last();
    } else if (c.sync_last_success) {
        l.text = t("admin.up_to_date") + " (" + t("admin.checked") + " " + when(c.sync_last_success, a.now) + ")";
    } else {
        l.text = t("admin.sync_waiting");
    }
    return l;
}

StatusLine usage_upload_line(const AdminStatus& a, std::string_view lang) {
    auto t = [&](std::string_view key) { return tr(lang, key); };
    StatusLine l;
    if (!a.have_usage) {
        l.text = t("admin.usage_off");
        l.quiet = true;
        return l;
    }
    const UsageStatus& q = a.queue;
    std::string waiting = a.have_queue ? std::to_string(q.queued) + " " + t("admin.waiting") : "";
    if (a.have_queue && q.queued > 0 && !q.oldest_unsent.empty())
        waiting += " " + t("admin.since") + " " + when_iso(q.oldest_unsent, a.now);
    if (!a.upload.configured) {
        l.text = t("admin.upload_not_configured") + (waiting.empty() ? "" : "; " + waiting);
        l.quiet = true;
        return l;
    }
    if (a.upload.paused || q.auth_paused) {
        l.problem = true;
        l.text = t("admin.upload_paused") + (waiting.empty() ? "" : "; " + waiting);
    } else if (!q.last_error.empty()) {
        l.problem = true;
        l.text = waiting + (waiting.empty() ? "" : "; ") + t("admin.last_error") + ": " + cause(q.last_error);
    } else if (a.have_queue && q.queued == 0) {
        l.text = t("admin.all_sent");
        if (!q.last_success.empty()) l.text += " (" + t("admin.last_sent") + " " + when_iso(q.last_success, a.now) + ")";
    } else {
        l.text = waiting;
        if (!q.last_success.empty()) l.text += "; " + t("admin.last_sent") + " " + when_iso(q.last_success, a.now);
    }
    if (a.have_queue && q.dead_letters > 0) {
        l.problem = true;
        l.text += "; " + std::to_string(q.dead_letters) + " " + t("admin.refused");
    }
    return l;
}

StatusLine running_line(const AdminStatus& a, std::string_view lang) {
    StatusLine l;
    l.text = duration(a.uptime_s, lang);
    if (a.rss_mb >= 0) {
        char b[32];
        std::snprintf(b, sizeof b, "%.0f MB", a.rss_mb);
        l.text += std::string(", ") + b + " " + tr(lang, "admin.memory");
    }
    l.text += "; " + (a.daily_restart.empty() ? tr(lang, "admin.no_daily_restart")
                                              : tr(lang, "admin.restarts_daily") + " " + a.daily_restart);
    return l;
}

}  // namespace lasr
