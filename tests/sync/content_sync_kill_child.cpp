// The process the crash tests kill: one content sync, which SIGKILLs itself
// at a chosen point (a named store step, or after N bytes of downloads), as
// a power cut or the OOM killer would: no cleanup, no flush.
//
//   content_sync_kill_child STORE URL PUBKEY LIBRARY [STEP N | bytes N | none 0]
//
// Prints "done changed=0|1" when the sync finishes.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "kiosk/sync/content_sync.hpp"

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: %s STORE URL PUBKEY LIBRARY STEP N\n", argv[0]);
        return 2;
    }
    std::string step = argv[5];
    long n = std::atol(argv[6]);
    auto policy = lasr::make_trust_policy(argv[4], {argv[3]});
    if (!policy) return 2;
    lasr::ContentStore store(lasr::StoreOptions{argv[1], {}, 0});
    long hits = 0;
    store.on_step = [&](std::string_view s) {
        if (s == step && ++hits == n) ::raise(SIGKILL);
    };
    lasr::SyncOptions o;
    o.server_url = argv[2];
    auto sync = lasr::ContentSync::create(store, *policy, o);
    if (!sync) return 2;
    auto r = (*sync)->sync_once(nullptr, [&](const lasr::SyncProgress& p) {
        if (step == "bytes" && p.phase == "fetch" && p.bytes_done >= static_cast<uint64_t>(n)) ::raise(SIGKILL);
    });
    if (!r) {
        std::fprintf(stderr, "sync failed: %s\n", r.error().describe().c_str());
        return 1;
    }
    std::printf("done changed=%d\n", r->install.changed ? 1 : 0);
    return 0;
}
