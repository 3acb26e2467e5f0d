// A local xAPI endpoint for the usage-sync tests: a real HTTP server
// (cpp-httplib) on 127.0.0.1, on a port the kernel picks, that enforces the
// LRS rules the kiosk relies on (shared/design/facts.md) and injects faults.
//
// Rules, as a conformant LRS applies them:
//   - POST /statements needs "X-Experience-API-Version: 1.0.x" (else 400),
//     HTTP Basic auth with the configured user (else 401; 403 when the user
//     is known but forbidden), Content-Type application/json (else 400);
//   - the body is a statement or an array; one invalid statement rejects the
//     whole batch (400), and so does the same id twice in one batch;
//   - an id already stored with the same content is harmless (nothing new is
//     stored); with different content it is 409 and nothing of the batch is
//     stored. "Same" is compared on the canonical JSON (sorted keys, numbers
//     and strings as written), so a timestamp resent as "...00Z" instead of
//     "...00.000Z" is a conflict, as on a real LRS;
//   - 200 returns the ids; GET /statements?statementId= returns one.
//   - GET /statements without an id is the xAPI 1.0.3 query API (section
//     2.1.3 of xAPI-Communication): filters `since` (stored, exclusive),
//     `until` (stored, inclusive), `verb` (exact IRI), `limit` (0 or above
//     the server's page size: the page size), `ascending` (default false:
//     newest first); the answer is a StatementResult {"statements": [...],
//     "more": "<relative IRL, path and query, or empty>"}; every returned
//     statement has `stored`, `authority` and `version`; answers carry
//     X-Experience-API-Version and X-Experience-API-Consistent-Through.
//     `stored` is the server's clock to the millisecond, so a batch shares
//     one stored time (clients must not assume stored times are unique).
// Stricter than the spec where it checks the kiosk's own contract: ids must
// be present UUIDs, the actor an account (never mbox, mbox_sha1sum, openid
// or name: no person), and no property xAPI does not define. (The tests
// check the kiosk's one fixed timestamp format on what the endpoint stored.)
//
// Faults are queued and each applies to one POST, in order: an HTTP status
// (500, 503, 429 with Retry-After, 413, ...), the connection dropped after
// the batch was stored, or a stall (before or after storing) longer than the
// client waits. Hooks let the kill tests SIGKILL the uploader at exact points.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lasr::test {

struct LrsFault {
    enum class Kind { status, drop_after_store, stall_before_store, stall_after_store };
    Kind kind = Kind::status;
    int status = 500;
    std::string retry_after;  // header value, for status faults
    int stall_ms = 0;

    static LrsFault http(int status, std::string retry_after = {}) {
        return {Kind::status, status, std::move(retry_after), 0};
    }
    static LrsFault drop() { return {Kind::drop_after_store, 0, {}, 0}; }
    static LrsFault stall(int ms, bool after_store) {
        return {after_store ? Kind::stall_after_store : Kind::stall_before_store, 0, {}, ms};
    }
};

// Faults for the query API (GET /statements), each applied to one GET.
struct LrsGetFault {
    enum class Kind {
        status,        // answer `status` with a JSON error body
        html,          // 200 with an HTML page (a proxy's login page)
        foreign_more,  // a normal page whose `more` points to another host
        inject,        // `extra` (raw JSON texts) appended to the page's statements
        ignore_limit,  // every matching statement in one page
        wrong_shape,   // 200 with JSON that is not a StatementResult
        pass,          // none: this GET is answered normally (to aim a later fault)
    };
    Kind kind = Kind::status;
    int status = 500;
    std::vector<std::string> extra;

    static LrsGetFault http(int status) { return {Kind::status, status, {}}; }
    static LrsGetFault of(Kind k) { return {k, 0, {}}; }
    static LrsGetFault inject_raw(std::vector<std::string> raw) { return {Kind::inject, 0, std::move(raw)}; }
};

struct LrsStats {
    int64_t posts = 0;              // POST /statements requests
    int64_t gets = 0;
    int64_t stored = 0;             // statements newly stored
    int64_t identical_resends = 0;  // statements that were already stored, same content
    int64_t rejected_400 = 0;       // requests answered 400
    int64_t conflicts_409 = 0;      // requests answered 409
    int64_t unauthorized = 0;       // requests answered 401/403
    int64_t too_large_413 = 0;      // requests answered 413 (limit, not injected)
    int64_t faults = 0;             // injected faults applied
    int64_t max_batch = 0;          // the most statements in one accepted POST
    int64_t max_body_bytes = 0;     // the largest accepted POST body
};

class TestLrs {
public:
    struct Options {
        std::string user = "kiosk-7";
        std::string password = "s3cret";
        size_t max_body_bytes = 0;  // > 0: larger bodies get 413
        bool keep_bodies = true;    // false: keep a hash per id (1M statements, little memory)
        int page_size = 500;        // the most statements one query answer holds
    };
    explicit TestLrs(Options options);
    TestLrs() : TestLrs(Options{}) {}
    ~TestLrs();
    TestLrs(const TestLrs&) = delete;
    TestLrs& operator=(const TestLrs&) = delete;

    int port() const { return port_; }
    // "http://127.0.0.1:<port>/xapi/" (the kiosk appends "statements").
    std::string base_url() const;

    void push_fault(const LrsFault& f);
    size_t faults_left() const;
    void set_credentials(const std::string& user, const std::string& password);
    // The user is known but may not write: 403.
    void set_forbidden(bool forbidden);
    void set_max_body(size_t bytes);
    // Stores a statement as if some other client had sent it (for 409s).
    void preload(const std::string& statement_json);
    // Stores statements as if POSTed now (validated as a POST is; false and
    // nothing stored if one is invalid), without HTTP: for benchmarks that
    // fill the LRS with a month of a fleet.
    bool store_direct(const std::vector<std::string>& statements_json);
    // The clock `stored` is taken from (ms since the epoch); default: the
    // system clock. Stored times never go backwards.
    void set_stored_clock(std::function<int64_t()> ms);
    void push_get_fault(const LrsGetFault& f);
    // The query strings of the query-API GETs received, in order.
    std::vector<std::string> queries() const;

    // Kill-test hooks, called on the server thread with the request number
    // (1, 2, ...). `received`: before anything is stored; `stored`: after the
    // batch is stored, before the answer is written.
    std::function<void(int64_t request)> on_received;
    std::function<void(int64_t request)> on_stored;

    LrsStats stats() const;
    size_t count() const;
    // id -> canonical JSON (empty strings when keep_bodies is false).
    std::map<std::string, std::string> statements() const;
    // The ids in the order they were first stored.
    std::vector<std::string> order() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace lasr::test
