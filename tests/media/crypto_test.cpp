// Signatures in minisign's format, checked both ways against Debian's real
// `minisign` 0.11: it verifies what we sign, we verify what it signs
// (prehashed "ED", its default, and legacy "Ed"), and every tampering is refused.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "media/crypto.hpp"
#include "tests/support/fixtures.hpp"

extern char** environ;

namespace lasr {
namespace {

namespace fs = std::filesystem;
using namespace crypto;

// Runs a program with `input` on stdin; returns its exit status.
int run_with_input(const std::vector<std::string>& argv, const std::string& input, const fs::path& log) {
    int in[2];
    if (pipe(in) != 0) return -1;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    if (rc != 0) {
        close(in[1]);
        return -1;
    }
    if (!input.empty() && write(in[1], input.data(), input.size()) < 0) ADD_FAILURE() << "write to child";
    close(in[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool have_minisign() { return test::run({"minisign", "-v"}) == 0; }

#define REQUIRE_MINISIGN()                                                                                     \
    if (!have_minisign()) {                                                                                    \
        FAIL() << "Debian's minisign is not installed (deploy/install-deps.sh installs it)";                   \
    }

const std::string kMessage = "{\"format\": \"lasr-pack\", \"version\": 7}\n";

TEST(Sha256Class, IncrementalMatchesOneShot) {
    Sha256 h;
    std::string data(1'000'003, 'q');
    for (size_t i = 0; i < data.size(); i += 4099) h.update(data.data() + i, std::min<size_t>(4099, data.size() - i));
    EXPECT_EQ(h.finish_hex(), sha256_hex(data));
    EXPECT_EQ(h.finish_hex(), sha256_hex(""));  // finish resets
}

TEST(Minisign, KeysRoundTripThroughTheirFileForms) {
    KeyPair kp = generate_keypair();
    auto pub = parse_public_key(public_key_file(kp.pub));
    ASSERT_TRUE(pub) << pub.error().describe();
    EXPECT_EQ(*pub, kp.pub);
    auto bare = parse_public_key(kp.pub.base64());
    ASSERT_TRUE(bare);
    EXPECT_EQ(*bare, kp.pub);
    EXPECT_EQ(kp.pub.base64().size(), 56u);
    EXPECT_EQ(kp.pub.base64().substr(0, 2), "RW");
    auto sec = parse_secret_key(secret_key_file(kp.sec));
    ASSERT_TRUE(sec) << sec.error().describe();
    EXPECT_EQ(sec->key, kp.sec.key);
    EXPECT_EQ(sec->public_key(), kp.pub);
}

TEST(Minisign, SignsAndVerifiesBothAlgorithms) {
    KeyPair kp = generate_keypair();
    for (bool prehashed : {true, false}) {
        std::string sig = sign(kMessage, kp.sec, {"lasr-pack library:x version:7", "c", prehashed});
        auto v = verify(kMessage, sig, {kp.pub});
        ASSERT_TRUE(v) << v.error().describe();
        EXPECT_EQ(v->trusted_comment, "lasr-pack library:x version:7");
        EXPECT_EQ(v->prehashed, prehashed);
    }
}

TEST(Minisign, RefusesEveryTampering) {
    KeyPair kp = generate_keypair();
    KeyPair other = generate_keypair();
    std::string sig = sign(kMessage, kp.sec, {"version:7"});
    auto refused = [&](std::string_view msg, std::string_view s, const std::vector<PublicKey>& keys,
                       const std::string& why) {
        auto v = verify(msg, s, keys);
        ASSERT_FALSE(v) << why;
        EXPECT_NE(v.error().message.find(why), std::string::npos) << v.error().message;
    };
    refused(kMessage + " ", sig, {kp.pub}, "does not match the manifest");
    refused(kMessage, sig, {other.pub}, "which this kiosk does not trust");
    refused(kMessage, sig, {}, "none configured");
    // Same key id, another key: a substituted key never verifies.
    PublicKey forged = other.pub;
    forged.id = kp.pub.id;
    refused(kMessage, sig, {forged}, "does not match the manifest");
    std::string altered = sig;
    altered.replace(altered.find("version:7"), 9, "version:9");
    refused(kMessage, altered, {kp.pub}, "trusted comment signature does not match");
    refused(kMessage, sig.substr(0, sig.size() / 2), {kp.pub}, "incomplete");
    refused(kMessage, "", {kp.pub}, "incomplete");
    refused(kMessage, "garbage\nlines\nhere\nnow\n", {kp.pub}, "untrusted comment");
    std::string badb64 = sig;
    badb64[badb64.find('\n') + 5] = '*';
    refused(kMessage, badb64, {kp.pub}, "not valid base64");
    // CRLF line ends (a file that went through Windows) still verify.
    std::string crlf;
    for (char c : sig) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    EXPECT_TRUE(verify(kMessage, crlf, {kp.pub}));
}

TEST(Minisign, RealMinisignVerifiesWhatWeSign) {
    REQUIRE_MINISIGN();
    test::TempDir d;
    KeyPair kp = generate_keypair();
    test::write_file(d / "k.pub", public_key_file(kp.pub));
    test::write_file(d / "manifest.json", kMessage);
    for (bool prehashed : {true, false}) {
        test::write_file(d / "manifest.json.minisig", sign(kMessage, kp.sec, {"lasr-pack version:7", "x", prehashed}));
        fs::path log = d / "log";
        int rc = test::run({"minisign", "-V", "-p", (d / "k.pub").string(), "-m", (d / "manifest.json").string()}, log);
        EXPECT_EQ(rc, 0) << test::read_file(log);
        EXPECT_NE(test::read_file(log).find("Trusted comment: lasr-pack version:7"), std::string::npos);
        // minisign -H insists on prehashed signatures: it refuses the legacy one.
        int h = test::run({"minisign", "-V", "-H", "-p", (d / "k.pub").string(), "-m", (d / "manifest.json").string()});
        EXPECT_EQ(h == 0, prehashed);
    }
    // And a secret key of ours is one minisign signs with.
    test::write_file(d / "k.key", secret_key_file(kp.sec));
    fs::path log = d / "log2";
    EXPECT_EQ(test::run({"minisign", "-S", "-s", (d / "k.key").string(), "-m", (d / "manifest.json").string()}, log), 0)
        << test::read_file(log);
    EXPECT_TRUE(verify(kMessage, test::read_file(d / "manifest.json.minisig"), {kp.pub}));
}

TEST(Minisign, WeVerifyWhatRealMinisignSigns) {
    REQUIRE_MINISIGN();
    test::TempDir d;
    fs::path log = d / "log";
    ASSERT_EQ(test::run({"minisign", "-G", "-W", "-p", (d / "m.pub").string(), "-s", (d / "m.key").string()}, log), 0)
        << test::read_file(log);
    auto pub = parse_public_key(test::read_file(d / "m.pub"));
    ASSERT_TRUE(pub) << pub.error().describe();
    auto sec = parse_secret_key(test::read_file(d / "m.key"));
    ASSERT_TRUE(sec) << sec.error().describe();
    EXPECT_EQ(sec->public_key(), *pub);
    test::write_file(d / "manifest.json", kMessage);
    for (bool legacy : {false, true}) {
        std::vector<std::string> argv = {"minisign", "-S", "-s", (d / "m.key").string(), "-t", "published by staff",
                                         "-m", (d / "manifest.json").string()};
        if (legacy) argv.insert(argv.begin() + 2, "-l");
        ASSERT_EQ(test::run(argv, log), 0) << test::read_file(log);
        auto v = verify(kMessage, test::read_file(d / "manifest.json.minisig"), {*pub});
        ASSERT_TRUE(v) << v.error().describe();
        EXPECT_EQ(v->prehashed, !legacy);
        EXPECT_EQ(v->trusted_comment, "published by staff");
        EXPECT_FALSE(verify(kMessage + "x", test::read_file(d / "manifest.json.minisig"), {*pub}));
    }
}

TEST(Minisign, ReadsPasswordProtectedMinisignKeys) {
    REQUIRE_MINISIGN();
    test::TempDir d;
    ASSERT_EQ(run_with_input({"minisign", "-G", "-p", (d / "e.pub").string(), "-s", (d / "e.key").string()},
                             "sesame\nsesame\n", d / "log"),
              0)
        << test::read_file(d / "log");
    auto pub = parse_public_key(test::read_file(d / "e.pub"));
    ASSERT_TRUE(pub);
    auto none = parse_secret_key(test::read_file(d / "e.key"));
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("encrypted with a password"), std::string::npos);
    // (A wrong password fails the checksum; not run here: each scrypt
    // derivation with minisign's parameters takes seconds.)
    auto sec = parse_secret_key(test::read_file(d / "e.key"), "sesame");
    ASSERT_TRUE(sec) << sec.error().describe();
    EXPECT_EQ(sec->public_key(), *pub);
}

}  // namespace
}  // namespace lasr

namespace lasr {
namespace {

TEST(Sha256PipeClass, MatchesOneShotAcrossResetsAndBackpressure) {
    crypto::Sha256Pipe pipe(64 * 1024);  // a small queue: push() must wait
    std::string data(3'000'001, 'p');
    for (size_t i = 0; i < data.size(); i += 10'007) pipe.push(data.data() + i, std::min<size_t>(10'007, data.size() - i));
    EXPECT_EQ(pipe.finish_hex(), crypto::sha256_hex(data));
    pipe.push("garbage", 7);
    pipe.reset();
    pipe.push("abc", 3);
    EXPECT_EQ(pipe.finish_hex(), crypto::sha256_hex("abc"));
    EXPECT_EQ(pipe.finish_hex(), crypto::sha256_hex(""));
}

}  // namespace
}  // namespace lasr
