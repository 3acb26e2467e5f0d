#include "tests/media/http_stall_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace lasr::test {

HttpStallServer::HttpStallServer(std::string body, std::vector<size_t> limits)
    : body_(std::move(body)), limits_(std::move(limits)) {
    if (limits_.empty()) limits_.push_back(kAll);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 8) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

HttpStallServer::~HttpStallServer() {
    stopping_ = true;
    char c = 'x';
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], &c, 1);
    acceptor_.join();
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& t : workers_) t.join();
    }
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
}

std::string HttpStallServer::url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void HttpStallServer::accept_loop() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        int n = requests_++;
        size_t limit = limits_[std::min<size_t>(static_cast<size_t>(n), limits_.size() - 1)];
        std::lock_guard<std::mutex> lock(mu_);
        workers_.emplace_back([this, fd, limit] { serve(fd, limit); });
    }
}

void HttpStallServer::serve(int fd, size_t limit) {
    // Read the request head.
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 || fds[1].revents) break;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
    }
    size_t from = 0;
    if (auto r = req.find("Range: bytes="); r != std::string::npos)
        from = std::strtoull(req.c_str() + r + 13, nullptr, 10);
    from = std::min(from, body_.size());
    std::string head = from > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n";
    head += "Content-Type: video/mp4\r\nAccept-Ranges: bytes\r\nConnection: close\r\n";
    head += "Content-Length: " + std::to_string(body_.size() - from) + "\r\n";
    if (from > 0)
        head += "Content-Range: bytes " + std::to_string(from) + "-" + std::to_string(body_.size() - 1) + "/" +
                std::to_string(body_.size()) + "\r\n";
    head += "\r\n";
    std::string out = head;
    size_t end = std::min(body_.size(), limit);
    if (end > from) out.append(body_, from, end - from);
    size_t sent = 0;
    while (sent < out.size() && !stopping_) {
        ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    if (end < body_.size()) {
        // Stall: keep the connection open, send nothing, until the client
        // gives up or the server stops.
        for (;;) {
            pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0 || fds[1].revents) break;
            if (::read(fd, buf, sizeof buf) <= 0) break;
        }
    }
    ::close(fd);
}

}  // namespace lasr::test
