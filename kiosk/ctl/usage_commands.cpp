// Usage subcommands: sync-usage (one upload to the LRS, now), status (the
// usage queue and the last upload), export-usage --csv (daily counts for
// board reports). They open the kiosk's usage database next to a running
// kiosk safely (SQLite WAL: readers never block the kiosk, writes are short).
#include <CLI/CLI.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>

#include "config/config.hpp"
#include "config/log.hpp"
#include "kiosk/ctl/commands.hpp"
#include "kiosk/usage/sync.hpp"
#include "kiosk/usage/usage_log.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

struct UsageArgs {
    std::string config_file;
    bool csv = false;
    std::string from, to;
    std::string out;
};

int fail(const std::string& command, const Error& e) {
    std::cerr << command << ": " << e.describe() << "\n";
    return 1;
}

Result<Config> load(const UsageArgs& a) {
    std::optional<fs::path> path;
    if (!a.config_file.empty()) path = a.config_file;
    else path = default_config_path();
    if (!path) return Config{};
    return load_config_file(*path);
}

// The kiosk's usage database; a missing one is reported, not created.
Result<std::unique_ptr<UsageLog>> open_existing(const Config& c) {
    const fs::path db = c.usage_db_path();
    std::error_code ec;
    if (!fs::exists(db, ec))
        return make_error(Domain::usage, Errc::not_found,
                          db.string() + ": no usage database (has the kiosk run with this config?)");
    return UsageLog::open(db, UsageOptions::from(c));
}

std::string quote_value(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

int run_status(const UsageArgs& a) {
    auto cfg = load(a);
    if (!cfg) return fail("status", cfg.error());
    auto log = open_existing(*cfg);
    if (!log) return fail("status", log.error());
    auto s = (*log)->status();
    if (!s) return fail("status", s.error());
    std::cout << "usage db=" << (*log)->path().string() << " telemetry=" << (cfg->usage.enabled ? "on" : "off")
              << " lrs=" << (cfg->usage.lrs_url.empty() ? "none" : cfg->usage.lrs_url) << "\n";
    std::cout << "usage queue_depth=" << s->queued << " queued_bytes=" << s->queued_bytes
              << " oldest_unsent=" << (s->oldest_unsent.empty() ? "none" : s->oldest_unsent)
              << " dead_letters=" << s->dead_letters << "\n";
    std::cout << "usage last_success=" << (s->last_success.empty() ? "never" : s->last_success)
              << " last_error=" << quote_value(s->last_error)
              << " last_error_at=" << (s->last_error_at.empty() ? "never" : s->last_error_at)
              << " auth_paused=" << (s->auth_paused ? "yes" : "no") << "\n";
    std::cout << "usage sent=" << s->sent << " rolled_up=" << s->rolled_up << " dropped=" << s->dropped
              << " plays_pruned=" << s->plays_pruned << " db_bytes=" << s->db_bytes << "\n";
    if (s->auth_paused)
        std::cout << "usage: the LRS refused the kiosk's credentials; fix [usage] lrs_user/lrs_password "
                     "(or lrs_credentials_file), then run `lasr-kioskctl sync-usage`\n";
    return 0;
}

int run_sync(const UsageArgs& a) {
    auto cfg = load(a);
    if (!cfg) return fail("sync-usage", cfg.error());
    auto settings = SyncSettings::from(*cfg);
    if (!settings) return fail("sync-usage", settings.error());
    auto log = open_existing(*cfg);
    if (!log) return fail("sync-usage", log.error());
    if (auto r = (*log)->enforce_retention(); !r) return fail("sync-usage", r.error());
    auto sync = UsageSync::create(**log, *settings);
    if (!sync) return fail("sync-usage", sync.error());
    std::atomic<bool> stop{false};
    SyncResult r = (*sync)->run(stop);
    if (auto st = (*log)->checkpoint(); !st) log::warn("usage", "checkpoint_failed " + st.error().describe());
    auto s = (*log)->status();
    std::cout << "sync_usage outcome=" << to_string(r.outcome) << " sent=" << r.sent
              << " dead_lettered=" << r.dead_lettered << " requests=" << r.requests
              << " queue_depth=" << (s ? s->queued : -1) << "\n";
    if (r.outcome == SyncResult::Outcome::drained) return 0;
    std::cerr << "sync-usage: " << r.message;
    if (r.outcome == SyncResult::Outcome::retry_later)
        std::cerr << " (the kiosk retries by itself; next try in about " << (r.retry_in.count() + 999) / 1000 << " s)";
    std::cerr << "\n";
    return 1;
}

int run_export(const UsageArgs& a) {
    if (!a.csv) {
        std::cerr << "export-usage: only --csv is supported\n";
        return 2;
    }
    auto cfg = load(a);
    if (!cfg) return fail("export-usage", cfg.error());
    auto log = open_existing(*cfg);
    if (!log) return fail("export-usage", log.error());
    auto rows = (*log)->daily_counts(a.from, a.to);
    if (!rows) return fail("export-usage", rows.error());
    std::ofstream file;
    if (!a.out.empty()) {
        file.open(a.out, std::ios::binary | std::ios::trunc);
        if (!file) return fail("export-usage", make_error(Domain::usage, Errc::io, "cannot write " + a.out));
    }
    std::ostream& out = a.out.empty() ? std::cout : file;
    // Ids are catalog ids ([A-Za-z0-9._-]), so no field needs quoting.
    out << "day,event,object_id,course_id,count\n";
    for (const auto& r : *rows)
        out << r.day << ',' << r.event << ',' << r.object_id << ',' << r.course_id << ',' << r.count << '\n';
    out.flush();
    if (!out) return fail("export-usage", make_error(Domain::usage, Errc::io, "write failed"));
    if (!a.out.empty()) std::cerr << "export-usage: " << rows->size() << " rows to " << a.out << "\n";
    return 0;
}

}  // namespace

void add_usage_commands(CLI::App& app, Action& action) {
    auto args = std::make_shared<UsageArgs>();
    auto config_option = [&](CLI::App* sub) {
        sub->add_option("--config", args->config_file,
                        "Config file (TOML); default $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml");
    };

    CLI::App* sync = app.add_subcommand("sync-usage", "Upload the queued usage statements to the LRS now (one shot)");
    config_option(sync);
    sync->callback([args, &action] { action = [args] { return run_sync(*args); }; });

    CLI::App* status = app.add_subcommand(
        "status", "Usage queue depth, oldest unsent statement, last upload success and last error");
    config_option(status);
    status->callback([args, &action] { action = [args] { return run_status(*args); }; });

    CLI::App* exp = app.add_subcommand("export-usage", "Daily usage counts for board reports");
    config_option(exp);
    exp->add_flag("--csv", args->csv, "CSV: day,event,object_id,course_id,count")->required();
    exp->add_option("--from", args->from, "First day, YYYY-MM-DD (default: all)");
    exp->add_option("--to", args->to, "Last day, YYYY-MM-DD (default: all)");
    exp->add_option("--out", args->out, "Write to this file instead of stdout");
    exp->callback([args, &action] { action = [args] { return run_export(*args); }; });
}

}  // namespace lasr::ctl
