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

struct UsageSettings {
    bool enabled = true;  // the telemetry switch: false records nothing
};

struct Config {
    KioskSettings kiosk;
    DisplaySettings display;
    PlayerSettings player;
    ContentSettings content;
    UsageSettings usage;
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

}  // namespace lasr
