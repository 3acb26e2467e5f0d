// Shared pieces of the fleet tests: statements as kiosks write them (through
// the real usage log), pushed to the scripted LRS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk/fleet/fleet.hpp"
#include "kiosk/usage/xapi.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/usage/test_lrs.hpp"

namespace lasr::test {

// Now, to the millisecond.
int64_t now_ms();

// A heartbeat's health, filled in with plausible values.
xapi::Health health(const std::string& library, uint64_t pack_version, const std::string& expires,
                    int interval_s = 3600);

// Statements of one kiosk, built by the kiosk's own builders (as a kiosk
// at time `at_ms` would have written them).
std::string heartbeat_statement(const std::string& kiosk, const xapi::Health& h, int64_t at_ms, int64_t seq = 1);
std::string play_statement(const std::string& kiosk, const std::string& video, const std::string& course,
                           int64_t at_ms, bool completed, int64_t seq = 1);
std::string error_statement(const std::string& kiosk, const std::string& kind, int64_t at_ms, int64_t seq = 1);

// FleetOptions for the scripted LRS (its user and password) and a cache in `dir`.
fleet::FleetOptions fleet_options(const TestLrs& lrs, const std::filesystem::path& cache);

}  // namespace lasr::test
