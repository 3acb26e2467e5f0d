#include "tests/usage/test_lrs.hpp"

#include <httplib.h>

#include <chrono>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace lasr::test {
namespace {

using json = nlohmann::json;

bool is_uuid(const std::string& s) {
    static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    return std::regex_match(s, re);
}

// ISO 8601 as xAPI allows it (a real LRS accepts "...05Z" and "...05.000Z"
// alike, and then calls them different statements: see the 409 rule).
bool is_iso8601(const std::string& s) {
    static const std::regex re("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$");
    return std::regex_match(s, re);
}

bool is_iri(const json& v) {
    if (!v.is_string()) return false;
    const std::string s = v.get<std::string>();
    auto colon = s.find(':');
    return colon != std::string::npos && colon > 0 && s.find(' ') == std::string::npos;
}

bool is_http_url(const json& v) {
    if (!v.is_string()) return false;
    const std::string s = v.get<std::string>();
    return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

bool extensions_ok(const json& ext) {
    if (!ext.is_object()) return false;
    for (auto it = ext.begin(); it != ext.end(); ++it)
        if (!is_iri(json(it.key()))) return false;
    return true;
}

// "" when valid, else why not.
std::string validate(const json& st) {
    if (!st.is_object()) return "a statement must be an object";
    static const std::set<std::string> known = {"id",     "actor",   "verb",      "object",  "result",
                                                "context", "timestamp", "stored", "authority", "version",
                                                "attachments"};
    for (auto it = st.begin(); it != st.end(); ++it)
        if (!known.count(it.key())) return "unknown property " + it.key();
    if (!st.contains("id") || !st["id"].is_string() || !is_uuid(st["id"].get<std::string>())) return "id must be a UUID";
    const json& actor = st.value("actor", json());
    if (!actor.is_object()) return "actor missing";
    for (const char* k : {"mbox", "mbox_sha1sum", "openid", "name"})
        if (actor.contains(k)) return std::string("actor must not carry ") + k + " (no person)";
    if (actor.value("objectType", "Agent") != "Agent") return "actor must be an Agent";
    const json& acct = actor.value("account", json());
    if (!acct.is_object() || !is_http_url(acct.value("homePage", json())) || !acct.contains("name") ||
        !acct["name"].is_string() || acct["name"].get<std::string>().empty())
        return "actor.account needs homePage and name";
    const json& verb = st.value("verb", json());
    if (!verb.is_object() || !is_iri(verb.value("id", json()))) return "verb.id must be an IRI";
    const json& object = st.value("object", json());
    if (!object.is_object() || !is_iri(object.value("id", json()))) return "object.id must be an IRI";
    if (st.contains("timestamp")) {
        if (!st["timestamp"].is_string() || !is_iso8601(st["timestamp"].get<std::string>()))
            return "timestamp must be ISO 8601";
    }
    if (st.contains("result")) {
        const json& r = st["result"];
        if (!r.is_object()) return "result must be an object";
        if (r.contains("extensions") && !extensions_ok(r["extensions"])) return "result.extensions keys must be IRIs";
    }
    if (st.contains("context")) {
        const json& c = st["context"];
        if (!c.is_object()) return "context must be an object";
        if (c.contains("extensions") && !extensions_ok(c["extensions"])) return "context.extensions keys must be IRIs";
        if (c.contains("registration") &&
            (!c["registration"].is_string() || !is_uuid(c["registration"].get<std::string>())))
            return "context.registration must be a UUID";
    }
    return "";
}

std::string b64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(t[(val >> bits) & 0x3F]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(t[((val << 8) >> (bits + 8)) & 0x3F]);
    while (out.size() % 4) out.push_back('=');
    return out;
}

}  // namespace

struct TestLrs::Impl {
    Options options;
    httplib::Server server;
    std::thread thread;
    std::atomic<bool> stopping{false};

    mutable std::mutex mu;
    std::deque<LrsFault> faults;
    std::string user, password;
    bool forbidden = false;
    // id -> canonical JSON (or its hash as text when !keep_bodies)
    std::unordered_map<std::string, std::string> store;
    std::vector<std::string> order;
    LrsStats stats;
    int64_t request_no = 0;

    std::string fingerprint(const json& st) const {
        std::string canon = st.dump();
        if (options.keep_bodies) return canon;
        return std::to_string(std::hash<std::string>{}(canon)) + ":" + std::to_string(canon.size());
    }

    void sleep_ms(int ms) {
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!stopping.load() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    // Auth and version: "" when fine, else sets the response.
    bool admit(const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        const std::string expect = "Basic " + b64(user + ":" + password);
        if (req.get_header_value("Authorization") != expect) {
            ++stats.unauthorized;
            res.status = 401;
            res.set_header("WWW-Authenticate", "Basic realm=\"LRS\"");
            res.set_content("{\"error\":\"unauthorized\"}", "application/json");
            return false;
        }
        if (forbidden) {
            ++stats.unauthorized;
            res.status = 403;
            res.set_content("{\"error\":\"forbidden\"}", "application/json");
            return false;
        }
        const std::string v = req.get_header_value("X-Experience-API-Version");
        if (v.rfind("1.0.", 0) != 0) {
            ++stats.rejected_400;
            res.status = 400;
            res.set_content("{\"error\":\"X-Experience-API-Version 1.0.x required\"}", "application/json");
            return false;
        }
        return true;
    }

    void bad(httplib::Response& res, const std::string& why) {
        ++stats.rejected_400;
        res.status = 400;
        res.set_content(json{{"error", why}}.dump(), "application/json");
    }

    void post(const httplib::Request& req, httplib::Response& res) {
        int64_t no = 0;
        {
            std::lock_guard lock(mu);
            no = ++request_no;
            ++stats.posts;
        }
        if (on_received_hook) on_received_hook(no);
        if (!admit(req, res)) return;

        LrsFault fault;
        bool has_fault = false;
        {
            std::lock_guard lock(mu);
            if (!faults.empty()) {
                fault = faults.front();
                faults.pop_front();
                has_fault = true;
                ++stats.faults;
            }
        }
        if (has_fault && fault.kind == LrsFault::Kind::status) {
            res.status = fault.status;
            if (!fault.retry_after.empty()) res.set_header("Retry-After", fault.retry_after);
            res.set_content("{\"error\":\"injected\"}", "application/json");
            return;
        }
        if (has_fault && fault.kind == LrsFault::Kind::stall_before_store) sleep_ms(fault.stall_ms);

        {
            std::lock_guard lock(mu);
            if (options.max_body_bytes > 0 && req.body.size() > options.max_body_bytes) {
                ++stats.too_large_413;
                res.status = 413;
                res.set_content("{\"error\":\"payload too large\"}", "application/json");
                return;
            }
        }
        if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
            std::lock_guard lock(mu);
            return bad(res, "Content-Type must be application/json");
        }
        json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded()) {
            std::lock_guard lock(mu);
            return bad(res, "not JSON");
        }
        std::vector<json> batch;
        if (body.is_array()) {
            for (auto& s : body) batch.push_back(s);
        } else {
            batch.push_back(body);
        }
        if (batch.empty()) {
            std::lock_guard lock(mu);
            return bad(res, "empty batch");
        }

        json ids = json::array();
        {
            std::lock_guard lock(mu);
            std::set<std::string> seen;
            std::vector<std::pair<std::string, std::string>> fresh;
            for (const json& st : batch) {
                if (std::string why = validate(st); !why.empty()) return bad(res, why);
                const std::string id = st["id"].get<std::string>();
                if (!seen.insert(id).second) return bad(res, "the same id twice in one batch: " + id);
                const std::string fp = fingerprint(st);
                auto it = store.find(id);
                if (it != store.end() && it->second != fp) {
                    ++stats.conflicts_409;
                    res.status = 409;
                    res.set_content(json{{"error", "conflict"}, {"id", id}}.dump(), "application/json");
                    return;
                }
                fresh.emplace_back(id, it == store.end() ? fp : std::string());
                ids.push_back(id);
            }
            for (auto& [id, fp] : fresh) {
                if (fp.empty()) {
                    ++stats.identical_resends;
                    continue;
                }
                store.emplace(id, std::move(fp));
                order.push_back(id);
                ++stats.stored;
            }
            stats.max_batch = std::max<int64_t>(stats.max_batch, static_cast<int64_t>(batch.size()));
            stats.max_body_bytes = std::max<int64_t>(stats.max_body_bytes, static_cast<int64_t>(req.body.size()));
        }
        if (on_stored_hook) on_stored_hook(no);

        if (has_fault && fault.kind == LrsFault::Kind::stall_after_store) sleep_ms(fault.stall_ms);
        if (has_fault && fault.kind == LrsFault::Kind::drop_after_store) {
            // Headers with a length, then no body: the connection closes and
            // the client cannot tell that the batch was stored.
            res.status = 200;
            res.set_content_provider(
                1000, "application/json",
                [](size_t, size_t, httplib::DataSink&) { return false; });
            return;
        }
        res.status = 200;
        // With a charset, as LRSs answer (and httplib then does not brotli-compress it).
        res.set_content(ids.dump(), "application/json; charset=utf-8");
    }

    void get(const httplib::Request& req, httplib::Response& res) {
        {
            std::lock_guard lock(mu);
            ++stats.gets;
        }
        if (!admit(req, res)) return;
        const std::string id = req.get_param_value("statementId");
        std::lock_guard lock(mu);
        auto it = store.find(id);
        if (it == store.end() || !options.keep_bodies) {
            res.status = 404;
            return;
        }
        json st = json::parse(it->second);
        st["stored"] = "2026-01-01T00:00:00.000Z";
        st["authority"] = {{"objectType", "Agent"}, {"account", {{"homePage", "http://127.0.0.1/"}, {"name", "lrs"}}}};
        st["version"] = "1.0.3";
        res.status = 200;
        res.set_content(st.dump(), "application/json");
    }

    std::function<void(int64_t)> on_received_hook;
    std::function<void(int64_t)> on_stored_hook;
};

TestLrs::TestLrs(Options options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->user = options.user;
    impl_->password = options.password;
    Impl* im = impl_.get();
    // Hooks are read through the TestLrs members at call time.
    im->on_received_hook = [this](int64_t n) {
        if (on_received) on_received(n);
    };
    im->on_stored_hook = [this](int64_t n) {
        if (on_stored) on_stored(n);
    };
    im->server.Post("/xapi/statements", [im](const httplib::Request& q, httplib::Response& r) { im->post(q, r); });
    im->server.Get("/xapi/statements", [im](const httplib::Request& q, httplib::Response& r) { im->get(q, r); });
    im->server.set_payload_max_length(64u << 20);
    im->server.set_keep_alive_max_count(1000);
    im->server.set_tcp_nodelay(true);  // no Nagle + delayed-ACK 40 ms stalls between requests
    port_ = im->server.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("TestLrs: cannot bind 127.0.0.1");
    im->thread = std::thread([im] { im->server.listen_after_bind(); });
    while (!im->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TestLrs::~TestLrs() {
    impl_->stopping = true;
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string TestLrs::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/xapi/"; }

void TestLrs::push_fault(const LrsFault& f) {
    std::lock_guard lock(impl_->mu);
    impl_->faults.push_back(f);
}

size_t TestLrs::faults_left() const {
    std::lock_guard lock(impl_->mu);
    return impl_->faults.size();
}

void TestLrs::set_credentials(const std::string& user, const std::string& password) {
    std::lock_guard lock(impl_->mu);
    impl_->user = user;
    impl_->password = password;
}

void TestLrs::set_forbidden(bool forbidden) {
    std::lock_guard lock(impl_->mu);
    impl_->forbidden = forbidden;
}

void TestLrs::set_max_body(size_t bytes) {
    std::lock_guard lock(impl_->mu);
    impl_->options.max_body_bytes = bytes;
}

void TestLrs::preload(const std::string& statement_json) {
    json st = json::parse(statement_json);
    std::lock_guard lock(impl_->mu);
    const std::string id = st["id"].get<std::string>();
    impl_->store[id] = impl_->fingerprint(st);
}

LrsStats TestLrs::stats() const {
    std::lock_guard lock(impl_->mu);
    return impl_->stats;
}

size_t TestLrs::count() const {
    std::lock_guard lock(impl_->mu);
    return impl_->order.size();
}

std::map<std::string, std::string> TestLrs::statements() const {
    std::lock_guard lock(impl_->mu);
    std::map<std::string, std::string> out;
    for (const auto& id : impl_->order) {
        auto it = impl_->store.find(id);
        out[id] = impl_->options.keep_bodies ? it->second : std::string();
    }
    return out;
}

std::vector<std::string> TestLrs::order() const {
    std::lock_guard lock(impl_->mu);
    return impl_->order;
}

}  // namespace lasr::test
