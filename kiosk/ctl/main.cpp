// lasr-kioskctl: the headless tool for IT and content staff.
#include <CLI/CLI.hpp>

#include <clocale>

#include "kiosk/ctl/commands.hpp"

#ifndef LASR_KIOSKCTL_VERSION
#error "LASR_KIOSKCTL_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

int main(int argc, char** argv) {
    std::setlocale(LC_ALL, "C");
    CLI::App app{"Headless tool for LASR Kiosk: signing keys, content packs, import and content sync.", "lasr-kioskctl"};
    app.set_version_flag("--version", std::string("lasr-kioskctl ") + LASR_KIOSKCTL_VERSION, "Print the version and exit");
    app.require_subcommand(1);
    app.fallthrough(false);

    lasr::ctl::Action action;
    lasr::ctl::add_pack_commands(app, action);
    lasr::ctl::add_admin_commands(app, action);
    lasr::ctl::add_provision_commands(app, action);
    lasr::ctl::add_schedule_commands(app, action);
    lasr::ctl::add_usage_commands(app, action);
    lasr::ctl::add_content_commands(app, action);
    lasr::ctl::add_resource_commands(app, action);
    lasr::ctl::add_fleet_commands(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    return action ? action() : 2;
}
