// Provisioning: importing a kiosk.toml from the boot partition
// (/boot/firmware/lasr-kiosk.toml on a Raspberry Pi) into /etc/lasr-kiosk.
//
// The file is written by IT staff on whatever computer they have, so it may
// carry Windows line ends (CRLF) or a UTF-8 byte-order mark: both are
// accepted and normalised. It is validated with the kiosk's own config
// parser before anything changes; a file that does not parse or validate is
// refused and the kiosk keeps the config it has (never bricked by a typo).
// An import replaces the config atomically and keeps the old one as
// <config>.previous. The SHA-256 of the last imported file is remembered, so
// the same file is imported once: local edits made after it are kept until
// a different provisioning file arrives (or --force).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::ctl {

struct ProvisionOptions {
    std::filesystem::path source;                                    // the provisioning file
    std::filesystem::path config = "/etc/lasr-kiosk/kiosk.toml";     // where it goes
    std::filesystem::path state = "/var/lib/lasr-kiosk/provisioned.sha256";  // last import's hash
    bool force = false;                                              // import even if imported before
    bool check_only = false;                                         // validate, change nothing
};

struct ProvisionReport {
    enum class Outcome { imported, already_imported, valid } outcome = Outcome::imported;
    std::string sha256;                 // of the normalised text
    bool kept_previous = false;         // an earlier config was saved as <config>.previous
    std::vector<std::string> warnings;  // valid, but worth a look
};

// Strips a UTF-8 BOM, turns CRLF and lone CR into LF, ends with a newline.
std::string normalize_provisioning_text(std::string_view raw);

// Reads, normalises, validates and (unless check_only) installs the file.
// Errors leave the config, the previous config and the state untouched.
Result<ProvisionReport> provision(const ProvisionOptions& opt);

}  // namespace lasr::ctl
