// The fleet report written out: a terminal table, JSON for scripts, one
// self-contained HTML page and a Prometheus textfile.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/fleet/report.hpp"

namespace lasr::fleet {
namespace {

using json = nlohmann::json;

std::string dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string num_or_dash(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

// The date part of an RFC 3339 time ("2026-12-31"), or "-".
std::string day_of(const std::string& t) { return t.size() >= 10 ? t.substr(0, 10) : dash(t); }

std::string html_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// A Prometheus label value: backslash, quote and newline escaped.
std::string label(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string state_class(const std::string& s) {
    if (s == "silent") return "silent";
    if (s == "failing") return "failing";
    if (s == "expired content") return "expired";
    if (s == "behind") return "behind";
    return "ok";
}

}  // namespace

std::string render_text(const FleetReport& r) {
    const std::vector<std::string> head = {"KIOSK", "LIBRARY", "BRANCH", "MODE", "APP", "PACK", "EXPIRES",
                                           "LAST SEEN", "STATE", "QUEUE", "PLAYS 7D", "DONE 7D", "CAUSE"};
    std::vector<std::vector<std::string>> rows;
    for (const KioskRow& k : r.kiosks)
        rows.push_back({k.kiosk, dash(k.library), dash(k.branch), dash(k.mode), dash(k.app_version),
                        k.has_heartbeat ? std::to_string(k.pack_version) : "-", day_of(k.pack_expires),
                        age_text(k.last_seen_age_s) + " ago", k.state, num_or_dash(k.queue_depth),
                        std::to_string(k.plays_7d), std::to_string(k.completions_7d), dash(k.cause)});
    std::vector<size_t> width(head.size());
    for (size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string l;
        for (size_t c = 0; c < cells.size(); ++c) {
            l += cells[c];
            if (c + 1 < cells.size()) l += std::string(width[c] - cells[c].size() + 2, ' ');
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l + "\n";
    };
    line(head);
    for (const auto& row : rows) line(row);
    std::string summary;
    for (const auto& [state, n] : r.by_state) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + state;
    out += "\n" + std::to_string(r.kiosks.size()) + " kiosks" + (summary.empty() ? "" : ": " + summary) + "\n";
    const int64_t skipped = r.skipped.count("malformed") ? r.skipped.at("malformed") : 0;
    const int64_t unknown = r.skipped.count("unknown_verb") ? r.skipped.at("unknown_verb") : 0;
    if (skipped || unknown)
        out += "skipped statements: " + std::to_string(skipped) + " malformed, " + std::to_string(unknown) +
               " with a verb fleet did not ask for\n";
    return out;
}

std::string render_json(const FleetReport& r) {
    json doc;
    doc["generated"] = format_time_ms(r.now_ms);
    doc["lrs"] = r.lrs;
    doc["exit_code"] = r.exit_code();
    json kiosks = json::array();
    for (const KioskRow& k : r.kiosks) {
        kiosks.push_back({{"kiosk", k.kiosk},
                          {"home_page", k.home_page},
                          {"library", k.library},
                          {"branch", k.branch},
                          {"mode", k.mode},
                          {"app_version", k.app_version},
                          {"pack_version", k.pack_version},
                          {"pack_issued", k.pack_issued},
                          {"pack_expires", k.pack_expires},
                          {"last_seen", format_time_ms(k.last_seen_ms)},
                          {"last_seen_age_s", k.last_seen_age_s},
                          {"heartbeat_interval_s", k.heartbeat_interval_s},
                          {"state", k.state},
                          {"cause", k.cause},
                          {"content_sync", k.content_sync},
                          {"screen", k.screen},
                          {"queue_depth", k.queue_depth},
                          {"queue_oldest_s", k.queue_oldest_s},
                          {"disk_free_mb", k.disk_free_mb},
                          {"uptime_s", k.uptime_s},
                          {"errors_recent", k.errors_recent},
                          {"plays_7d", k.plays_7d},
                          {"completions_7d", k.completions_7d}});
    }
    doc["kiosks"] = std::move(kiosks);
    doc["by_state"] = r.by_state;
    doc["plays_by_branch"] = r.plays_by_branch;
    doc["skipped"] = r.skipped;
    doc["read"] = {{"statements", r.statements_read}, {"requests", r.requests}};
    return doc.dump(2) + "\n";
}

std::string render_prometheus(const FleetReport& r) {
    std::ostringstream o;
    auto labels = [](const KioskRow& k) {
        return "kiosk=\"" + label(k.kiosk) + "\",library=\"" + label(k.library) + "\",branch=\"" + label(k.branch) + "\"";
    };
    struct Gauge {
        const char* name;
        const char* help;
        std::function<int64_t(const KioskRow&)> value;
        bool skip_negative;
    };
    const std::vector<Gauge> gauges = {
        {"lasr_kiosk_last_seen_seconds", "Seconds since the kiosk's latest statement.",
         [](const KioskRow& k) { return k.last_seen_age_s; }, false},
        {"lasr_kiosk_up", "1 unless the kiosk is silent or failing.",
         [](const KioskRow& k) { return int64_t{k.state != "silent" && k.state != "failing"}; }, false},
        {"lasr_kiosk_queue_depth", "Usage statements waiting on the kiosk for the LRS.",
         [](const KioskRow& k) { return k.queue_depth; }, true},
        {"lasr_kiosk_queue_oldest_seconds", "Age of the oldest statement waiting on the kiosk.",
         [](const KioskRow& k) { return k.queue_oldest_s; }, true},
        {"lasr_kiosk_pack_version", "Version of the content pack the kiosk plays.",
         [](const KioskRow& k) { return k.has_heartbeat ? k.pack_version : -1; }, true},
        {"lasr_kiosk_pack_expires_timestamp_seconds", "When the kiosk's content pack expires (Unix time).",
         [](const KioskRow& k) {
             auto t = parse_time_ms(k.pack_expires);
             return t ? *t / 1000 : -1;
         },
         true},
        {"lasr_kiosk_disk_free_bytes", "Free disk space on the kiosk's data file system.",
         [](const KioskRow& k) { return k.disk_free_mb < 0 ? -1 : k.disk_free_mb * 1024 * 1024; }, true},
        {"lasr_kiosk_errors_recent", "Errors in the last three heartbeat intervals.",
         [](const KioskRow& k) { return k.errors_recent; }, false},
        {"lasr_kiosk_plays_7d", "Video plays in the last 7 days.", [](const KioskRow& k) { return k.plays_7d; },
         false},
        {"lasr_kiosk_completions_7d", "Videos watched to the end in the last 7 days.",
         [](const KioskRow& k) { return k.completions_7d; }, false},
    };
    for (const Gauge& g : gauges) {
        o << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n";
        for (const KioskRow& k : r.kiosks) {
            const int64_t v = g.value(k);
            if (g.skip_negative && v < 0) continue;
            o << g.name << "{" << labels(k) << "} " << v << "\n";
        }
    }
    o << "# HELP lasr_kiosk_state The kiosk's state in the fleet view (1 for its state).\n"
         "# TYPE lasr_kiosk_state gauge\n";
    for (const KioskRow& k : r.kiosks)
        for (const char* s : {"ok", "silent", "failing", "expired content", "behind"})
            o << "lasr_kiosk_state{" << labels(k) << ",state=\"" << s << "\"} " << (k.state == s ? 1 : 0) << "\n";
    o << "# HELP lasr_kiosk_info What the kiosk runs (always 1).\n# TYPE lasr_kiosk_info gauge\n";
    for (const KioskRow& k : r.kiosks)
        o << "lasr_kiosk_info{" << labels(k) << ",mode=\"" << label(k.mode) << "\",app_version=\""
          << label(k.app_version) << "\",cause=\"" << label(k.cause) << "\"} 1\n";
    o << "# HELP lasr_fleet_kiosks Kiosks in each state.\n# TYPE lasr_fleet_kiosks gauge\n";
    for (const char* s : {"ok", "silent", "failing", "expired content", "behind"})
        o << "lasr_fleet_kiosks{state=\"" << s << "\"} " << (r.by_state.count(s) ? r.by_state.at(s) : 0) << "\n";
    o << "# HELP lasr_fleet_skipped_statements Statements fleet could not use, over the cache's life.\n"
         "# TYPE lasr_fleet_skipped_statements gauge\n";
    for (const auto& [reason, n] : r.skipped) o << "lasr_fleet_skipped_statements{reason=\"" << reason << "\"} " << n << "\n";
    o << "# HELP lasr_fleet_report_timestamp_seconds When this report was made (Unix time).\n"
         "# TYPE lasr_fleet_report_timestamp_seconds gauge\n"
      << "lasr_fleet_report_timestamp_seconds " << r.now_ms / 1000 << "\n";
    return o.str();
}

std::string render_html(const FleetReport& r) {
    std::ostringstream o;
    o << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LASR Kiosk fleet</title>
<style>
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.meta{color:#4a5360;margin:0 0 14px}
.chips span{display:inline-block;margin:0 8px 8px 0;padding:3px 10px;border-radius:12px;font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #d8dde3;text-align:left;white-space:nowrap}
td.cause{white-space:normal;min-width:14em}
th{background:#eef1f4;cursor:pointer;user-select:none;position:sticky;top:0}
th:hover{background:#e2e7ec}th.asc::after{content:" \25B2"}th.desc::after{content:" \25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{background:#dff3e4;color:#14532d}.silent{background:#fde2e1;color:#7f1d1d}.failing{background:#ffe8cc;color:#7c2d12}
.expired{background:#fff4c2;color:#713f12}.behind{background:#e0ecff;color:#1e3a8a}
td.state{font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{border:1px solid #d8dde3;border-radius:6px;padding:10px 12px}
.chart h3{font-size:15px;margin:0 0 6px}
.note{color:#4a5360;font-size:13px}
</style></head><body>
<h1>LASR Kiosk fleet</h1>
)";
    o << "<p class=\"meta\">Generated " << html_escape(format_time_ms(r.now_ms)) << " from the LRS at "
      << html_escape(r.lrs) << ". " << r.kiosks.size() << " kiosks.</p>\n<p class=\"chips\">";
    for (const char* s : {"silent", "failing", "expired content", "behind", "ok"}) {
        const int64_t n = r.by_state.count(s) ? r.by_state.at(s) : 0;
        if (n == 0 && std::string(s) != "ok") continue;
        o << "<span class=\"" << state_class(s) << "\">" << n << " " << s << "</span>";
    }
    o << "</p>\n<table id=\"fleet\"><thead><tr>";
    const char* heads[] = {"Kiosk", "Library", "Branch", "Mode", "App", "Pack", "Expires", "Last seen",
                           "State", "Cause", "Queue", "Disk free", "Plays 7 d", "Completed 7 d"};
    for (const char* h : heads) o << "<th>" << h << "</th>";
    o << "</tr></thead><tbody>\n";
    for (const KioskRow& k : r.kiosks) {
        auto cell = [&](const std::string& text, const std::string& sort = {}, const char* cls = nullptr) {
            o << "<td";
            if (cls) o << " class=\"" << cls << "\"";
            if (!sort.empty()) o << " data-sort=\"" << html_escape(sort) << "\"";
            o << ">" << html_escape(text) << "</td>";
        };
        o << "<tr>";
        cell(k.kiosk);
        cell(dash(k.library));
        cell(dash(k.branch));
        cell(dash(k.mode));
        cell(dash(k.app_version));
        cell(k.has_heartbeat ? std::to_string(k.pack_version) : "-", std::to_string(k.pack_version), "n");
        cell(day_of(k.pack_expires));
        cell(age_text(k.last_seen_age_s) + " ago", std::to_string(k.last_seen_age_s), "n");
        o << "<td class=\"state " << state_class(k.state) << "\" data-sort=\"" << state_rank(k.state) << "\">"
          << html_escape(k.state) << "</td>";
        cell(dash(k.cause), {}, "cause");
        cell(num_or_dash(k.queue_depth), std::to_string(k.queue_depth), "n");
        cell(k.disk_free_mb < 0 ? "-" : std::to_string(k.disk_free_mb / 1024) + "." +
                                            std::to_string((k.disk_free_mb % 1024) * 10 / 1024) + " GB",
             std::to_string(k.disk_free_mb), "n");
        cell(std::to_string(k.plays_7d), std::to_string(k.plays_7d), "n");
        cell(std::to_string(k.completions_7d), std::to_string(k.completions_7d), "n");
        o << "</tr>\n";
    }
    o << "</tbody></table>\n<p class=\"note\">Worst first; click a column heading to sort. Silent: nothing heard "
         "for 3 heartbeat intervals. Failing: errors in the last 3 intervals, or content sync failing.</p>\n";

    o << "<h2>Plays per course, last 7 days</h2>\n<div class=\"charts\">\n";
    if (r.plays_by_branch.empty()) o << "<p class=\"note\">No plays in the last 7 days.</p>\n";
    for (const auto& [branch, courses] : r.plays_by_branch) {
        int64_t top = 1;
        for (const auto& [c, n] : courses) top = std::max(top, n);
        const int bar_w = 260, label_w = 170, row_h = 24;
        const int h = static_cast<int>(courses.size()) * row_h + 8;
        o << "<div class=\"chart\"><h3>" << html_escape(branch) << "</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
          << "width=\"" << label_w + bar_w + 60 << "\" height=\"" << h << "\" role=\"img\" aria-label=\"plays per course, "
          << html_escape(branch) << "\">\n";
        int y = 4;
        for (const auto& [course, n] : courses) {
            const int w = std::max(2, static_cast<int>(static_cast<double>(n) * bar_w / static_cast<double>(top)));
            o << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 16 << "\" text-anchor=\"end\" font-size=\"13\" "
              << "fill=\"#1b1f24\">" << html_escape(course) << "</text>"
              << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\"" << row_h - 8
              << "\" rx=\"2\" fill=\"#2f6fb0\"><title>" << html_escape(course) << ": " << n << " plays</title></rect>"
              << "<text x=\"" << label_w + w + 6 << "\" y=\"" << y + 16 << "\" font-size=\"13\" fill=\"#1b1f24\">" << n
              << "</text>\n";
            y += row_h;
        }
        o << "</svg></div>\n";
    }
    o << "</div>\n";
    const int64_t malformed = r.skipped.count("malformed") ? r.skipped.at("malformed") : 0;
    const int64_t unknown = r.skipped.count("unknown_verb") ? r.skipped.at("unknown_verb") : 0;
    if (malformed || unknown)
        o << "<p class=\"note\">Skipped statements: " << malformed << " malformed, " << unknown
          << " with a verb fleet did not ask for.</p>\n";
    // Sorting in the page, no framework: numbers by data-sort, text as text.
    o << R"(<script>
document.querySelectorAll('#fleet th').forEach(function(th, col) {
  th.addEventListener('click', function() {
    var body = document.querySelector('#fleet tbody');
    var asc = !th.classList.contains('asc');
    document.querySelectorAll('#fleet th').forEach(function(h) { h.classList.remove('asc', 'desc'); });
    th.classList.add(asc ? 'asc' : 'desc');
    var key = function(tr) { var td = tr.children[col]; return td.dataset.sort !== undefined ? td.dataset.sort : td.textContent; };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function(a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(tr) { body.appendChild(tr); });
  });
});
</script>
</body></html>
)";
    return o.str();
}

}  // namespace lasr::fleet
