// provision: import a kiosk.toml from the boot partition into /etc, safely.
// Run at boot by lasr-kiosk-provision.service before the kiosk starts.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "kiosk/ctl/commands.hpp"
#include "kiosk/ctl/provision.hpp"

namespace lasr::ctl {
namespace {

int run_provision(const ProvisionOptions& opt) {
    auto r = provision(opt);
    if (!r) {
        // The old config stays: a bad provisioning file never stops a kiosk.
        std::cerr << "provision: refused " << opt.source.string() << ": " << r.error().describe() << "\n";
        if (!opt.check_only)
            std::cerr << "provision: keeping " << opt.config.string() << " as it is; fix the file and reboot\n";
        return 1;
    }
    for (const auto& w : r->warnings) std::cerr << "provision: warning: " << w << "\n";
    switch (r->outcome) {
        case ProvisionReport::Outcome::valid:
            std::cout << "provision: " << opt.source.string() << " is valid (sha256 " << r->sha256 << ")\n";
            break;
        case ProvisionReport::Outcome::already_imported:
            std::cout << "provision: " << opt.source.string() << " was imported before (sha256 " << r->sha256
                      << "); " << opt.config.string() << " left as it is (--force imports it again)\n";
            break;
        case ProvisionReport::Outcome::imported:
            std::cout << "provision: imported " << opt.source.string() << " into " << opt.config.string();
            if (r->kept_previous) std::cout << " (the old one is " << opt.config.string() << ".previous)";
            std::cout << " sha256=" << r->sha256 << "\n";
            break;
    }
    return 0;
}

}  // namespace

void add_provision_commands(CLI::App& app, Action& action) {
    auto opt = std::make_shared<ProvisionOptions>();
    CLI::App* p = app.add_subcommand("provision", "Import a provisioning file (e.g. /boot/firmware/lasr-kiosk.toml) "
                                                  "into the kiosk's config, after validating it");
    p->add_option("FILE", opt->source, "The provisioning file: a kiosk.toml (CRLF line ends and a BOM are fine)")
        ->required();
    p->add_option("--config", opt->config, "Config file to replace")->capture_default_str();
    p->add_option("--state", opt->state, "Where the last imported file's SHA-256 is kept")->capture_default_str();
    p->add_flag("--force", opt->force, "Import even if this same file was imported before");
    p->add_flag("--check", opt->check_only, "Only validate the file; change nothing");
    p->callback([opt, &action] { action = [opt] { return run_provision(*opt); }; });
}

}  // namespace lasr::ctl
