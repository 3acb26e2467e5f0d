// lasr-kioskctl's subcommands, one file per group.
//
// Each group adds its subcommands to the CLI11 app. A subcommand's callback
// (run by CLI11 once the command line parsed) stores the work in `action`;
// main() runs it and returns its exit code: 0 success, 1 failure (the
// message is on stderr), 2 a usage error.
//
// To add a group (keygen, pack, sync, status...): write <group>_commands.cpp
// with an add_<group>_commands(), declare it here, call it from main.cpp and
// list the file in CMakeLists.txt.
#pragma once

#include <functional>
#include <iostream>
#include <string>

#include "config/result.hpp"

namespace CLI {
class App;
}

namespace lasr::ctl {

using Action = std::function<int()>;

// "COMMAND: domain/code: message" on stderr; the exit status 1.
inline int command_failed(const std::string& command, const Error& e) {
    std::cerr << command << ": " << e.describe() << "\n";
    return 1;
}

// demo-pack, verify-pack
void add_pack_commands(CLI::App& app, Action& action);
// hash-pin
void add_admin_commands(CLI::App& app, Action& action);
// provision
void add_provision_commands(CLI::App& app, Action& action);
// schedule
void add_schedule_commands(CLI::App& app, Action& action);
// sync-usage, status, export-usage
void add_usage_commands(CLI::App& app, Action& action);
// keygen, pack, verify, import, sync-content
void add_content_commands(CLI::App& app, Action& action);
// resources import | template | categories
void add_resource_commands(CLI::App& app, Action& action);
// fleet
void add_fleet_commands(CLI::App& app, Action& action);

}  // namespace lasr::ctl
