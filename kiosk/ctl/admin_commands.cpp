// hash-pin: the staff PIN for kiosk.toml's [admin] pin_hash.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "kiosk/ctl/commands.hpp"
#include "media/crypto.hpp"

namespace lasr::ctl {

void add_admin_commands(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "hash-pin",
        "Read a staff PIN (4-32 characters) from standard input and print the [admin] pin_hash line for kiosk.toml. "
        "The PIN is never an argument, so it stays out of shell history and process lists.");
    cmd->callback([&action] {
        action = [] {
            std::string pin;
            if (!std::getline(std::cin, pin)) {
                std::cerr << "hash-pin: no PIN on standard input (try: read -s PIN; echo \"$PIN\" | lasr-kioskctl hash-pin)\n";
                return 1;
            }
            while (!pin.empty() && (pin.back() == '\r' || pin.back() == '\n')) pin.pop_back();
            auto hash = crypto::hash_pin(pin);
            if (!hash) {
                std::cerr << "hash-pin: " << hash.error().message << "\n";
                return 1;
            }
            std::cout << "[admin]\npin_hash = \"" << *hash << "\"\n";
            return 0;
        };
    });
}

}  // namespace lasr::ctl
