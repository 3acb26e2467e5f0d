// lasr-kioskctl provision: importing the boot-partition kiosk.toml, on real
// files in a temporary directory, through the library and the executable.
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "kiosk/ctl/provision.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;
using lasr::test::read_file;
using lasr::test::TempDir;
using lasr::test::write_file;

const std::string kGood =
    "[kiosk]\n"
    "id = \"branch-7-lobby\"\n"
    "library_id = \"springfield\"\n"
    "mode = \"training\"\n"
    "\n"
    "[player]\n"
    "hwdec = \"drm-copy\"\n";

std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += "\r\n";
        else out += c;
    }
    return out;
}
const std::string kBom = "\xEF\xBB\xBF";

struct Kiosk {
    TempDir dir;
    ProvisionOptions opt;
    Kiosk() {
        opt.source = dir / "boot/lasr-kiosk.toml";
        opt.config = dir / "etc/lasr-kiosk/kiosk.toml";
        opt.state = dir / "var/lib/lasr-kiosk/provisioned.sha256";
        write_file(opt.config, "[kiosk]\nid = \"old\"\n");
    }
    fs::path previous() const { return fs::path(opt.config.string() + ".previous"); }
};

TEST(ProvisionNormalize, StripsBomAndLineEnds) {
    EXPECT_EQ(normalize_provisioning_text(kBom + "a = 1\r\nb = 2\r\n"), "a = 1\nb = 2\n");
    EXPECT_EQ(normalize_provisioning_text("a = 1\rb = 2"), "a = 1\nb = 2\n");  // old Mac line ends, no final one
    EXPECT_EQ(normalize_provisioning_text("a = 1\n\r\n"), "a = 1\n\n");
    EXPECT_EQ(normalize_provisioning_text(""), "");
    EXPECT_EQ(normalize_provisioning_text("x = \"caf\xC3\xA9\"\n"), "x = \"caf\xC3\xA9\"\n");  // UTF-8 kept
}

TEST(Provision, ImportsAWindowsEditedFileAndKeepsThePreviousConfig) {
    Kiosk k;
    write_file(k.opt.source, kBom + crlf(kGood));
    auto r = provision(k.opt);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->outcome, ProvisionReport::Outcome::imported);
    EXPECT_TRUE(r->kept_previous);
    EXPECT_EQ(read_file(k.previous()), "[kiosk]\nid = \"old\"\n");
    std::string installed = read_file(k.opt.config);
    EXPECT_EQ(installed.find('\r'), std::string::npos);
    EXPECT_NE(installed.find("# sha256 " + r->sha256), std::string::npos);
    // What was installed is what the kiosk loads.
    auto cfg = load_config_file(k.opt.config);
    ASSERT_TRUE(cfg) << cfg.error().describe();
    EXPECT_EQ(cfg->kiosk.id, "branch-7-lobby");
    EXPECT_EQ(cfg->kiosk.mode, "training");
    EXPECT_EQ(cfg->player.hwdec, "drm-copy");
    EXPECT_EQ(read_file(k.opt.state), r->sha256 + "\n");
    EXPECT_EQ(fs::status(k.opt.config).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

TEST(Provision, TheSameFileIsImportedOnceSoLocalEditsSurviveReboots) {
    Kiosk k;
    write_file(k.opt.source, kGood);
    ASSERT_TRUE(provision(k.opt));
    // Staff edit the config on the kiosk afterwards; the next boot runs
    // provision again with the same boot file.
    write_file(k.opt.config, "[kiosk]\nid = \"edited-on-site\"\n");
    auto again = provision(k.opt);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->outcome, ProvisionReport::Outcome::already_imported);
    EXPECT_EQ(read_file(k.opt.config), "[kiosk]\nid = \"edited-on-site\"\n");
    // The same text with other line ends is the same file.
    write_file(k.opt.source, kBom + crlf(kGood));
    EXPECT_EQ(provision(k.opt)->outcome, ProvisionReport::Outcome::already_imported);
    // --force, or a changed file, imports.
    k.opt.force = true;
    EXPECT_EQ(provision(k.opt)->outcome, ProvisionReport::Outcome::imported);
    k.opt.force = false;
    write_file(k.opt.source, kGood + "\n[usage]\nenabled = false\n");
    EXPECT_EQ(provision(k.opt)->outcome, ProvisionReport::Outcome::imported);
    EXPECT_FALSE(load_config_file(k.opt.config)->usage.enabled);
}

// A bad provisioning file never bricks the kiosk: nothing changes, and the
// error names the file, the line and the key.
TEST(Provision, RefusesAnInvalidFileAndChangesNothing) {
    Kiosk k;
    write_file(k.previous(), "[kiosk]\nid = \"older\"\n");
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"[kiosk]\nid = \"x\"\nidel_timeout_s = 30\n", ":3: unknown key kiosk.idel_timeout_s"},
        {"[kiosk]\r\nmode = \"lobby\"\r\n", ":2: kiosk.mode must be"},
        {"[kiosk\nid = \"x\"\n", ":1:"},
        {"[player]\nvolume = 300\n", "player.volume must be between 0 and 100"},
        {kBom + "[wifi]\nssid = \"library\"\n", "unknown section or key wifi"},
    };
    for (const auto& [text, expect] : bad) {
        write_file(k.opt.source, text);
        auto r = provision(k.opt);
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().message.find(expect), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(k.opt.source.string()), std::string::npos) << r.error().message;
        EXPECT_EQ(read_file(k.opt.config), "[kiosk]\nid = \"old\"\n");
        EXPECT_EQ(read_file(k.previous()), "[kiosk]\nid = \"older\"\n");
        EXPECT_FALSE(fs::exists(k.opt.state));
    }
}

TEST(Provision, RefusesBinaryHugeAndMissingFiles) {
    Kiosk k;
    write_file(k.opt.source, std::string("[kiosk]\nid = \"a\0b\"\n", 19));
    EXPECT_EQ(provision(k.opt).error().code, Errc::parse);
    write_file(k.opt.source, std::string(100 * 1024, '#'));
    EXPECT_EQ(provision(k.opt).error().code, Errc::validation);
    fs::remove(k.opt.source);
    EXPECT_EQ(provision(k.opt).error().code, Errc::not_found);
    fs::create_directories(k.opt.source);
    EXPECT_EQ(provision(k.opt).error().code, Errc::unsafe_path);
    EXPECT_EQ(read_file(k.opt.config), "[kiosk]\nid = \"old\"\n");
}

TEST(Provision, CheckOnlyValidatesWithoutTouchingAnything) {
    Kiosk k;
    write_file(k.opt.source, "[kiosk]\ndata_dir = \"data\"\n");
    k.opt.check_only = true;
    auto r = provision(k.opt);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, ProvisionReport::Outcome::valid);
    ASSERT_EQ(r->warnings.size(), 2u);  // relative data_dir, default id
    EXPECT_EQ(read_file(k.opt.config), "[kiosk]\nid = \"old\"\n");
    EXPECT_FALSE(fs::exists(k.previous()));
}

TEST(Provision, FirstBootWithNoConfigYet) {
    Kiosk k;
    fs::remove_all(k.dir / "etc");
    write_file(k.opt.source, kGood);
    auto r = provision(k.opt);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_FALSE(r->kept_previous);
    EXPECT_EQ(load_config_file(k.opt.config)->kiosk.library_id, "springfield");
}

// The executable, as lasr-kiosk-provision.service runs it.
TEST(ProvisionCommand, ExitCodesAndMessages) {
    Kiosk k;
    auto run = [&](const std::string& name) {
        std::vector<std::string> argv = {LASR_KIOSKCTL, "provision", k.opt.source.string(), "--config",
                                         k.opt.config.string(), "--state", k.opt.state.string()};
        fs::path log = k.dir / (name + ".log");
        int rc = lasr::test::run(argv, log);
        return std::make_pair(rc, read_file(log));
    };
    write_file(k.opt.source, crlf("[kiosk]\nid = \"x\"\nmode = \"lobby\"\n"));
    auto [bad_rc, bad_out] = run("bad");
    EXPECT_EQ(bad_rc, 1);
    EXPECT_NE(bad_out.find("provision: refused"), std::string::npos) << bad_out;
    EXPECT_NE(bad_out.find("keeping " + k.opt.config.string()), std::string::npos) << bad_out;
    EXPECT_EQ(read_file(k.opt.config), "[kiosk]\nid = \"old\"\n");

    write_file(k.opt.source, kBom + crlf(kGood));
    auto [ok_rc, ok_out] = run("good");
    EXPECT_EQ(ok_rc, 0) << ok_out;
    EXPECT_NE(ok_out.find("provision: imported"), std::string::npos) << ok_out;
    auto [again_rc, again_out] = run("again");
    EXPECT_EQ(again_rc, 0);
    EXPECT_NE(again_out.find("was imported before"), std::string::npos) << again_out;
}

// The config files the package and the Pi image ship must stay valid as the
// config format grows.
TEST(ShippedConfigs, AreValid) {
    for (const char* rel : {"etc/kiosk.toml", "pi-gen/stage-lasr-kiosk/00-install-kiosk/files/lasr-kiosk.toml.example"}) {
        fs::path p = fs::path(LASR_DEPLOY_DIR) / rel;
        auto cfg = load_config_file(p);
        EXPECT_TRUE(cfg) << p << ": " << (cfg ? "" : cfg.error().describe());
    }
}

// Every key of the IT guide's config reference is in the shipped kiosk.toml
// (commented out, with its default), and the shipped file with every key
// uncommented is a valid config: IT staff can turn on any line as written.
TEST(ShippedConfigs, KioskTomlDocumentsEveryKeyAndEachLineWorksUncommented) {
    auto section_keys = [](const std::string& text, bool commented) {
        std::set<std::string> keys;
        std::istringstream in(text);
        std::string line, section;
        bool in_toml = commented;  // the guide: only inside ```toml blocks
        while (std::getline(in, line)) {
            if (!commented && line.rfind("```", 0) == 0) {
                in_toml = line == "```toml";
                continue;
            }
            if (!in_toml) continue;
            if (line.rfind("[", 0) == 0) section = line.substr(1, line.find(']') - 1);
            std::string body = line;
            if (commented) {
                if (body.rfind("# ", 0) != 0) continue;
                body = body.substr(2);
            }
            auto eq = body.find(" = ");
            if (eq == std::string::npos || body.empty() || !std::islower(static_cast<unsigned char>(body[0]))) continue;
            keys.insert(section + "." + body.substr(0, eq));
        }
        return keys;
    };
    const std::string shipped = test::read_file(fs::path(LASR_DEPLOY_DIR) / "etc/kiosk.toml");
    auto documented = section_keys(test::read_file(LASR_IT_GUIDE), false);
    auto listed = section_keys(shipped, true);
    ASSERT_GT(documented.size(), 40u);
    for (const auto& k : documented) EXPECT_TRUE(listed.count(k)) << k << " is in docs/it-staff.md but not in etc/kiosk.toml";

    std::string uncommented;
    std::istringstream in(shipped);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# ", 0) == 0 && line.find(" = ") != std::string::npos &&
            std::islower(static_cast<unsigned char>(line[2])))
            line = line.substr(2);
        uncommented += line + "\n";
    }
    auto cfg = parse_config(uncommented, "etc/kiosk.toml uncommented");
    ASSERT_TRUE(cfg) << cfg.error().describe();
    EXPECT_EQ(cfg->kiosk.time_zone, "America/Chicago");
    EXPECT_EQ(cfg->usage.retention_mb, 64);
    ASSERT_TRUE(cfg->screen.on_hours.has_value());
}

}  // namespace
}  // namespace lasr::ctl
