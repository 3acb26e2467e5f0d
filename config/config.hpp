// Kiosk settings: parsed from one TOML file into a validated struct.
//
// Every key has a default, so an empty file (or no file) is a working kiosk.
// An unknown key or a value of the wrong type or range is an error that names
// the key and its line, so IT staff can fix the file they edited.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/day_window.hpp"
#include "config/result.hpp"

namespace lasr {

struct KioskSettings {
    std::string id = "kiosk";                 // opaque device id, never a person
    std::string library_id = "demo-library";  // must match the content pack's
    std::string mode = "patron";              // "patron" (touch kiosk) or "training"
    std::filesystem::path data_dir = "/var/lib/lasr-kiosk";
    std::string language = "en";              // default UI language, restored on idle
    std::vector<std::string> languages = {"en", "es"};
    int idle_timeout_s = 90;                  // privacy reset after this much idle
    std::string time_zone;                    // IANA name ("America/Chicago"); "" = the system's
    std::string branch;                       // where it stands (a catalog-style id), for the fleet view; "" = none
    // "HH:MM" local: once a day in the hour from then, a kiosk up for over 2 h
    // and idle (attract loop, nobody at it) restarts itself, returning memory
    // a graphics driver or decoder holds; "" = never.
    std::string daily_restart;
    int daily_restart_min = -1;               // daily_restart in minutes after midnight; -1 = never
};

struct DisplaySettings {
    bool fullscreen = true;
    int width = 1920;   // used when not full screen
    int height = 1080;
};

struct PlayerSettings {
    std::string hwdec = "auto-safe";  // "drm-copy" on a Raspberry Pi 4/5 (see README)
    int volume = 80;                  // 0..100
    bool mute = false;
    bool audio = true;                // false: ao=null (no sound device)
    bool captions = true;             // captions on by default
    bool preroll = true;              // open the next video ahead in a second decoder (seamless changes)
};

struct ContentSettings {
    // The active content pack. Empty: <data_dir>/content/current, the store
    // that sync and import fill.
    std::filesystem::path pack_dir;
    // Where published packs come from: the URL of a folder holding
    // manifest.json, manifest.json.minisig and the files. Empty: no network
    // sync (packs arrive by `lasr-kioskctl import` from a folder or USB stick).
    std::string server_url;
    int poll_interval_s = 60;
    // Pinned minisign public keys ("RW..." lines): the current signing key
    // and the next one (for rotation). A pack must be signed by one of them.
    std::string public_key;
    std::string next_public_key;
    std::string ca_file;         // extra CA bundle for https; empty: the system's
    int disk_budget_mb = 0;      // most the store may hold; 0: only free space limits it
    int stall_timeout_s = 30;    // a transfer slower than 100 B/s this long is a time-out
    // Downloads in progress. Empty: <data_dir>/content/partial (same file
    // system as the store, so a finished file is renamed, not copied).
    std::filesystem::path download_dir;
};

// The usage log and its upload as xAPI statements to a Learning Record Store.
struct UsageSettings {
    bool enabled = true;  // the telemetry switch: false records nothing

    // The actor of every statement is the kiosk: account {home_page, kiosk.id}.
    // Empty: "https://lasr-kiosk.invalid/library/<kiosk.library_id>" (a
    // placeholder that names no real host; set the library's own home page).
    std::string home_page;
    // true: trust the machine's clock from boot (a PC with a battery-backed
    // RTC). false: only once the kernel says it is synchronised (NTP); until
    // then statements carry no timestamp and are marked clock-trusted=false.
    bool trust_rtc = false;

    // Upload. Empty lrs_url: statements are kept (within retention) and
    // never sent. The xAPI base URL, e.g. "https://lrs.example.org/xapi/";
    // statements go to <lrs_url>statements.
    std::string lrs_url;
    std::string lrs_user;
    std::string lrs_password;
    // A file holding "user:password" on one line, instead of the two keys
    // above (keep it mode 0600). Read when the sync starts.
    std::filesystem::path lrs_credentials_file;
    int batch_max_statements = 100;  // per POST
    int batch_max_kb = 256;          // per POST (a statement larger than this goes alone)
    int sync_interval_s = 60;        // how often to look for new statements
    int backoff_cap_s = 900;         // the longest wait between failed attempts
    int request_timeout_s = 30;      // one POST, connection to last byte

    // Retention of what is stored locally: raw events older than this, or
    // beyond this size, are rolled up into daily aggregates (which still
    // sync); what had to go is counted and reported, never dropped silently.
    int retention_days = 90;
    int retention_mb = 64;

    // How often the kiosk reports its health (a heartbeat statement): the
    // fleet view calls a kiosk silent after three missed ones.
    int heartbeat_interval_s = 300;

    // home_page, or the placeholder for library_id.
    std::string actor_home_page(const std::string& library_id) const;
};

// Training-screen mode (kiosk.mode = "training"): see README, "Training
// screens and schedules".
struct TrainingSettings {
    std::string default_playlist;           // a playlist id; "" = the pack's default, else every course
    std::string clock_trust = "plausible";  // "plausible" or "synced" (see playlists/schedule.hpp)
};

// Screen power by schedule (training mode).
struct ScreenSettings {
    // When the screen is on. Unset: the content pack's screen hours; neither
    // set: always on.
    std::optional<std::vector<DayWindow>> on_hours;
    // Commands that switch the display, each tried in turn until one exits 0
    // (HDMI-CEC first, then X11 DPMS). Run without a shell. Empty: no power
    // control.
    std::vector<std::vector<std::string>> power_on = {{"cec-ctl", "--to", "0", "--image-view-on"},
                                                      {"xset", "dpms", "force", "on"}};
    std::vector<std::vector<std::string>> power_off = {{"cec-ctl", "--to", "0", "--standby"},
                                                       {"xset", "dpms", "force", "off"}};
    int command_timeout_s = 10;  // a command still running then is killed
};

struct AdminSettings {
    // The staff PIN as `lasr-kioskctl hash-pin` prints it (Argon2id); empty:
    // the admin screen cannot be opened.
    std::string pin_hash;
    int max_attempts = 5;  // wrong PINs before a lockout
    int lockout_s = 60;    // first lockout; doubles with each further one
};

struct Config {
    KioskSettings kiosk;
    DisplaySettings display;
    PlayerSettings player;
    ContentSettings content;
    UsageSettings usage;
    TrainingSettings training;
    ScreenSettings screen;
    AdminSettings admin;
    std::filesystem::path source;  // the file it came from; empty for defaults

    std::filesystem::path pack_dir() const;
    std::filesystem::path content_store_dir() const;  // <data_dir>/content
    std::filesystem::path usage_db_path() const;
};

// Parses TOML text. `origin` names the source in error messages.
Result<Config> parse_config(std::string_view toml_text, const std::string& origin = "config");
Result<Config> load_config_file(const std::filesystem::path& path);

// Where the config comes from when --config is not given:
// $LASR_KIOSK_CONFIG, then /etc/lasr-kiosk/kiosk.toml, then built-in defaults.
std::optional<std::filesystem::path> default_config_path();

// Where IANA time zone files are: $TZDIR, else /usr/share/zoneinfo.
std::filesystem::path zoneinfo_dir();

}  // namespace lasr
