// Real HTTP servers on 127.0.0.1 for the network tests:
//  - Nginx: Debian's nginx, started by the test as the current user with a
//    generated config on a free port (pid, logs, temp folders in a TempDir),
//    stopped at the end. For the real Range / If-Range / ETag behaviour.
//  - FaultServer: a small scripted HTTP/1.1 server on plain sockets, for the
//    faults nginx will not produce: 404/500, time-outs, a slow drip, a
//    connection dropped mid-file, a Content-Length that lies, wrong ranges.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fixtures.hpp"

namespace lasr::test {

class Nginx {
public:
    // Serves `root` at http://127.0.0.1:<port>/. `extra` goes inside the
    // server block (e.g. "limit_rate 2m;"). nullptr (and `error` set) when it
    // would not start.
    static std::unique_ptr<Nginx> start(const std::filesystem::path& root, const std::string& extra = {},
                                        std::string* error = nullptr);
    // The same over TLS (https://127.0.0.1:<port>/) with this certificate.
    static std::unique_ptr<Nginx> start_tls(const std::filesystem::path& root, const std::filesystem::path& cert,
                                            const std::filesystem::path& key, std::string* error = nullptr);
    ~Nginx();
    Nginx(const Nginx&) = delete;
    Nginx& operator=(const Nginx&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path = "/") const;
    // Body bytes nginx sent for URIs that start with `prefix` (from its
    // access log; a request is logged when it ends, aborted ones included).
    uint64_t bytes_sent(const std::string& prefix = "/") const;
    // The access log's lines: "METHOD URI STATUS BYTES RANGE", every
    // request answered so far included (see log_barrier).
    std::vector<std::string> access_log() const;

private:
    Nginx() = default;
    // nginx writes a request's log line just after its last byte went out,
    // so a client can hold the answer before the line exists. One more
    // request, made here, is handled by the same single worker after those
    // lines are written: once its own line is there, so are theirs.
    void log_barrier() const;
    mutable int barriers_ = 0;
    TempDir dir_;
    pid_t pid_ = -1;
    int port_ = 0;
    bool tls_ = false;
};

// A private CA (dir/ca.pem) and a server certificate for 127.0.0.1 signed by
// it (dir/srv.pem, dir/srv.key), made with openssl: what Nginx::start_tls
// serves, trusted only by a client given ca.pem. Fails the test on error.
bool make_tls_cert(const std::filesystem::path& dir);

// A free TCP port on 127.0.0.1 (bound and released: good for a moment).
int free_port();
// True when something accepts connections on 127.0.0.1:port.
bool port_open(int port);

class FaultServer {
public:
    struct Request {
        std::string method;
        std::string target;                          // "/pack/manifest.json"
        std::map<std::string, std::string> headers;  // lower-case names
        std::string header(const std::string& name) const;
    };
    struct Reply {
        int status = 200;
        std::vector<std::pair<std::string, std::string>> headers;
        std::string body;
        std::optional<uint64_t> content_length;  // the header; default body.size()
        size_t drop_after = SIZE_MAX;  // close the connection after this many body bytes
        int drip_bytes_per_s = 0;      // send the body this slowly (0: at once)
        int delay_ms = 0;              // wait before answering
        bool never_answer = false;     // keep the connection open and say nothing

        static Reply of(int status, std::string body) {
            Reply r;
            r.status = status;
            r.body = std::move(body);
            return r;
        }
    };
    using Handler = std::function<Reply(const Request&)>;

    FaultServer();
    ~FaultServer();
    FaultServer(const FaultServer&) = delete;
    FaultServer& operator=(const FaultServer&) = delete;

    void set_handler(Handler h);
    int port() const { return port_; }
    std::string url(const std::string& path = "/") const;
    std::vector<Request> requests() const;
    uint64_t body_bytes_sent() const { return sent_.load(); }

    // A static file server over `files` (path -> bytes, paths without the
    // leading '/'), with strong ETags, If-None-Match (304), Range and
    // If-Range: what a good server does, for handlers to spoil selectively.
    static Reply serve(const Request& req, const std::map<std::string, std::string>& files);

private:
    void accept_loop();
    void handle(int fd);

    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> sent_{0};
    mutable std::mutex mu_;
    Handler handler_;
    std::vector<Request> log_;
    std::vector<int> open_fds_;
    std::thread acceptor_;
    std::vector<std::thread> conns_;
};

}  // namespace lasr::test
