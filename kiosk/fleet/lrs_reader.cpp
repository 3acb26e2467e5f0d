#include "kiosk/fleet/lrs_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/log.hpp"
#include "kiosk/net/http.hpp"

namespace lasr::fleet {
namespace {

using json = nlohmann::json;

Error lrs_error(Errc code, std::string message) { return make_error(Domain::sync, code, std::move(message)); }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string url_encode(std::string_view v) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// The first bytes of a body, printable, for an error message.
std::string excerpt(const std::string& body) {
    std::string out;
    for (char c : body.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
    return out + (body.size() > 80 ? "..." : "");
}

// What an HTTP status means for someone running `fleet`.
Error status_error(long status, const std::string& url, const std::string& body) {
    const std::string at = "the LRS at " + url + " answered " + std::to_string(status);
    switch (status) {
        case 401:
            return lrs_error(Errc::validation,
                             at + ": it refused the credentials (check --credentials or [usage] lrs_user / "
                                  "lrs_credentials_file)");
        case 403:
            return lrs_error(Errc::validation,
                             at + ": these credentials may not read statements (the LRS account needs read "
                                  "permission, e.g. Ralph's statements/read/mine or /read scope)");
        case 404:
            return lrs_error(Errc::not_found,
                             at + ": there is no xAPI statements resource here (is --lrs the xAPI base URL, "
                                  "the one kiosks post to, e.g. https://lrs.example.org/xapi/ ?)");
        case 400: return lrs_error(Errc::validation, at + ": it refused the query: " + excerpt(body));
        default:
            if (status >= 500) return lrs_error(Errc::unavailable, at + ": the LRS failed; try again later (" + excerpt(body) + ")");
            return lrs_error(Errc::validation, at + ": not a StatementResult (" + excerpt(body) + ")");
    }
}

}  // namespace

std::string origin_of(const std::string& url) {
    const std::string u = lower(url);
    std::string scheme;
    if (u.rfind("http://", 0) == 0) scheme = "http";
    else if (u.rfind("https://", 0) == 0) scheme = "https";
    else return {};
    const size_t host_at = scheme.size() + 3;
    size_t end = u.find_first_of("/?#", host_at);
    std::string authority = u.substr(host_at, end == std::string::npos ? std::string::npos : end - host_at);
    if (authority.find('@') != std::string::npos) authority = authority.substr(authority.rfind('@') + 1);
    if (authority.empty()) return {};
    // host:port (an IPv6 literal is [..]:port)
    const size_t colon = authority.rfind(':');
    const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
    if (!has_port) authority += scheme == "http" ? ":80" : ":443";
    return scheme + "://" + authority;
}

Status read_credentials(const std::filesystem::path& file, std::string& user, std::string& password) {
    struct stat sb {};
    if (::stat(file.c_str(), &sb) != 0)
        return make_error(Domain::config, Errc::not_found, file.string() + ": cannot read the LRS credentials file");
    if ((sb.st_mode & 077) != 0)
        return make_error(Domain::config, Errc::validation,
                          file.string() + ": the LRS credentials file can be read by others (mode " +
                              std::to_string((sb.st_mode >> 6) & 7) + std::to_string((sb.st_mode >> 3) & 7) +
                              std::to_string(sb.st_mode & 7) + "); make it 0600: chmod 600 " + file.string());
    std::ifstream f(file);
    std::string line;
    if (!f || !std::getline(f, line))
        return make_error(Domain::config, Errc::not_found, file.string() + ": cannot read the LRS credentials file");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
        return make_error(Domain::config, Errc::validation, file.string() + ": expected one line \"user:password\"");
    user = line.substr(0, colon);
    password = line.substr(colon + 1);
    return {};
}

LrsReader::LrsReader(LrsEndpoint endpoint, std::unique_ptr<net::HttpClient> http)
    : endpoint_(std::move(endpoint)), http_(std::move(http)), origin_(origin_of(endpoint_.base_url)) {}
LrsReader::~LrsReader() = default;

Result<std::unique_ptr<LrsReader>> LrsReader::create(const LrsEndpoint& endpoint) {
    LrsEndpoint e = endpoint;
    if (origin_of(e.base_url).empty())
        return make_error(Domain::config, Errc::invalid_argument,
                          "LRS URL \"" + e.base_url + "\" is not an http:// or https:// URL");
    if (e.base_url.back() != '/') e.base_url += '/';
    net::HttpOptions o;
    o.ca_file = e.ca_file;
    o.total_timeout_s = e.timeout_s;
    o.user_agent = "lasr-kioskctl-fleet";
    auto http = net::HttpClient::create(o);
    if (!http) return std::move(http).error();
    return std::unique_ptr<LrsReader>(new LrsReader(std::move(e), std::move(*http)));
}

Result<Page> LrsReader::fetch(const std::string& url, const std::string& verb) {
    net::HttpRequest req;
    req.url = url;
    req.headers = {"X-Experience-API-Version: 1.0.3", "Accept: application/json"};
    req.basic_user = endpoint_.user;
    req.basic_password = endpoint_.password;
    ++requests_;
    auto resp = http_->send(req, endpoint_.max_page_bytes);
    if (!resp) {
        Error e = std::move(resp).error();
        if (e.message.find("response larger than") != std::string::npos)
            e.message = "the LRS at " + url + " sent a page larger than " +
                        std::to_string(endpoint_.max_page_bytes >> 20) +
                        " MB (it ignores `limit`?); refused to keep memory bounded (--max-page-mb raises it)";
        return e;
    }
    bytes_ += static_cast<int64_t>(resp->body.size());
    if (resp->status != 200) return status_error(resp->status, url, resp->body);
    const std::string type = lower(resp->header("content-type"));
    if (type.find("json") == std::string::npos)
        return lrs_error(Errc::validation, "the LRS at " + url + " answered " +
                                               (type.empty() ? std::string("without a Content-Type") : type) +
                                               ", not JSON (a proxy's login page? the wrong URL?): " +
                                               excerpt(resp->body));
    const std::string version = resp->header("x-experience-api-version");
    if (!version.empty() && version.rfind("1.0", 0) != 0)
        return lrs_error(Errc::validation,
                         "the LRS at " + url + " speaks xAPI " + version + "; fleet reads xAPI 1.0.x");

    // One statement at a time: each is classified, then dropped from the
    // tree, so a page costs its bytes plus one statement.
    Page page;
    page.url = url;
    std::string top_key;
    bool top_object = false, statements_array = false, saw_statements = false;
    std::string& more = page.more;
    bool more_ok = true;
    auto handle = [&](const json& st) {
        ++page.statements;
        Classified c = classify(st, verb);
        if (c.skip != Skip::none) {
            (c.skip == Skip::malformed ? page.malformed : page.unknown_verb) += 1;
            if (page.first_skip.empty()) page.first_skip = c.why;
            return;
        }
        if (c.fact.stored_ms >= page.max_stored_ms) {
            page.max_stored_ms = c.fact.stored_ms;
            page.max_stored = c.fact.stored;
        }
        page.facts.push_back(std::move(c.fact));
    };
    using E = json::parse_event_t;
    json::parser_callback_t cb = [&](int depth, E ev, json& parsed) -> bool {
        if (depth == 0 && ev == E::object_start) top_object = true;
        if (!top_object) return true;
        if (depth == 1 && ev == E::key) {
            top_key = parsed.get<std::string>();
            return true;
        }
        if (depth == 1 && top_key == "statements") {
            if (ev == E::array_start) statements_array = saw_statements = true;
            if (ev == E::array_end) return true;
            if (ev == E::value || ev == E::object_end) saw_statements = true;  // not an array: wrong shape
            return true;
        }
        if (depth == 1 && top_key == "more" && ev == E::value) {
            if (parsed.is_string()) more = parsed.get<std::string>();
            else if (!parsed.is_null()) more_ok = false;
            return true;
        }
        if (depth == 2 && statements_array && top_key == "statements" && (ev == E::object_end || ev == E::value)) {
            handle(parsed);
            return false;  // dropped from the tree
        }
        return true;
    };
    json doc = json::parse(resp->body, cb, false);
    resp->body.clear();
    resp->body.shrink_to_fit();
    if (doc.is_discarded() || !top_object)
        return lrs_error(Errc::parse, "the LRS at " + url + " answered something that is not a JSON object");
    if (!saw_statements || !statements_array || !more_ok)
        return lrs_error(Errc::parse, "the LRS at " + url +
                                          " answered JSON that is not an xAPI StatementResult "
                                          "({\"statements\": [...], \"more\": \"...\"})");
    return page;
}

Status LrsReader::read(const Query& q, const std::function<Status(Page&)>& on_page) {
    std::string url = endpoint_.base_url + "statements?ascending=true&limit=" + std::to_string(q.limit);
    if (!q.verb.empty()) url += "&verb=" + url_encode(q.verb);
    if (!q.since.empty()) url += "&since=" + url_encode(q.since);
    if (!q.until.empty()) url += "&until=" + url_encode(q.until);
    std::string previous;
    for (;;) {
        auto page = fetch(url, q.verb);
        if (!page) return std::move(page).error();
        const std::string more = page->more;
        if (page->malformed || page->unknown_verb)
            log::warn("fleet", "skipped url=" + url + " malformed=" + std::to_string(page->malformed) +
                                   " unknown_verb=" + std::to_string(page->unknown_verb) + " first=\"" +
                                   page->first_skip + "\"");
        LASR_TRY(on_page(*page));
        if (more.empty()) return {};
        std::string next;
        const std::string scheme = origin_.substr(0, origin_.find(':'));
        const std::string absolute = more.rfind("//", 0) == 0 ? scheme + ":" + more : more;  // scheme-relative
        if (absolute.rfind("http://", 0) == 0 || absolute.rfind("https://", 0) == 0) {
            if (origin_of(absolute) != origin_)
                return lrs_error(Errc::validation, "the LRS at " + url + " sent a `more` link to another host (" + more +
                                                       "); refused: fleet only follows links on " + origin_);
            next = absolute;
        } else if (more.front() == '/') {
            next = origin_ + more;
        } else {
            return lrs_error(Errc::validation, "the LRS at " + url + " sent a `more` link that is not a path: " + more);
        }
        if (next == url || next == previous)
            return lrs_error(Errc::validation, "the LRS at " + url + " sent a `more` link back to the same page: " + more);
        previous = url;
        url = next;
    }
}

}  // namespace lasr::fleet
