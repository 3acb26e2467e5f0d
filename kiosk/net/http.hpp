// HTTP(S) for content sync and usage upload. The only code that includes
// libcurl. Blocking calls, for the background worker only (never the UI
// thread). TLS verification is always on; proxies come from the standard
// variables (http_proxy, https_proxy, no_proxy), as libcurl reads them.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/result.hpp"

namespace lasr::net {

struct HttpOptions {
    std::string ca_file;             // extra CA bundle; empty: the system's
    long connect_timeout_s = 10;
    long low_speed_bytes_per_s = 100;  // slower than this for...
    long low_speed_window_s = 30;      // ...this long is a time-out (a slow drip)
    long total_timeout_s = 0;          // 0: none (large downloads)
    std::string user_agent = "lasr-kiosk";
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;                  // sent when not empty (or for POST/PUT)
    std::string basic_user;            // HTTP Basic auth when not empty
    std::string basic_password;
};

struct HttpResponse {
    long status = 0;
    std::map<std::string, std::string> headers;  // names lower-case; last one wins
    std::string body;                            // empty for downloads to a file
    uint64_t bytes_received = 0;

    // A header's value, or "" (name in lower case).
    std::string header(const std::string& name) const;
};

struct Progress {
    uint64_t received = 0;  // bytes of this transfer
    uint64_t expected = 0;  // bytes of this transfer when known, else 0
};
using ProgressFn = std::function<void(const Progress&)>;

struct DownloadOptions {
    // An ETag or Last-Modified for If-Range when resuming: if the resource
    // changed, the server sends all of it (200) and the file starts over.
    std::string if_range;
    ProgressFn progress;
    const std::atomic<bool>* cancel = nullptr;  // true: stop (Errc::stalled)
    // More than this many bytes in the file is an error (Errc::validation):
    // a server whose size lies cannot fill the disk. 0: no limit.
    uint64_t max_bytes = 0;
    // Every body byte written to the file, in order (e.g. to hash it on the
    // way); on_restart is called when the file is truncated to start over.
    std::function<void(const char* data, size_t n)> on_data;
    std::function<void()> on_restart;
};

class HttpClient {
public:
    static Result<std::unique_ptr<HttpClient>> create(const HttpOptions& options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends a request and reads the whole response body into memory (at
    // most max_body bytes). Any HTTP status is a successful Result; failures
    // to connect, time-outs and TLS errors are Errc::unavailable errors
    // (a time-out: Errc::stalled). Stops with Errc::stalled within about a
    // second when `cancel` becomes true.
    Result<HttpResponse> send(const HttpRequest& request, size_t max_body = 64u << 20,
                              const std::atomic<bool>* cancel = nullptr);

    // Downloads the response body into `file`, appended to what it holds:
    // when the file is not empty, asks for the rest with Range (and
    // If-Range when given). A 200 to a range request (the resource changed,
    // or the server ignores ranges) truncates the file and starts over; a
    // 206 must start exactly where the file ends. Only a 200 or 206 body is
    // written: an error page never lands in the file (the status is in the
    // response). No content coding is asked for, so byte ranges mean the
    // file's bytes. The file is flushed but not fsynced; the caller
    // verifies and renames it.
    Result<HttpResponse> download(const HttpRequest& request, const std::filesystem::path& file,
                                  const DownloadOptions& options);
    Result<HttpResponse> download(const HttpRequest& request, const std::filesystem::path& file,
                                  const std::string& if_range = {}, ProgressFn progress = {},
                                  const std::atomic<bool>* cancel = nullptr);

    struct Impl;

private:
    explicit HttpClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lasr::net
