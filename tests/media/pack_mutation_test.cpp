// The mutation suite: from one valid, signed pack that uses every field of
// the format, a few hundred structural mutations - each field removed,
// duplicated, retyped, set to boundary values, made overlong; unknown and
// extension keys; bad paths and file kinds on disk - each re-signed with the
// test key. Every one must be refused with a message that names the field
// (or the file), or be accepted and load into a catalog that writes and
// reads back the same. Headless, a second or two.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "media/content_store.hpp"
#include "playlists/manifest.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/test_packs.hpp"

namespace lasr {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A pack that uses every field the format has.
test::MadePack full_pack(const crypto::SecretKey& key) {
    test::PackSpec spec;
    spec.videos = 2;
    spec.alert = "Closing at 3 pm";
    test::MadePack p = test::make_pack(spec, key);
    json m = json::parse(p.manifest);
    auto add_file = [&](const std::string& path, const std::string& bytes) {
        p.files[path] = bytes;
        return json{{"path", path}, {"sha256", crypto::sha256_hex(bytes)}, {"size", bytes.size()}};
    };
    m["expires"] = "2030-01-01T00:00:00Z";
    m["languages"] = {"en", "es"};
    auto& course = m["courses"][0];
    course["summary"] = {{"en", "What a second responder does."}, {"es", "Lo que hace."}};
    auto& video = course["videos"][0];
    video["summary"] = {{"en", "The first minutes."}};
    video["transcripts"] = {{"en", add_file("files/t0.en.txt", "Hello.\n")}};
    video["thumbnail"] = add_file("files/th0.jpg", "not really a jpeg");
    m["resources"].push_back({{"id", "r-food"},
                              {"name", "Food bank"},
                              {"category", "food"},
                              {"description", {{"en", "Groceries.\nNo questions asked."}, {"es", "Comida."}}},
                              {"phone", "+1-555-0100"},
                              {"sms", "555100"},
                              {"website", "https://food.example.org"},
                              {"address", "1 Main St\nSpringfield"},
                              {"hours", {{{"days", {"mon", "tue"}}, {"open", "09:00"}, {"close", "17:00"}}}},
                              {"languages", {"en", "es"}},
                              {"always_open", false},
                              {"national", false},
                              {"sample", true}});
    auto& alert = m["alerts"][0];
    alert["body"] = {{"en", "Snow."}};
    alert["starts"] = "2026-12-01T08:00:00Z";
    alert["ends"] = "2026-12-02T08:00:00Z";
    alert["pin_resources"] = {"r-food"};
    m["schedules"] = {
        {"default_playlist", "all-courses"},
        {"playlists", {{{"id", "morning"}, {"title", {{"en", "Morning"}}}, {"videos", {"v1", "v0"}}},
                       {{"id", "course-one"}, {"course", "c1"}}}},
        {"rules", {{{"id", "weekday-mornings"}, {"playlist", "morning"}, {"days", {"mon-fri"}}, {"from", "07:00"},
                    {"until", "12:00"}, {"starts_on", "2026-12-01"}, {"ends_on", "2027-06-30"},
                    {"except_on", {"2026-12-25"}}, {"priority", 10}}}},
        {"screen_hours", {{{"days", {"mon-sat"}}, {"from", "07:00"}, {"until", "21:00"}}}}};
    p.manifest = m.dump(2);
    p.signature = test::sign_bytes(p.manifest, key);
    return p;
}

// "courses[0].videos[1].file", as the parser names a JSON pointer.
std::string field_name(const json::json_pointer& ptr, const json& root) {
    std::string out;
    const json* at = &root;
    std::string s = ptr.to_string();
    for (size_t start = 1; start <= s.size() && !s.empty();) {
        size_t slash = s.find('/', start);
        std::string tok = s.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (at->is_array()) {
            out += "[" + tok + "]";
            at = &(*at)[std::stoul(tok)];
        } else {
            out += (out.empty() ? "" : ".") + tok;
            at = &(*at)[tok];
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

// Whether `message` names `field` or a field that holds it.
bool names(const std::string& message, std::string field) {
    for (;;) {
        if (field.empty()) return message.find("manifest (top level)") != std::string::npos;
        for (const char* after : {":", ".", "[", " "})
            if (message.find(field + after) != std::string::npos) return true;
        size_t cut = field.find_last_of(".[");
        field = cut == std::string::npos ? "" : field.substr(0, cut);
    }
}

// The message names some field of the manifest, or a file.
bool names_some_field(const std::string& message) {
    return message.rfind("manifest ", 0) == 0 || message.find("pack file ") != std::string::npos ||
           message.find("caption file ") != std::string::npos || message.find("manifest.json") != std::string::npos;
}

// JSON text with the member `key` of the object at `parent` written twice.
std::string dump_with_duplicate(const json& j, const json::json_pointer& here, const json::json_pointer& parent,
                                const std::string& key) {
    if (j.is_object()) {
        std::string out = "{";
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::string member = json(it.key()).dump() + ":" + dump_with_duplicate(*it, here / it.key(), parent, key);
            out += (first ? "" : ",") + member;
            if (here == parent && it.key() == key) out += "," + member;
            first = false;
        }
        return out + "}";
    }
    if (j.is_array()) {
        std::string out = "[";
        for (size_t i = 0; i < j.size(); ++i)
            out += (i ? "," : "") + dump_with_duplicate(j[i], here / i, parent, key);
        return out + "]";
    }
    return j.dump();
}

struct Mutation {
    std::string what;       // for failure messages
    std::string field;      // the field it touches, as the parser names it
    std::string manifest;   // the mutated bytes
    bool must_name = true;  // false: a removal may break a reference elsewhere
};

std::vector<Mutation> structural_mutations(const json& base) {
    std::vector<Mutation> out;
    auto add = [&](std::string what, std::string field, const json& m, bool must_name = true) {
        out.push_back({std::move(what), std::move(field), m.dump(), must_name});
    };
    const std::string overlong(5'000, 'a');  // past every text limit
    const std::vector<json> numbers{0, 1, -1, 2.5, 1e300, kMaxPackVersion, kMaxPackVersion + 1,
                                    9223372036854775808ull, 18446744073709551615ull};
    std::function<void(const json&, const json::json_pointer&)> walk = [&](const json& node,
                                                                          const json::json_pointer& ptr) {
        std::string name = field_name(ptr, base);
        if (!ptr.empty()) {
            const json& parent = base.at(ptr.parent_pointer());
            json m = base;
            // Removed.
            if (parent.is_object()) m.at(ptr.parent_pointer()).erase(ptr.back());
            else m.at(ptr.parent_pointer()).erase(std::stoul(ptr.back()));
            add("remove " + name, name, m, false);
            // Retyped.
            std::vector<json> others{nullptr, true, 7, "text", json::array(), json::object()};
            for (const auto& other : others) {
                if (other.type() == node.type() || (other.is_number() && node.is_number())) continue;
                json r = base;
                r.at(ptr) = other;
                add("retype " + name + " to " + other.dump(), name, r);
            }
            // Boundary values, for numbers.
            if (node.is_number())
                for (const auto& n : numbers) {
                    json b = base;
                    b.at(ptr) = n;
                    add("set " + name + " to " + n.dump(), name, b);
                }
            // Overlong and edge strings.
            if (node.is_string()) {
                for (const std::string& s : {overlong, std::string(), std::string("tab\there"), std::string("../x"),
                                             std::string("/etc/passwd")}) {
                    json t = base;
                    t.at(ptr) = s;
                    // A changed id may break a reference elsewhere (that refusal names the reference).
                    add("set " + name + " to \"" + s.substr(0, 12) + "\"", name, t, ptr.back() != "id");
                }
            }
            // A key written twice.
            if (parent.is_object())
                out.push_back({"duplicate " + name, name,
                               dump_with_duplicate(base, json::json_pointer(), ptr.parent_pointer(), ptr.back()), true});
            // An array element twice.
            if (parent.is_array()) {
                json d = base;
                d.at(ptr.parent_pointer()).push_back(node);
                add("repeat " + name, name.substr(0, name.find_last_of('[')), d);
            }
        }
        if (node.is_object()) {
            json u = base;
            u.at(ptr)["zz-unknown"] = 1;
            add("unknown key in " + (name.empty() ? "(top level)" : name), name, u);
            for (auto it = node.begin(); it != node.end(); ++it) walk(*it, ptr / it.key());
        } else if (node.is_array()) {
            for (size_t i = 0; i < node.size(); ++i) walk(node[i], ptr / i);
        }
    };
    walk(base, json::json_pointer());
    return out;
}

class PackMutations : public ::testing::Test {
protected:
    test::TempDir tmp;
    crypto::KeyPair key = crypto::generate_keypair();
    TrustPolicy policy{"springfield", {key.pub}};
    std::time_t now = 1'800'000'000;
};

TEST_F(PackMutations, EachIsRefusedNamingTheFieldOrLoadsIntoACatalog) {
    test::MadePack pack = full_pack(key.sec);
    auto good = check_signed_manifest(pack.manifest, pack.signature, policy, now);
    ASSERT_TRUE(good) << good.error().describe();
    ASSERT_EQ(good->catalog.schedules.rules.size(), 1u);
    json base = json::parse(pack.manifest);

    auto mutations = structural_mutations(base);
    // Extension keys are ignored everywhere.
    json ext = base;
    ext["x-tool"] = {{"any", "thing"}};
    ext["courses"][0]["videos"][0]["x-note"] = "ignored";
    mutations.push_back({"extension keys", "", ext.dump(), true});

    size_t refused = 0, accepted = 0, named_exactly = 0;
    for (const auto& mu : mutations) {
        std::string sig = test::sign_bytes(mu.manifest, key.sec);
        auto m = check_signed_manifest(mu.manifest, sig, policy, now);
        if (!m) {
            ++refused;
            const std::string& msg = m.error().message;
            EXPECT_TRUE(names_some_field(msg)) << mu.what << ": " << msg;
            if (mu.must_name) {
                EXPECT_TRUE(names(msg, mu.field)) << mu.what << ": does not name " << mu.field << ": " << msg;
            }
            named_exactly += names(msg, mu.field);
            continue;
        }
        ++accepted;
        // Accepted: a catalog that writes and reads back the same, and whose
        // queries hold up.
        const Catalog& cat = m->catalog;
        auto again = parse_manifest(write_manifest(cat));
        ASSERT_TRUE(again) << mu.what << ": " << again.error().describe();
        EXPECT_EQ(write_manifest(*again), write_manifest(cat)) << mu.what;
        for (const auto& c : cat.courses)
            for (const auto& v : c.videos) EXPECT_EQ(cat.find_video(v.id), &v) << mu.what;
        for (const auto& r : cat.resources)
            for (int day = 0; day < 7; ++day) (void)open_at(r, day, 600);
        for (const auto& a : cat.alerts)
            for (const auto& id : a.pin_resources) EXPECT_TRUE(cat.find_resource(id)) << mu.what;
        EXPECT_LE(cat.info.version, kMaxPackVersion);
        EXPECT_FALSE(cat.all_files().empty()) << mu.what;
    }
    std::printf("pack_mutations %zu refused=%zu accepted=%zu naming_the_field=%zu\n", mutations.size(), refused,
                accepted, named_exactly);
    EXPECT_GT(mutations.size(), 300u);
    EXPECT_GT(accepted, 20u);  // optional fields removed, extension keys, values in range
}

// Paths and file kinds on disk: each file of the pack made a symlink, a
// FIFO, a directory, missing, shorter or longer; each refused at import
// naming the file, before anything is stored.
TEST_F(PackMutations, EveryFileKindAndSizeIsCheckedAtImport) {
    test::MadePack pack = full_pack(key.sec);
    size_t n = 0;
    std::set<std::string> paths;
    for (const auto& f : pack.catalog.all_files()) paths.insert(f.path);
    for (const auto& [path, bytes] : pack.files) paths.insert(path);
    for (const std::string& path : paths) {
        for (std::string kind : {"symlink", "fifo", "directory", "missing", "shorter", "longer"}) {
            fs::path src = tmp / ("src-" + std::to_string(n++));
            test::write_pack(pack, src);
            fs::path f = src / path;
            fs::remove(f);
            if (kind == "symlink") fs::create_symlink(src / "manifest.json", f);
            if (kind == "fifo") {
                ASSERT_EQ(::mkfifo(f.c_str(), 0644), 0);
            }
            if (kind == "directory") fs::create_directory(f);
            if (kind == "shorter") test::write_file(f, pack.files.at(path).substr(1));
            if (kind == "longer") test::write_file(f, pack.files.at(path) + "x");
            ContentStore store{StoreOptions{tmp / ("content-" + std::to_string(n)), {}, 0}};
            std::optional<Result<InstallReport>> r;
            bool released = false;
            test::run_releasing_fifo(f, [&] { r.emplace(import_pack(store, src, policy, now)); }, &released);
            EXPECT_FALSE(released) << path << " " << kind;
            ASSERT_FALSE(*r) << path << " as a " << kind << " was imported";
            EXPECT_NE(r->error().message.find("pack file " + path + " "), std::string::npos)
                << kind << ": " << r->error().message;
            EXPECT_FALSE(store.link_target("current")) << path << " " << kind;
        }
    }
}

// The fuzz target's dictionary (tests/fuzz/manifest.dict) holds every key of
// the format, so the fuzzer builds manifests that get past the key checks.
TEST_F(PackMutations, TheFuzzDictionaryHasEveryKey) {
    std::ifstream in(LASR_FUZZ_DICT);
    ASSERT_TRUE(in) << LASR_FUZZ_DICT;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string dict = ss.str();
    std::set<std::string> keys;
    std::function<void(const json&)> collect = [&](const json& j) {
        if (j.is_object())
            for (auto it = j.begin(); it != j.end(); ++it) {
                if (it.key().size() > 2) keys.insert(it.key());  // not language codes
                collect(*it);
            }
        if (j.is_array())
            for (const auto& e : j) collect(e);
    };
    collect(json::parse(full_pack(key.sec).manifest));
    for (const auto& k : keys) EXPECT_NE(dict.find("\"\\\"" + k + "\\\"\""), std::string::npos) << "no \"" << k << "\" in the dictionary";
}

}  // namespace
}  // namespace lasr
