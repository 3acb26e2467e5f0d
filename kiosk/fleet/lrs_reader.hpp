// Reads statements back from any conformant xAPI LRS with the standard
// query API (xAPI 1.0.3, Communication 2.1.3): GET <base>statements with
// since / until / verb / limit / ascending, following each answer's `more`
// link on the same scheme, host and port only (an LRS that points elsewhere
// is refused: the credentials would go with it).
//
// Memory stays bounded whatever the LRS sends: a page is read up to
// max_page_bytes (an LRS that ignores `limit` and sends more is refused with
// that figure), and it is parsed one statement at a time (each statement is
// classified into a small Fact and dropped before the next is parsed).
//
// Every failure is a clear Error naming the URL and what to do: 401 / 403
// (credentials, read permission), 404 (not an xAPI base URL), 5xx, HTML
// instead of JSON (a proxy's login page), JSON that is not a
// StatementResult, a `more` link to another host.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/result.hpp"
#include "kiosk/fleet/facts.hpp"

namespace lasr::net {
class HttpClient;
}

namespace lasr::fleet {

struct LrsEndpoint {
    std::string base_url;  // the xAPI base, e.g. "https://lrs.example.org/xapi/"
    std::string user;      // HTTP Basic auth (empty: none)
    std::string password;
    std::string ca_file;
    long timeout_s = 120;
    size_t max_page_bytes = 64u << 20;
};

// "user:password" on one line, from a file that only its owner may read
// (mode 0600 or stricter; anything readable by group or others is refused).
Status read_credentials(const std::filesystem::path& file, std::string& user, std::string& password);

struct Query {
    std::string verb;    // exact verb IRI; "" = every verb
    std::string since;   // stored after this (exclusive); "" = from the start
    std::string until;   // stored at or before this; "" = up to now
    int limit = 500;     // per page (0: the LRS's own maximum)
};

// One page, classified.
struct Page {
    std::string url;              // what was fetched
    std::vector<Fact> facts;
    int64_t statements = 0;       // in the page, used or not
    int64_t malformed = 0;
    int64_t unknown_verb = 0;
    std::string first_skip;       // why the first skipped one was skipped (for the log)
    std::string more;             // the answer's `more` link, as sent
    std::string max_stored;       // the latest `stored` in the page ("" if none)
    int64_t max_stored_ms = 0;
};

class LrsReader {
public:
    static Result<std::unique_ptr<LrsReader>> create(const LrsEndpoint& endpoint);
    ~LrsReader();
    LrsReader(const LrsReader&) = delete;
    LrsReader& operator=(const LrsReader&) = delete;

    // Fetches every page of `q` (ascending by stored), handing each to
    // `on_page` before the next is fetched (the caller commits it, so a
    // failure later loses nothing already read). Stops at the first error,
    // from the LRS or from on_page.
    Status read(const Query& q, const std::function<Status(Page&)>& on_page);

    int64_t requests() const noexcept { return requests_; }
    int64_t bytes() const noexcept { return bytes_; }

private:
    LrsReader(LrsEndpoint endpoint, std::unique_ptr<net::HttpClient> http);
    Result<Page> fetch(const std::string& url, const std::string& verb);

    LrsEndpoint endpoint_;
    std::unique_ptr<net::HttpClient> http_;
    std::string origin_;  // "scheme://host:port" of the base URL
    int64_t requests_ = 0;
    int64_t bytes_ = 0;
};

// "scheme://host[:port]" of a URL, lower-cased, with the default port made
// explicit ("http://a" and "http://a:80" are the same origin); "" if it is
// not an http(s) URL.
std::string origin_of(const std::string& url);

}  // namespace lasr::fleet
