#include "tests/support/http_servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include <gtest/gtest.h>

extern char** environ;

namespace lasr::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kLogBarrier = "/__lasr_log_barrier";

// ---- ports --------------------------------------------------------------------

bool make_tls_cert(const fs::path& d) {
    fs::create_directories(d);
    fs::path log = d / "openssl.log";
    const std::string curve = "ec_paramgen_curve:prime256v1";
    if (run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-days", "2", "-subj",
             "/CN=LASR test CA", "-keyout", (d / "ca.key").string(), "-out", (d / "ca.pem").string()},
            log) != 0 ||
        run({"openssl", "req", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
             (d / "srv.key").string(), "-out", (d / "srv.csr").string()},
            log) != 0) {
        ADD_FAILURE() << read_file(log);
        return false;
    }
    write_file(d / "ext.cnf", "subjectAltName=IP:127.0.0.1\n");
    if (run({"openssl", "x509", "-req", "-in", (d / "srv.csr").string(), "-CA", (d / "ca.pem").string(), "-CAkey",
             (d / "ca.key").string(), "-CAcreateserial", "-days", "2", "-extfile", (d / "ext.cnf").string(), "-out",
             (d / "srv.pem").string()},
            log) != 0) {
        ADD_FAILURE() << read_file(log);
        return false;
    }
    return true;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool port_open(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// ---- nginx ----------------------------------------------------------------------

std::unique_ptr<Nginx> Nginx::start_tls(const fs::path& root, const fs::path& cert, const fs::path& key,
                                        std::string* error) {
    return start(root, "ssl_certificate " + cert.string() + ";\n    ssl_certificate_key " + key.string() + ";", error);
}

std::unique_ptr<Nginx> Nginx::start(const fs::path& root, const std::string& extra, std::string* error) {
    std::unique_ptr<Nginx> n(new Nginx());
    n->tls_ = extra.find("ssl_certificate ") != std::string::npos;
    const fs::path& d = n->dir_.path();
    for (const char* sub : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) fs::create_directories(d / sub);
    for (int attempt = 0; attempt < 5; ++attempt) {
        int port = free_port();
        std::ostringstream conf;
        conf << "daemon off;\nmaster_process on;\nworker_processes 1;\n"
             << "pid " << (d / "nginx.pid").string() << ";\n"
             << "error_log " << (d / "error.log").string() << " warn;\n";
        // As root, workers would switch to "nobody", who cannot read a
        // private temp folder: keep them as the current user.
        if (::geteuid() == 0) conf << "user root root;\n";
        conf << "events { worker_connections 64; }\n"
             << "http {\n"
             << "  log_format lasr '$request_method $uri $status $body_bytes_sent \"$http_range\"';\n"
             << "  access_log " << (d / "access.log").string() << " lasr;\n"
             << "  client_body_temp_path " << (d / "client_body").string() << ";\n"
             << "  proxy_temp_path " << (d / "proxy").string() << ";\n"
             << "  fastcgi_temp_path " << (d / "fastcgi").string() << ";\n"
             << "  uwsgi_temp_path " << (d / "uwsgi").string() << ";\n"
             << "  scgi_temp_path " << (d / "scgi").string() << ";\n"
             << "  types { application/json json; video/mp4 mp4; text/vtt vtt; }\n"
             << "  default_type application/octet-stream;\n"
             << "  sendfile on;\n"
             << "  server {\n    listen 127.0.0.1:" << port << (n->tls_ ? " ssl" : "") << ";\n    root " << fs::absolute(root).string() << ";\n"
             << "    " << extra << "\n    location = " << kLogBarrier << " { return 204; }\n  }\n}\n";
        write_file(d / "nginx.conf", conf.str());
        std::vector<std::string> argv = {"nginx", "-p", d.string(), "-e", (d / "error.log").string(), "-c",
                                         (d / "nginx.conf").string()};
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        std::string out = (d / "stderr.log").string();
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        pid_t pid = -1;
        int rc = posix_spawnp(&pid, "nginx", &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            if (error) *error = "cannot run nginx (is it installed? deploy/install-deps.sh installs it)";
            return nullptr;
        }
        for (int i = 0; i < 250; ++i) {
            if (port_open(port)) {
                n->pid_ = pid;
                n->port_ = port;
                return n;
            }
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) break;  // exited (port taken?)
            std::this_thread::sleep_for(20ms);
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        if (error) *error = "nginx did not start: " + read_file(d / "error.log") + read_file(d / "stderr.log");
    }
    return nullptr;
}

Nginx::~Nginx() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGQUIT);  // graceful: the master stops its worker
    for (int i = 0; i < 250; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

std::string Nginx::url(const std::string& path) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

void Nginx::log_barrier() const {
    if (tls_) return;  // a plain request to a TLS port would not be answered
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string req = "GET " + std::string(kLogBarrier) + " HTTP/1.0\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[512];
            while (::recv(fd, buf, sizeof buf, 0) > 0) {
            }
            ++barriers_;
        }
    }
    ::close(fd);
    for (int i = 0; i < 500; ++i) {  // up to 5 s
        int seen = 0;
        std::ifstream f(dir_.path() / "access.log");
        std::string line;
        while (std::getline(f, line)) seen += line.find(kLogBarrier) != std::string::npos;
        if (seen >= barriers_) return;
        std::this_thread::sleep_for(10ms);
    }
}

std::vector<std::string> Nginx::access_log() const {
    log_barrier();
    std::vector<std::string> out;
    std::ifstream f(dir_.path() / "access.log");
    std::string line;
    while (std::getline(f, line))
        if (line.find(kLogBarrier) == std::string::npos) out.push_back(line);
    return out;
}

uint64_t Nginx::bytes_sent(const std::string& prefix) const {
    uint64_t total = 0;
    for (const auto& line : access_log()) {
        std::istringstream in(line);
        std::string method, uri;
        int status = 0;
        uint64_t bytes = 0;
        in >> method >> uri >> status >> bytes;
        if (uri.rfind(prefix, 0) == 0) total += bytes;
    }
    return total;
}

// ---- the fault server ----------------------------------------------------------

std::string FaultServer::Request::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

FaultServer::FaultServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0)
        throw std::runtime_error("FaultServer: cannot listen on 127.0.0.1");
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

FaultServer::~FaultServer() {
    stopping_.store(true);
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
        std::lock_guard lock(mu_);
        for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : conns_) t.join();
    ::close(listen_fd_);
}

void FaultServer::set_handler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
}

std::string FaultServer::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<FaultServer::Request> FaultServer::requests() const {
    std::lock_guard lock(mu_);
    return log_;
}

void FaultServer::accept_loop() {
    while (!stopping_.load()) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mu_);
        open_fds_.push_back(fd);
        conns_.emplace_back([this, fd] { handle(fd); });
    }
}

namespace {

bool send_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

const char* reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 206: return "Partial Content";
        case 304: return "Not Modified";
        case 404: return "Not Found";
        case 416: return "Range Not Satisfiable";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

}  // namespace

void FaultServer::handle(int fd) {
    // One request per connection ("Connection: close").
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos && in.size() < 65536) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            if (stopping_.load()) break;
            continue;
        }
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
    }
    Request req;
    Handler h;
    {
        std::istringstream lines(in);
        std::string line;
        std::getline(lines, line);
        std::istringstream first(line);
        first >> req.method >> req.target;
        while (std::getline(lines, line) && line != "\r" && !line.empty()) {
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
            req.headers[name] = value;
        }
        std::lock_guard lock(mu_);
        log_.push_back(req);
        h = handler_;
    }
    Reply r = h && !req.method.empty() ? h(req) : Reply::of(404, "no handler\n");
    auto wait_ms = [&](int ms) {
        for (int i = 0; i < ms / 10 && !stopping_.load(); ++i) std::this_thread::sleep_for(10ms);
    };
    if (r.never_answer) {
        while (!stopping_.load()) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) > 0) {
                ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;  // the client gave up
            }
        }
    } else {
        wait_ms(r.delay_ms);
        std::ostringstream head;
        head << "HTTP/1.1 " << r.status << " " << reason(r.status) << "\r\n";
        for (const auto& [k, v] : r.headers) head << k << ": " << v << "\r\n";
        if (r.status != 304) head << "Content-Length: " << r.content_length.value_or(r.body.size()) << "\r\n";
        head << "Connection: close\r\n\r\n";
        std::string hs = head.str();
        bool ok = send_all(fd, hs.data(), hs.size());
        size_t limit = std::min(r.body.size(), r.drop_after);
        size_t pos = 0;
        if (req.method == "HEAD") limit = 0;
        while (ok && pos < limit && !stopping_.load()) {
            size_t chunk = limit - pos;
            if (r.drip_bytes_per_s > 0) chunk = std::min<size_t>(chunk, std::max(1, r.drip_bytes_per_s / 10));
            ok = send_all(fd, r.body.data() + pos, chunk);
            if (ok) {
                pos += chunk;
                sent_ += chunk;
            }
            if (r.drip_bytes_per_s > 0) wait_ms(100);
        }
    }
    {
        std::lock_guard lock(mu_);
        for (auto it = open_fds_.begin(); it != open_fds_.end(); ++it)
            if (*it == fd) {
                open_fds_.erase(it);
                break;
            }
    }
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
}

FaultServer::Reply FaultServer::serve(const Request& req, const std::map<std::string, std::string>& files) {
    std::string path = req.target.substr(0, req.target.find('?'));
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    auto it = files.find(path);
    if (it == files.end()) return Reply::of(404, "not found\n");
    const std::string& body = it->second;
    // A strong validator derived from the content.
    std::string etag = "\"" + std::to_string(std::hash<std::string>{}(body)) + "-" + std::to_string(body.size()) + "\"";
    Reply r;
    r.headers.push_back({"ETag", etag});
    r.headers.push_back({"Accept-Ranges", "bytes"});
    if (req.header("if-none-match") == etag) {
        r.status = 304;
        return r;
    }
    std::string range = req.header("range");
    std::string if_range = req.header("if-range");
    if (!range.empty() && (if_range.empty() || if_range == etag) && range.rfind("bytes=", 0) == 0) {
        uint64_t start = std::strtoull(range.c_str() + 6, nullptr, 10);
        if (start >= body.size()) {
            r.status = 416;
            r.headers.push_back({"Content-Range", "bytes */" + std::to_string(body.size())});
            return r;
        }
        r.status = 206;
        r.headers.push_back({"Content-Range", "bytes " + std::to_string(start) + "-" + std::to_string(body.size() - 1) +
                                                  "/" + std::to_string(body.size())});
        r.body = body.substr(start);
        return r;
    }
    r.body = body;
    return r;
}

}  // namespace lasr::test
