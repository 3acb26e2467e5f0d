#include "kiosk/net/http.hpp"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace lasr::net {

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Transfer {
    CURL* curl = nullptr;
    bool first_byte = true;
    HttpResponse* response = nullptr;
    std::string* body = nullptr;
    size_t max_body = 0;
    FILE* file = nullptr;
    bool too_big = false;
    bool write_failed = false;
    int write_errno = 0;
    bool discard = false;      // an error page: not written to the file
    bool bad_range = false;    // a 206 that does not start where the file ends
    bool over_limit = false;   // more bytes than max_bytes
    ProgressFn progress;
    const std::atomic<bool>* cancel = nullptr;
    uint64_t offset = 0;  // bytes already in the file before this transfer
    uint64_t max_bytes = 0;
    uint64_t written = 0;  // bytes written by this transfer
    const DownloadOptions* dl = nullptr;
};

// The first byte of "bytes 100-199/1000" (Content-Range), or -1.
long long range_start(const std::string& v) {
    if (v.rfind("bytes ", 0) != 0) return -1;
    char* end = nullptr;
    long long start = std::strtoll(v.c_str() + 6, &end, 10);
    if (end == v.c_str() + 6 || *end != '-') return -1;
    return start;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        t->response->headers.clear();  // a new response (after a redirect or 100)
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
        t->response->headers[name] = value;
    }
    return size * n;
}

// At the first body byte of a download: decide what the body is.
bool start_file_body(Transfer* t) {
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && status != 206) {
        t->discard = true;
        return true;
    }
    if (status == 200 && t->offset > 0) {
        // The whole resource follows (it changed, or the server ignores
        // ranges): start over.
        if (std::fflush(t->file) != 0 || ftruncate(fileno(t->file), 0) != 0 || std::fseek(t->file, 0, SEEK_SET) != 0) {
            t->write_failed = true;
            t->write_errno = errno;
            return false;
        }
        t->offset = 0;
        if (t->dl && t->dl->on_restart) t->dl->on_restart();
    }
    if (status == 206 && range_start(t->response->header("content-range")) != static_cast<long long>(t->offset)) {
        t->bad_range = true;
        return false;
    }
    return true;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t len = size * n;
    t->response->bytes_received += len;
    if (t->file) {
        if (t->first_byte) {
            t->first_byte = false;
            if (!start_file_body(t)) return 0;  // aborts the transfer
        }
        if (t->discard) {
            // Keep a little of an error page for the message, never in the file.
            if (t->response->body.size() < 4096) t->response->body.append(data, std::min<size_t>(len, 4096));
            return len;
        }
        if (t->max_bytes > 0 && t->offset + t->written + len > t->max_bytes) {
            t->over_limit = true;
            return 0;
        }
        if (fwrite(data, 1, len, t->file) != len) {
            t->write_failed = true;
            t->write_errno = errno;
            return 0;
        }
        t->written += len;
        if (t->dl && t->dl->on_data) t->dl->on_data(data, len);
        return len;
    }
    if (t->body->size() + len > t->max_body) {
        t->too_big = true;
        return 0;
    }
    t->body->append(data, len);
    return len;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->cancel && t->cancel->load()) return 1;  // aborts
    if (t->progress)
        t->progress(Progress{t->offset + static_cast<uint64_t>(dlnow),
                             dltotal > 0 ? t->offset + static_cast<uint64_t>(dltotal) : 0});
    return 0;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
    CURL* curl = nullptr;
    HttpOptions options;

    Result<HttpResponse> perform(const HttpRequest& req, Transfer& t, curl_slist* extra_headers) {
        curl_easy_reset(curl);
        t.curl = curl;
        HttpResponse resp;
        t.response = &resp;
        curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_s);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options.low_speed_window_s);
        if (options.total_timeout_s > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, options.total_timeout_s);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
        // Compressed bodies for in-memory replies only: a download's byte
        // ranges must count the file's own bytes.
        if (!t.file) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
        // Large reads for downloads: fewer callbacks and writes per MB.
        else curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
        if (!req.basic_user.empty()) {
            curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(curl, CURLOPT_USERNAME, req.basic_user.c_str());
            curl_easy_setopt(curl, CURLOPT_PASSWORD, req.basic_password.c_str());
        }
        if (req.method == "GET") {
            curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        } else if (req.method == "HEAD") {
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        } else {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
        }
        if (req.method == "POST" || req.method == "PUT" || !req.body.empty()) {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        }
        curl_slist* headers = extra_headers;
        for (const auto& h : req.headers) headers = curl_slist_append(headers, h.c_str());
        // No "Expect: 100-continue" round trip on uploads.
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

        CURLcode rc = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        resp.status = status;
        if (rc != CURLE_OK) {
            std::string what = req.method + " " + req.url + ": ";
            if (t.write_failed)
                return make_error(Domain::sync, Errc::io, what + "cannot write the download: " + std::strerror(t.write_errno));
            if (t.too_big)
                return make_error(Domain::sync, Errc::validation, what + "response larger than " + std::to_string(t.max_body) + " bytes");
            if (t.over_limit)
                return make_error(Domain::sync, Errc::validation,
                                  what + "the server sent more than the " + std::to_string(t.max_bytes) +
                                      " bytes expected (a size that lies): refused");
            if (t.bad_range)
                return make_error(Domain::sync, Errc::validation,
                                  what + "the server answered a range that does not start at byte " +
                                      std::to_string(t.offset) + " (Content-Range: " + resp.header("content-range") + ")");
            if (rc == CURLE_ABORTED_BY_CALLBACK)
                return make_error(Domain::sync, Errc::stalled, what + "cancelled");
            std::string msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
            while (!msg.empty() && msg.back() == '\n') msg.pop_back();
            Errc code = rc == CURLE_OPERATION_TIMEDOUT ? Errc::stalled : Errc::unavailable;
            return make_error(Domain::sync, code, what + msg);
        }
        return resp;
    }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() {
    if (impl_ && impl_->curl) curl_easy_cleanup(impl_->curl);
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(const HttpOptions& options) {
    global_init();
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->curl = curl_easy_init();
    if (!impl->curl) return make_error(Domain::sync, Errc::internal, "libcurl could not be initialised");
    return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request, size_t max_body,
                                      const std::atomic<bool>* cancel) {
    std::string body;
    Transfer t;
    t.body = &body;
    t.max_body = max_body;
    t.cancel = cancel;
    auto r = impl_->perform(request, t, nullptr);
    if (r) r->body = std::move(body);
    return r;
}

Result<HttpResponse> HttpClient::download(const HttpRequest& request, const std::filesystem::path& file,
                                          const std::string& if_range, ProgressFn progress,
                                          const std::atomic<bool>* cancel) {
    DownloadOptions o;
    o.if_range = if_range;
    o.progress = std::move(progress);
    o.cancel = cancel;
    return download(request, file, o);
}

Result<HttpResponse> HttpClient::download(const HttpRequest& request, const std::filesystem::path& file,
                                          const DownloadOptions& opt) {
    std::error_code ec;
    uint64_t have = std::filesystem::exists(file, ec) ? std::filesystem::file_size(file, ec) : 0;
    if (ec) have = 0;
    FILE* f = std::fopen(file.c_str(), have > 0 ? "ab" : "wb");
    if (!f)
        return make_error(Domain::sync, Errc::io, "cannot open " + file.string() + " for writing: " + std::strerror(errno));
    std::setvbuf(f, nullptr, _IOFBF, 1u << 20);
    curl_slist* extra = nullptr;
    if (have > 0) {
        extra = curl_slist_append(extra, ("Range: bytes=" + std::to_string(have) + "-").c_str());
        if (!opt.if_range.empty()) extra = curl_slist_append(extra, ("If-Range: " + opt.if_range).c_str());
    }
    Transfer t;
    t.file = f;
    t.progress = opt.progress;
    t.cancel = opt.cancel;
    t.offset = have;
    t.max_bytes = opt.max_bytes;
    t.dl = &opt;
    auto r = impl_->perform(request, t, extra);
    bool ok_write = std::fflush(f) == 0 && std::ferror(f) == 0;
    std::fclose(f);
    if (!r) return r;
    if (!ok_write) return make_error(Domain::sync, Errc::io, "cannot write " + file.string());
    return r;
}

}  // namespace lasr::net
