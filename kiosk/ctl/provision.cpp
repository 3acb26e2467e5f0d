#include "kiosk/ctl/provision.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "kiosk/ctl/fs_util.hpp"
#include "media/crypto.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxBytes = 64 * 1024;  // a kiosk.toml is a few hundred bytes

Error config_error(Errc code, std::string message) { return make_error(Domain::config, code, std::move(message)); }

Result<std::string> read_small_file(const fs::path& p) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return config_error(Errc::not_found, "no provisioning file " + p.string());
    if (!fs::is_regular_file(st)) return config_error(Errc::unsafe_path, p.string() + " is not a regular file");
    auto size = fs::file_size(p, ec);
    if (ec) return config_error(Errc::io, "cannot read " + p.string() + ": " + ec.message());
    if (size > kMaxBytes)
        return config_error(Errc::validation, p.string() + " is " + std::to_string(size) +
                                                  " bytes; a kiosk.toml is at most 64 KiB (is it the right file?)");
    std::ifstream f(p, std::ios::binary);
    if (!f) return config_error(Errc::io, "cannot read " + p.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}

}  // namespace

std::string normalize_provisioning_text(std::string_view raw) {
    if (raw.size() >= 3 && static_cast<unsigned char>(raw[0]) == 0xEF && static_cast<unsigned char>(raw[1]) == 0xBB &&
        static_cast<unsigned char>(raw[2]) == 0xBF)
        raw.remove_prefix(3);
    std::string out;
    out.reserve(raw.size() + 1);
    for (size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\r') {
            out.push_back('\n');
            if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
        } else {
            out.push_back(c);
        }
    }
    if (!out.empty() && out.back() != '\n') out.push_back('\n');
    return out;
}

Result<ProvisionReport> provision(const ProvisionOptions& opt) {
    auto raw = read_small_file(opt.source);
    if (!raw) return std::move(raw).error();
    if (raw->find('\0') != std::string::npos)
        return config_error(Errc::parse, opt.source.string() + " holds NUL bytes: save it as plain text (UTF-8)");
    std::string text = normalize_provisioning_text(*raw);

    ProvisionReport report;
    report.sha256 = crypto::sha256_hex(text);

    // Validate with the kiosk's own parser: what passes here, the kiosk loads.
    auto cfg = parse_config(text, opt.source.string());
    if (!cfg) return std::move(cfg).error();
    if (!cfg->kiosk.data_dir.is_absolute())
        report.warnings.push_back("kiosk.data_dir \"" + cfg->kiosk.data_dir.string() +
                                  "\" is relative; the kiosk service expects /var/lib/lasr-kiosk");
    else if (cfg->kiosk.data_dir != "/var/lib/lasr-kiosk")
        report.warnings.push_back("kiosk.data_dir is " + cfg->kiosk.data_dir.string() +
                                  "; the kiosk service may write only under /var/lib/lasr-kiosk");
    if (cfg->kiosk.id == KioskSettings{}.id)
        report.warnings.push_back("kiosk.id is not set: every kiosk reports as \"kiosk\"; give each its own id");
    if (opt.check_only) {
        report.outcome = ProvisionReport::Outcome::valid;
        return report;
    }

    std::error_code ec;
    if (!opt.force && fs::exists(opt.state, ec)) {
        auto last = read_small_file(opt.state);
        if (last && trim(*last) == report.sha256) {
            report.outcome = ProvisionReport::Outcome::already_imported;
            return report;
        }
    }

    fs::path dir = opt.config.has_parent_path() ? opt.config.parent_path() : fs::path(".");
    fs::create_directories(dir, ec);
    if (ec) return config_error(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
    // Keep the config being replaced, so a bad-but-valid import can be undone.
    if (fs::exists(opt.config, ec)) {
        auto old = read_small_file(opt.config);
        if (old) {
            fs::path prev = opt.config;
            prev += ".previous";
            if (auto st = write_file_atomic(prev, *old); !st) return std::move(st).error();
            report.kept_previous = true;
        }
    }
    std::string header = "# Imported by lasr-kioskctl provision from " + opt.source.string() + "\n# sha256 " +
                         report.sha256 + "\n";
    if (auto st = write_file_atomic(opt.config, header + text); !st) return std::move(st).error();
    ::chmod(opt.config.c_str(), 0644);
    if (opt.state.has_parent_path()) fs::create_directories(opt.state.parent_path(), ec);
    if (auto st = write_file_atomic(opt.state, report.sha256 + "\n"); !st) {
        // The config is in place; only the memory of it is missing (next boot
        // imports the same file again, which is harmless).
        report.warnings.push_back("could not record the import in " + opt.state.string() + ": " + st.error().message);
    }
    report.outcome = ProvisionReport::Outcome::imported;
    return report;
}

}  // namespace lasr::ctl
