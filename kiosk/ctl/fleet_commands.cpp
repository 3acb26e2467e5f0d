// lasr-kioskctl fleet: every kiosk of a library system in one table, read
// back from the LRS the kiosks send to (xAPI query API), with a local cache.
// Exit 0: all ok; 1: a kiosk is silent or failing; 2: fleet could not run.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "config/config.hpp"
#include "config/log.hpp"
#include "kiosk/ctl/commands.hpp"
#include "kiosk/fleet/fleet.hpp"
#include "media/durable.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

struct FleetArgs {
    std::string config_file;
    std::string lrs;
    std::string credentials;
    std::string ca_file;
    std::string cache;
    bool json = false;
    std::string html;
    std::string prom;
    int days = 7;
    int heartbeat_days = 1;
    int limit = 500;
    int max_page_mb = 64;
    std::string now;
    bool offline = false;
};

int fail(const Error& e) {
    std::cerr << "fleet: " << e.describe() << "\n";
    return 2;
}

// This process's peak resident memory (VmHWM: of this program only, not of
// whatever forked it), in MB; -1 when unknown.
double peak_rss_mb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    return -1;
}

fs::path default_cache() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "lasr-kioskctl/fleet.sqlite3";
    if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache/lasr-kioskctl/fleet.sqlite3";
    return "fleet.sqlite3";
}

// The LRS and its credentials: --lrs / --credentials, else the config's [usage].
Result<fleet::LrsEndpoint> endpoint(const FleetArgs& a) {
    fleet::LrsEndpoint e;
    e.max_page_bytes = static_cast<size_t>(a.max_page_mb) << 20;
    e.ca_file = a.ca_file;
    if (a.lrs.empty()) {
        std::optional<fs::path> path = a.config_file.empty() ? default_config_path() : fs::path(a.config_file);
        if (!path)
            return make_error(Domain::config, Errc::invalid_argument,
                              "no LRS: give --lrs URL, or --config with [usage] lrs_url");
        auto cfg = load_config_file(*path);
        if (!cfg) return std::move(cfg).error();
        if (cfg->usage.lrs_url.empty())
            return make_error(Domain::config, Errc::invalid_argument,
                              path->string() + ": [usage] lrs_url is empty; give --lrs URL");
        e.base_url = cfg->usage.lrs_url;
        e.user = cfg->usage.lrs_user;
        e.password = cfg->usage.lrs_password;
        if (e.ca_file.empty()) e.ca_file = cfg->content.ca_file;
        if (a.credentials.empty() && !cfg->usage.lrs_credentials_file.empty())
            LASR_TRY(fleet::read_credentials(cfg->usage.lrs_credentials_file, e.user, e.password));
    } else {
        e.base_url = a.lrs;
    }
    if (!a.credentials.empty()) LASR_TRY(fleet::read_credentials(a.credentials, e.user, e.password));
    return e;
}

int run_fleet(const FleetArgs& a) {
    auto lrs = endpoint(a);
    if (!lrs) return fail(lrs.error());
    fleet::FleetOptions o;
    o.lrs = *lrs;
    o.cache = a.cache.empty() ? default_cache() : fs::path(a.cache);
    o.days = a.days;
    o.heartbeat_days = a.heartbeat_days;
    o.limit = a.limit;
    o.offline = a.offline;
    if (!a.now.empty()) {
        auto t = fleet::parse_time_ms(a.now);
        if (!t) return fail(make_error(Domain::config, Errc::invalid_argument, "--now \"" + a.now + "\" is not a time like 2026-12-01T08:00:00Z"));
        o.now_ms = *t;
    }
    auto report = fleet::refresh_and_report(o);
    if (!report) return fail(report.error());
    if (!a.html.empty())
        if (auto st = write_file_atomic(a.html, fleet::render_html(*report)); !st) return fail(st.error());
    if (!a.prom.empty())
        if (auto st = write_file_atomic(a.prom, fleet::render_prometheus(*report)); !st) return fail(st.error());
    std::cout << (a.json ? fleet::render_json(*report) : fleet::render_text(*report));
    std::cout.flush();
    char rss[32];
    std::snprintf(rss, sizeof rss, "%.1f", peak_rss_mb());
    log::info("fleet", "done kiosks=" + std::to_string(report->kiosks.size()) +
                           " statements_read=" + std::to_string(report->statements_read) +
                           " requests=" + std::to_string(report->requests) + " peak_rss_mb=" + rss);
    return report->exit_code();
}

}  // namespace

void add_fleet_commands(CLI::App& app, Action& action) {
    auto a = std::make_shared<FleetArgs>();
    CLI::App* f = app.add_subcommand(
        "fleet", "Every kiosk in one view, from the LRS: state, versions, last seen, plays (exit 1: silent or failing)");
    f->add_option("--config", a->config_file, "Config whose [usage] LRS settings to use (when --lrs is not given)");
    f->add_option("--lrs", a->lrs, "The LRS's xAPI base URL, e.g. https://lrs.example.org/xapi/");
    f->add_option("--credentials", a->credentials, "File holding \"user:password\" for the LRS (mode 0600)");
    f->add_option("--ca-file", a->ca_file, "Extra CA bundle for https");
    f->add_option("--cache", a->cache, "The local cache (SQLite); default ~/.cache/lasr-kioskctl/fleet.sqlite3");
    f->add_flag("--json", a->json, "Print JSON instead of the table");
    f->add_option("--html", a->html, "Also write one self-contained HTML page here");
    f->add_option("--prom", a->prom, "Also write Prometheus gauges here (node_exporter's textfile collector)");
    f->add_option("--days", a->days, "Plays, completions and errors: how far back a cold cache reads")
        ->check(CLI::Range(1, 366));
    f->add_option("--heartbeat-days", a->heartbeat_days, "Heartbeats: how far back a cold cache reads")
        ->check(CLI::Range(1, 366));
    f->add_option("--limit", a->limit, "Statements per page to ask for")->check(CLI::Range(1, 10000));
    f->add_option("--max-page-mb", a->max_page_mb, "Refuse a page larger than this (memory bound)")
        ->check(CLI::Range(1, 4096));
    f->add_option("--now", a->now, "Report as of this time (UTC, for tests and replays)");
    f->add_flag("--offline", a->offline, "Report from the cache only; ask the LRS nothing");
    f->callback([a, &action] { action = [a] { return run_fleet(*a); }; });
}

}  // namespace lasr::ctl
