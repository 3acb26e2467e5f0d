#include "kiosk/usage/usage_writer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "config/log.hpp"
#include "config/worker.hpp"

namespace lasr {

namespace usage_detail {

struct PlayStarted {
    UsageWriter::PlayToken token;
    std::string video_id, course_id;
    double duration_s;
};
struct PlayEvent {
    UsageWriter::PlayToken token;
    EventKind kind;
    double position_s, from_s;
};
struct PlayProgress {
    UsageWriter::PlayToken token;
    double position_s;
};
struct PlayEnded {
    UsageWriter::PlayToken token;
    double position_s;
    PlayOutcome outcome;
};
struct BeginSession {};
struct EndSession {};
struct Record {
    UsageEvent event;
};
struct Heartbeat {
    // Behind a pointer: a Health is ~10 strings, and every queued op would
    // otherwise be that size.
    std::unique_ptr<xapi::Health> health;
    std::chrono::system_clock::time_point wall;
};
// Events the full queue could not take: counted here, one op at the back
// carrying the newest of their tickets, so they are written off (logged and
// noted) exactly when their place in the queue comes, or counted as lost.
struct Overflow {
    int64_t count;
};

struct Op {
    int64_t ticket = 0;
    std::variant<PlayStarted, PlayEvent, PlayProgress, PlayEnded, BeginSession, EndSession, Record, Heartbeat, Overflow>
        what;
};

}  // namespace usage_detail

using usage_detail::Op;

namespace {

// The queue's ticket, in a file mapped into memory: "LASRUQ1\0" then the last
// ticket handed out (int64, host order: the file never leaves this machine).
class TicketFile {
public:
    static constexpr char kMagic[8] = {'L', 'A', 'S', 'R', 'U', 'Q', '1', '\0'};
    static constexpr size_t kSize = 16;

    TicketFile() = default;
    TicketFile(const TicketFile&) = delete;
    TicketFile& operator=(const TicketFile&) = delete;
    ~TicketFile() {
        if (map_) ::munmap(map_, kSize);
    }

    // Maps the file, making it if needed. `previous` gets the ticket it held
    // (nullopt: a new file, or one not ours). Errors: io, naming the file.
    Status open(const std::filesystem::path& path, std::optional<int64_t>& previous) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return make_error(Domain::usage, Errc::io, path.string() + ": " + std::strerror(errno));
        struct stat st {};
        bool ours = false;
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == static_cast<off_t>(kSize)) ours = true;
        else if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd);
            return make_error(Domain::usage, Errc::io, path.string() + ": not a regular file");
        }
        if (!ours && ::ftruncate(fd, static_cast<off_t>(kSize)) != 0) {
            const int e = errno;
            ::close(fd);
            return make_error(Domain::usage, Errc::io, path.string() + ": " + std::strerror(e));
        }
        void* m = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        const int e = errno;
        ::close(fd);
        if (m == MAP_FAILED) return make_error(Domain::usage, Errc::io, path.string() + ": mmap: " + std::strerror(e));
        map_ = static_cast<unsigned char*>(m);
        if (ours && std::memcmp(map_, kMagic, sizeof kMagic) == 0) {
            int64_t v = 0;
            std::memcpy(&v, map_ + 8, sizeof v);
            if (v >= 0) previous = v;
        }
        std::memcpy(map_, kMagic, sizeof kMagic);
        return {};
    }

    bool mapped() const { return map_ != nullptr; }

    // A plain store to shared memory: the kernel writes it back.
    void set(int64_t ticket) {
        if (!map_) return;
        std::atomic_ref<int64_t>(*reinterpret_cast<int64_t*>(map_ + 8)).store(ticket, std::memory_order_relaxed);
    }

private:
    unsigned char* map_ = nullptr;  // page-aligned by mmap, so +8 is aligned for int64
};

}  // namespace

struct UsageWriter::Impl {
    UsageLog& log;
    UsageWriterOptions options;
    TicketFile tickets;

    mutable std::mutex mu;
    std::condition_variable wake;     // the writer: work, or stop
    std::condition_variable written;  // flush(): the writer got further
    // Two vectors swapped between the threads: the UI thread appends to
    // `queue`, the writer takes it whole and hands back its emptied batch,
    // so in the steady state a call allocates nothing.
    std::vector<Op> queue;            // under mu
    int64_t next_ticket = 0;          // the last handed out (UI thread, under mu)
    int64_t done_ticket = 0;          // the last the writer finished (under mu)
    bool stop = false;                // under mu
    Counts counts;                    // under mu

    // The writer thread's own.
    std::unordered_map<PlayToken, int64_t> plays;  // token -> the log's play id
    std::thread thread;

    explicit Impl(UsageLog& l, UsageWriterOptions o) : log(l), options(std::move(o)) {}

    void run();
    // True when the event's own transaction carried its ticket; false when
    // there was nothing to write (an end with no session open, a play whose
    // start failed and was logged).
    Result<bool> apply(Op& op);
};

Result<std::unique_ptr<UsageWriter>> UsageWriter::start(UsageLog& log, const UsageWriterOptions& options) {
    auto impl = std::make_unique<Impl>(log, options);
    if (impl->options.ticket_file.empty()) impl->options.ticket_file = log.path().string() + "-queued";

    auto committed = log.committed_ticket();
    if (!committed) return std::move(committed).error();

    std::optional<int64_t> queued;
    if (auto st = impl->tickets.open(impl->options.ticket_file, queued); !st) {
        log::warn("usage", "ticket_file_unavailable " + st.error().message +
                               ": events are still written, but a kill cannot be counted");
    }
    // Lost: taken by the last run (the file) but never written (the database).
    // A database no writer ever stamped is new, or was replaced: the file's
    // count is not about it.
    int64_t lost = 0;
    if (queued && committed->has_value() && *queued > **committed) lost = *queued - **committed;
    const int64_t base = std::max<int64_t>(queued.value_or(0), committed->value_or(0));
    if (lost > 0)
        log::warn("usage", "lost_events=" + std::to_string(lost) + " db=" + log.path().string() +
                               ": the kiosk had taken these events but was stopped (killed, or the power went) "
                               "before its writer committed them");
    // From here the file and the database agree, so a loss is counted once.
    // If the database takes no write now (a full disk), the writer still
    // starts: events are tried as they come, and written once there is room.
    if (auto st = log.note_ticket(base); !st) log::error(st.error());
    impl->tickets.set(base);
    impl->next_ticket = base;
    impl->done_ticket = base;
    impl->queue.reserve(256);

    std::unique_ptr<UsageWriter> w(new UsageWriter(log, std::move(impl), lost));
    Impl* raw = w->impl_.get();
    w->impl_->thread = std::thread([raw] { raw->run(); });
    return w;
}

UsageWriter::UsageWriter(UsageLog& log, std::unique_ptr<Impl> impl, int64_t lost)
    : log_(log), impl_(std::move(impl)), lost_at_start_(lost) {}

UsageWriter::~UsageWriter() {
    {
        std::lock_guard lock(impl_->mu);
        impl_->stop = true;
    }
    impl_->wake.notify_one();
    if (impl_->thread.joinable()) impl_->thread.join();
    log_.stamp_writes_with(0);
}

void UsageWriter::push(Op&& op) {
    bool wake = false;
    {
        std::lock_guard lock(impl_->mu);
        // A progress update replaces the one of the same play still waiting.
        if (auto* p = std::get_if<usage_detail::PlayProgress>(&op.what); p && !impl_->queue.empty()) {
            if (auto* last = std::get_if<usage_detail::PlayProgress>(&impl_->queue.back().what);
                last && last->token == p->token) {
                last->position_s = p->position_s;
                return;
            }
        }
        op.ticket = ++impl_->next_ticket;
        impl_->tickets.set(op.ticket);
        if (impl_->queue.size() >= impl_->options.max_queue) {
            // Dropped, but still accounted for: see Overflow.
            ++impl_->counts.dropped;
            auto* over = impl_->queue.empty() ? nullptr : std::get_if<usage_detail::Overflow>(&impl_->queue.back().what);
            if (over) {
                ++over->count;
                impl_->queue.back().ticket = op.ticket;
            } else {
                impl_->queue.push_back(Op{op.ticket, usage_detail::Overflow{1}});
            }
            return;
        }
        ++impl_->counts.queued;
        wake = impl_->queue.empty();
        impl_->queue.push_back(std::move(op));
    }
    if (wake) impl_->wake.notify_one();
}

UsageWriter::PlayToken UsageWriter::play_started(const std::string& video_id, const std::string& course_id,
                                                 double duration_s) {
    const PlayToken token = next_token_++;
    push(Op{0, usage_detail::PlayStarted{token, video_id, course_id, duration_s}});
    return token;
}

void UsageWriter::play_event(PlayToken play, EventKind kind, double position_s, double from_s) {
    push(Op{0, usage_detail::PlayEvent{play, kind, position_s, from_s}});
}

void UsageWriter::play_progress(PlayToken play, double position_s) {
    push(Op{0, usage_detail::PlayProgress{play, position_s}});
}

void UsageWriter::play_ended(PlayToken play, double position_s, PlayOutcome outcome) {
    push(Op{0, usage_detail::PlayEnded{play, position_s, outcome}});
}

void UsageWriter::begin_session() {
    session_open_ = true;
    push(Op{0, usage_detail::BeginSession{}});
}

void UsageWriter::end_session() {
    // Queued even when no session seems open: the log ignores it then, and
    // the UI's view cannot be wrong about the next patron.
    session_open_ = false;
    push(Op{0, usage_detail::EndSession{}});
}

void UsageWriter::record(const UsageEvent& event) { push(Op{0, usage_detail::Record{event}}); }

void UsageWriter::record_heartbeat(const xapi::Health& health, std::chrono::system_clock::time_point wall) {
    push(Op{0, usage_detail::Heartbeat{std::make_unique<xapi::Health>(health), wall}});
}

bool UsageWriter::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mu);
    const int64_t target = impl_->next_ticket;
    return impl_->written.wait_for(lock, timeout, [&] { return impl_->done_ticket >= target; });
}

UsageWriter::Counts UsageWriter::counts() const {
    std::lock_guard lock(impl_->mu);
    return impl_->counts;
}

Result<bool> UsageWriter::Impl::apply(Op& op) {
    using namespace usage_detail;
    return std::visit(
        [&](auto& w) -> Result<bool> {
            using T = std::decay_t<decltype(w)>;
            if constexpr (std::is_same_v<T, PlayStarted>) {
                auto id = log.play_started(w.video_id, w.course_id, w.duration_s);
                if (!id) return std::move(id).error();
                plays[w.token] = *id;
                return true;
            } else if constexpr (std::is_same_v<T, BeginSession>) {
                LASR_TRY(log.begin_session());
                return true;
            } else if constexpr (std::is_same_v<T, EndSession>) {
                if (!log.in_session()) return false;
                LASR_TRY(log.end_session());
                return true;
            } else if constexpr (std::is_same_v<T, Record>) {
                LASR_TRY(log.record(w.event));
                return true;
            } else if constexpr (std::is_same_v<T, Overflow>) {
                // The fact goes into the log (with the last dropped event's
                // ticket, so they are not counted again as lost), the count
                // into the journal and onto the admin screen.
                Status st = log.record(UsageEvent(EventKind::kiosk_error, "usage.queue_full"));
                log::error("usage", "queue_full dropped=" + std::to_string(w.count) + " max_queue=" +
                                        std::to_string(options.max_queue) + ": the usage log is not keeping up (" +
                                        log.path().string() + ")");
                if (!st) return std::move(st).error();
                return true;
            } else if constexpr (std::is_same_v<T, Heartbeat>) {
                xapi::Health& h = *w.health;
                if (auto q = log.status()) {
                    h.queue_depth = q->queued;
                    if (q->oldest_unsent_ms >= 0) {
                        const auto age = std::chrono::duration_cast<std::chrono::seconds>(
                            w.wall - std::chrono::system_clock::time_point(std::chrono::milliseconds(q->oldest_unsent_ms)));
                        h.queue_oldest_s = std::max<int64_t>(0, age.count());
                    }
                } else {
                    log::error(q.error());  // the heartbeat still goes, without the queue
                }
                LASR_TRY(log.record_heartbeat(h));
                return true;
            } else {
                // A play whose start failed (and was logged): nothing to add.
                auto it = plays.find(w.token);
                if (it == plays.end()) return false;
                if constexpr (std::is_same_v<T, PlayEvent>) {
                    LASR_TRY(log.play_event(it->second, w.kind, w.position_s, w.from_s));
                } else if constexpr (std::is_same_v<T, PlayProgress>) {
                    LASR_TRY(log.play_progress(it->second, w.position_s));
                } else {
                    const int64_t id = it->second;
                    plays.erase(it);
                    LASR_TRY(log.play_ended(id, w.position_s, w.outcome));
                }
                return true;
            }
        },
        op.what);
}

void UsageWriter::Impl::run() {
    // Background work: waking it from a UI call must not preempt the UI
    // thread on a busy machine.
    lower_this_thread_priority("usage_writer");
    std::vector<Op> batch;
    batch.reserve(256);
    for (;;) {
        {
            std::unique_lock lock(mu);
            wake.wait(lock, [&] { return stop || !queue.empty(); });
            if (queue.empty()) break;  // stop, and nothing left
            batch.swap(queue);
        }
        for (Op& op : batch) {
            log.stamp_writes_with(op.ticket);
            auto st = apply(op);
            if (!st) log::error(st.error());
            if (!st || !*st) {
                // Failed and reported here, or nothing to write: either way
                // not lost, so not to be counted as lost at the next start.
                if (auto noted = log.note_ticket(op.ticket); !noted) log::error(noted.error());
            }
            std::lock_guard lock(mu);
            if (std::holds_alternative<usage_detail::Overflow>(op.what)) {
                // Its events are counted as dropped already.
            } else if (st) {
                ++counts.committed;
            } else {
                ++counts.failed;
            }
            done_ticket = op.ticket;
        }
        batch.clear();
        written.notify_all();
    }
    written.notify_all();
}

}  // namespace lasr
