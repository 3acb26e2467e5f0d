#include "tests/usage/test_lrs.hpp"

#include <httplib.h>

#include <time.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "kiosk/usage/xapi.hpp"

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

int64_t system_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "2026-11-29T03:04:05.123Z"
std::string iso_ms(int64_t ms) {
    return xapi::format_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

// An xAPI Timestamp (ISO 8601 with a zone) as ms since the epoch.
std::optional<int64_t> parse_iso_ms(const std::string& s) {
    static const std::regex re(
        "^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(\\.(\\d+))?(Z|([+-])(\\d{2}):?(\\d{2}))$");
    std::smatch m;
    if (!std::regex_match(s, m, re)) return std::nullopt;
    struct tm tm {};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
    if (m[8].matched) {
        std::string frac = m[8].str().substr(0, 3);
        while (frac.size() < 3) frac += '0';
        ms += std::stoi(frac);
    }
    if (m[10].matched) {
        const int64_t off = (std::stoi(m[11]) * 60 + std::stoi(m[12])) * 60 * 1000;
        ms += m[10] == "+" ? -off : off;
    }
    return ms;
}

std::string url_encode(const std::string& v) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
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
    // Parallel to `order`: when each was stored (never decreasing) and its verb.
    std::vector<int64_t> order_stored;
    std::vector<std::string> order_verb;
    std::function<int64_t()> stored_clock = system_ms;
    int64_t last_stored = 0;
    std::deque<LrsGetFault> get_faults;
    std::vector<std::string> queries;
    LrsStats stats;
    int64_t request_no = 0;

    // Under mu: appends a newly stored statement.
    void append(const std::string& id, std::string fp, const std::string& verb, int64_t stored) {
        store.emplace(id, std::move(fp));
        order.push_back(id);
        order_stored.push_back(stored);
        order_verb.push_back(verb);
        ++stats.stored;
    }
    int64_t stored_now() {
        last_stored = std::max(last_stored, stored_clock());
        return last_stored;
    }

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
            const int64_t stored = stored_now();
            for (size_t i = 0; i < fresh.size(); ++i) {
                auto& [id, fp] = fresh[i];
                if (fp.empty()) {
                    ++stats.identical_resends;
                    continue;
                }
                append(id, std::move(fp), batch[i]["verb"]["id"].get<std::string>(), stored);
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

    // A stored statement as the LRS returns it: with stored, authority and
    // version. (Ours never carry those three, so they are spliced in.)
    std::string returned(const std::string& canon, int64_t stored) const {
        static const std::string authority =
            "{\"account\":{\"homePage\":\"http://127.0.0.1/\",\"name\":\"lrs\"},\"objectType\":\"Agent\"}";
        if (canon.find("\"stored\":") != std::string::npos || canon.find("\"authority\":") != std::string::npos ||
            canon.find("\"version\":") != std::string::npos) {
            json st = json::parse(canon);
            st["stored"] = iso_ms(stored);
            st["authority"] = json::parse(authority);
            st["version"] = "1.0.3";
            return st.dump();
        }
        return "{\"authority\":" + authority + ",\"stored\":\"" + iso_ms(stored) + "\",\"version\":\"1.0.3\"," +
               canon.substr(1);
    }

    static void xapi_headers(httplib::Response& res) {
        res.set_header("X-Experience-API-Version", "1.0.3");
        res.set_header("X-Experience-API-Consistent-Through", iso_ms(system_ms()));
    }

    void get(const httplib::Request& req, httplib::Response& res) {
        {
            std::lock_guard lock(mu);
            ++stats.gets;
        }
        if (!admit(req, res)) return;
        xapi_headers(res);
        if (!req.has_param("statementId")) return query(req, res);
        const std::string id = req.get_param_value("statementId");
        std::lock_guard lock(mu);
        auto it = store.find(id);
        if (it == store.end() || !options.keep_bodies) {
            res.status = 404;
            return;
        }
        int64_t stored = 0;
        for (size_t i = order.size(); i-- > 0;)
            if (order[i] == id) {
                stored = order_stored[i];
                break;
            }
        res.status = 200;
        res.set_content(returned(it->second, stored), "application/json");
    }

    // GET /statements?since=&until=&verb=&limit=&ascending= (and our own
    // `at`, the position a `more` link continues from).
    void query(const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        std::string qs;
        for (const auto& [k, v] : req.params) qs += (qs.empty() ? "" : "&") + k + "=" + v;
        queries.push_back(qs);
        LrsGetFault fault;
        bool has_fault = false;
        if (!get_faults.empty()) {
            fault = get_faults.front();
            get_faults.pop_front();
            has_fault = true;
            ++stats.faults;
        }
        if (has_fault && fault.kind == LrsGetFault::Kind::status) {
            res.status = fault.status;
            res.set_content(json{{"error", "injected"}, {"status", fault.status}}.dump(), "application/json");
            return;
        }
        if (has_fault && fault.kind == LrsGetFault::Kind::html) {
            res.status = 200;
            res.set_content("<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>", "text/html");
            return;
        }
        if (has_fault && fault.kind == LrsGetFault::Kind::wrong_shape) {
            res.status = 200;
            res.set_content("[{\"statements\":\"no\"}]", "application/json");
            return;
        }
        if (!options.keep_bodies) return bad(res, "this endpoint keeps no bodies");
        auto param = [&](const char* k) { return req.has_param(k) ? req.get_param_value(k) : std::string(); };
        std::optional<int64_t> since, until;
        if (req.has_param("since") && !(since = parse_iso_ms(param("since"))))
            return bad(res, "since is not an ISO 8601 timestamp: " + param("since"));
        if (req.has_param("until") && !(until = parse_iso_ms(param("until"))))
            return bad(res, "until is not an ISO 8601 timestamp: " + param("until"));
        const std::string verb = param("verb");
        int64_t limit = 0;
        if (req.has_param("limit")) {
            const std::string l = param("limit");
            if (l.empty() || l.size() > 9 || !std::all_of(l.begin(), l.end(), ::isdigit))
                return bad(res, "limit must be a nonnegative integer");
            limit = std::stoll(l);
        }
        if (limit == 0 || limit > options.page_size) limit = options.page_size;
        if (has_fault && fault.kind == LrsGetFault::Kind::ignore_limit) limit = INT64_MAX;
        const std::string asc_text = param("ascending");
        if (!asc_text.empty() && asc_text != "true" && asc_text != "false") return bad(res, "ascending must be true or false");
        const bool ascending = asc_text == "true";
        static const std::set<std::string> known = {"since", "until", "verb", "limit", "ascending", "at", "format",
                                                    "attachments", "agent", "activity", "registration",
                                                    "related_activities", "related_agents"};
        for (const auto& [k, v] : req.params)
            if (!known.count(k)) return bad(res, "unknown parameter " + k);

        const int64_t n = static_cast<int64_t>(order.size());
        // `at`: where the previous page stopped (a position in stored order).
        int64_t at = ascending ? 0 : n - 1;
        if (req.has_param("at")) at = std::stoll(param("at"));
        std::string body = "{\"statements\":[";
        int64_t count = 0;
        bool first = true;
        int64_t next = -1;
        for (int64_t i = at; ascending ? i < n : i >= 0; i += ascending ? 1 : -1) {
            const auto u = static_cast<size_t>(i);
            const int64_t stored = order_stored[u];
            if (since && stored <= *since) {
                if (ascending) continue;
                break;  // newest first: everything below is older
            }
            if (until && stored > *until) {
                if (ascending) break;
                continue;
            }
            if (!verb.empty() && order_verb[u] != verb) continue;
            if (count == limit) {
                next = i;
                break;
            }
            if (!first) body += ',';
            first = false;
            body += returned(store.at(order[u]), stored);
            ++count;
        }
        if (has_fault && fault.kind == LrsGetFault::Kind::inject)
            for (const std::string& raw : fault.extra) {
                if (!first) body += ',';
                first = false;
                body += raw;
            }
        std::string more;
        if (next >= 0) {
            more = "/xapi/statements?";
            for (const auto& [k, v] : req.params)
                if (k != "at") more += k + "=" + url_encode(v) + "&";
            more += "at=" + std::to_string(next);
        }
        if (has_fault && fault.kind == LrsGetFault::Kind::foreign_more)
            more = "http://lrs.elsewhere.invalid:8080/xapi/statements?at=0";
        body += "],\"more\":\"" + more + "\"}";
        res.status = 200;
        res.set_content(body, "application/json; charset=utf-8");
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

bool TestLrs::store_direct(const std::vector<std::string>& statements_json) {
    std::vector<json> batch;
    batch.reserve(statements_json.size());
    for (const std::string& text : statements_json) {
        json st = json::parse(text, nullptr, false);
        if (st.is_discarded() || !validate(st).empty()) return false;
        batch.push_back(std::move(st));
    }
    std::lock_guard lock(impl_->mu);
    const int64_t stored = impl_->stored_now();
    for (const json& st : batch) {
        const std::string id = st["id"].get<std::string>();
        if (impl_->store.count(id)) continue;
        impl_->append(id, impl_->fingerprint(st), st["verb"]["id"].get<std::string>(), stored);
    }
    return true;
}

void TestLrs::set_stored_clock(std::function<int64_t()> ms) {
    std::lock_guard lock(impl_->mu);
    impl_->stored_clock = std::move(ms);
}

void TestLrs::push_get_fault(const LrsGetFault& f) {
    std::lock_guard lock(impl_->mu);
    impl_->get_faults.push_back(f);
}

std::vector<std::string> TestLrs::queries() const {
    std::lock_guard lock(impl_->mu);
    return impl_->queries;
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
