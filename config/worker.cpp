#include "config/worker.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "config/log.hpp"

namespace lasr {

void lower_this_thread_priority(const char* who) {
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10) != 0)
        log::debug("main", std::string(who) + "_nice_failed " + std::strerror(errno));
}

Worker::Worker(std::function<void()> wakeup) : wakeup_(std::move(wakeup)), thread_([this] { run(); }) {}

Worker::~Worker() {
    {
        std::lock_guard lock(mu_);
        stopping_.store(true);
        jobs_.clear();
    }
    cv_.notify_all();
    thread_.join();
}

void Worker::post(Job job) {
    {
        std::lock_guard lock(mu_);
        if (stopping_.load()) return;
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
}

void Worker::complete(std::function<void()> fn) {
    {
        std::lock_guard lock(mu_);
        done_.push_back(std::move(fn));
    }
    if (wakeup_) wakeup_();
}

int Worker::drain() {
    std::deque<std::function<void()>> ready;
    {
        std::lock_guard lock(mu_);
        ready.swap(done_);
    }
    for (auto& fn : ready) fn();
    return static_cast<int>(ready.size());
}

size_t Worker::pending() const {
    std::lock_guard lock(mu_);
    return jobs_.size() + (busy_ ? 1 : 0);
}

void Worker::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_.load() || !jobs_.empty(); });
            if (stopping_.load()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            busy_ = true;
        }
        job(stopping_);
        std::lock_guard lock(mu_);
        busy_ = false;
    }
}

}  // namespace lasr
