// A tiny HTTP/1.1 file server on 127.0.0.1 that can stall: for its n-th
// request it sends the file only up to a byte limit, then holds the
// connection open without sending more, the way a hung disk, network share
// or decoder input looks to a player. Honours "Range: bytes=N-".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lasr::test {

class HttpStallServer {
public:
    static constexpr size_t kAll = SIZE_MAX;
    // limits[i]: how many bytes of the file (counted from its start) the
    // i-th request may receive; the last entry applies to later requests.
    HttpStallServer(std::string body, std::vector<size_t> limits);
    ~HttpStallServer();
    HttpStallServer(const HttpStallServer&) = delete;
    HttpStallServer& operator=(const HttpStallServer&) = delete;

    std::string url(const std::string& name = "video.mp4") const;
    int requests() const { return requests_.load(); }

private:
    void accept_loop();
    void serve(int fd, size_t limit);

    std::string body_;
    std::vector<size_t> limits_;
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    int port_ = 0;
    std::atomic<int> requests_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::vector<std::thread> workers_;
    std::thread acceptor_;
};

}  // namespace lasr::test
