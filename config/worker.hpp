// The one background worker: network and disk-heavy jobs run here, in order,
// never on the UI thread. Results come back as closures queued for the UI
// thread, which runs them in drain() after a wakeup.
//
// Thread rules: post() from any thread; a job runs on the worker thread and
// must not touch GL or ImGui; complete() is for jobs (any thread); drain()
// only on the thread that owns the results (the UI thread). The wakeup is
// called from the worker thread and must only signal (glfwPostEmptyEvent).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace lasr {

// Puts the calling thread (only it) at nice +10: background work that must
// not take the CPU from the UI thread or from video on a 2-core board (the
// scheduler lets a woken thread of equal weight run first). `who` names the
// thread in the debug line logged if the kernel refuses.
void lower_this_thread_priority(const char* who);

class Worker {
public:
    using Job = std::function<void(const std::atomic<bool>& stopping)>;

    explicit Worker(std::function<void()> wakeup = {});
    // Asks the running job to stop (it sees `stopping`), drops queued jobs
    // and joins. Completions not yet drained are dropped.
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void post(Job job);
    // Queues a closure for the UI thread and wakes it.
    void complete(std::function<void()> on_ui_thread);
    // Runs the queued completions; returns how many ran.
    int drain();
    // Jobs queued or running.
    size_t pending() const;

private:
    void run();

    std::function<void()> wakeup_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::deque<std::function<void()>> done_;
    std::atomic<bool> stopping_{false};
    bool busy_ = false;
    std::thread thread_;
};

}  // namespace lasr
