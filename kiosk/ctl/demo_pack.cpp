#include "kiosk/ctl/demo_pack.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "kiosk/ctl/captions.hpp"
#include "kiosk/ctl/demo_source.hpp"
#include "kiosk/ctl/fs_util.hpp"
#include "kiosk/ctl/process.hpp"
#include "kiosk/ctl/text_layout.hpp"
#include "kiosk/ctl/title_card.hpp"
#include "media/content_pack.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What a pack directory may hold; nothing else is ever deleted or replaced.
const std::set<std::string> kPackDirs = {"media", "captions", "transcripts", "thumbs"};

bool is_pack_entry(const std::string& name) {
    return kPackDirs.count(name) || name == kManifestName || name == kSignatureName ||
           name.rfind(std::string(kManifestName) + ".tmp-", 0) == 0;
}

Error io_error(const std::string& msg) { return make_error(Domain::content, Errc::io, msg); }

std::string utc_now_rfc3339() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// ": <the last lines of the tool's log>", or nothing when it said nothing.
std::string quoted_log(const fs::path& log) {
    std::string tail = tail_lines(log);
    return tail.empty() ? std::string() : ": " + tail;
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Makes `out` ready to receive a fresh pack: refuses foreign content,
// removes an old manifest first (so nothing looks complete while files
// change), then clears and recreates the pack's own folders.
Status prepare_dir(const fs::path& out) {
    std::error_code ec;
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec)) return io_error(out.string() + " exists and is not a directory");
        for (const auto& entry : fs::directory_iterator(out, ec)) {
            std::string name = entry.path().filename().string();
            if (!is_pack_entry(name))
                return make_error(Domain::content, Errc::invalid_argument,
                                  out.string() + " is not empty and does not look like a content pack (it holds \"" +
                                      name + "\"); give an empty or new directory");
        }
        if (ec) return io_error("cannot list " + out.string() + ": " + ec.message());
        for (const auto& entry : fs::directory_iterator(out, ec)) {
            std::string name = entry.path().filename().string();
            if (!kPackDirs.count(name) && fs::is_regular_file(entry.symlink_status())) fs::remove(entry.path(), ec);
            if (ec) return io_error("cannot remove " + entry.path().string() + ": " + ec.message());
        }
        LASR_TRY(fsync_path(out));
        for (const auto& d : kPackDirs) {
            fs::remove_all(out / d, ec);
            if (ec) return io_error("cannot clear " + (out / d).string() + ": " + ec.message());
        }
    }
    for (const auto& d : kPackDirs) {
        fs::create_directories(out / d, ec);
        if (ec) return io_error("cannot create " + (out / d).string() + ": " + ec.message());
    }
    return {};
}

Result<double> probe_duration(const fs::path& file, const fs::path& log) {
    auto r = run_capture({tool_path("ffprobe"), "-v", "error", "-show_entries", "format=duration", "-of",
                          "default=noprint_wrappers=1:nokey=1", file.string()},
                         log);
    if (!r) return std::move(r).error();
    if (r->status != 0)
        return make_error(Domain::media, Errc::unplayable,
                          "ffprobe failed on " + file.string() + " (exit status " + std::to_string(r->status) + ")" +
                              quoted_log(log));
    std::string s = r->output;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size() || !(d > 0))
        return make_error(Domain::media, Errc::unplayable, "ffprobe gave no duration for " + file.string() + " (\"" + s + "\")");
    return d;
}

struct Job {
    const DemoCourse* course = nullptr;
    const DemoVideo* video = nullptr;
    size_t course_no = 0;  // 1-based
    size_t video_no = 0;   // 1-based within the course
    double duration_s = 0;  // measured after encoding
};

class Builder {
public:
    Builder(const DemoPackOptions& opt, const DemoSource& src, Fonts fonts, fs::path logs, std::ostream& progress)
        : opt_(opt), src_(src), fonts_(std::move(fonts)), logs_(std::move(logs)), progress_(progress) {}

    Status run(std::vector<Job>& jobs) {
        total_ = jobs.size();
        std::atomic<size_t> next{0};
        auto worker = [&] {
            for (;;) {
                if (failed_.load()) return;
                size_t i = next.fetch_add(1);
                if (i >= jobs.size()) return;
                if (auto st = make_video(jobs[i]); !st) {
                    std::lock_guard lock(mu_);
                    if (!failed_.exchange(true)) error_ = std::move(st).error();
                    return;
                }
            }
        };
        size_t n = static_cast<size_t>(std::max(1, opt_.jobs));
        std::vector<std::thread> threads;
        for (size_t t = 0; t < std::min(n, jobs.size()); ++t) threads.emplace_back(worker);
        for (auto& t : threads) t.join();
        if (failed_.load()) return error_;
        return {};
    }

private:
    Status make_video(Job& job) {
        const DemoVideo& v = *job.video;
        const DemoCourse& c = *job.course;
        auto t0 = Clock::now();

        // Captions and transcripts, one per language, on a shared timing.
        std::vector<size_t> weights;
        const auto& first = v.cues.at(src_.languages.front());
        for (size_t i = 0; i < first.size(); ++i) {
            size_t sum = 0;
            for (const auto& l : src_.languages) sum += utf8_length(v.cues.at(l)[i]);
            weights.push_back(sum / src_.languages.size());
        }
        auto times = spread_cues(weights, v.duration_s);
        for (const auto& lang : src_.languages) {
            std::vector<Cue> cues;
            const auto& texts = v.cues.at(lang);
            for (size_t i = 0; i < texts.size(); ++i) cues.push_back({times[i].start, times[i].end, texts[i]});
            LASR_TRY(write_file_synced(opt_.out / ("captions/" + v.id + "." + lang + ".vtt"), to_webvtt(cues)));
            LASR_TRY(write_file_synced(opt_.out / ("transcripts/" + v.id + "." + lang + ".txt"),
                                       to_transcript(v.title.get(lang), cues)));
        }

        // The title card.
        TitleCard card;
        card.eyebrow = "Course " + std::to_string(job.course_no) + "  \xC2\xB7  " + c.title.get(src_.languages.front());
        card.title = v.title.get(src_.languages.front());
        if (src_.languages.size() > 1) card.subtitle = v.title.get(src_.languages[1]);
        card.footer = "Libraries as Second Responders  \xC2\xB7  Video " + std::to_string(job.video_no) + " of " +
                      std::to_string(c.videos.size());
        card.color_a = c.color_a;
        card.color_b = c.color_b;
        card.tone_hz = c.tone_hz;
        card.duration_s = v.duration_s;
        card.width = opt_.quick ? 640 : 1280;
        card.height = opt_.quick ? 360 : 720;
        card.variation = static_cast<int>(job.video_no);

        const fs::path mp4 = opt_.out / ("media/" + v.id + ".mp4");
        const fs::path log = logs_ / (v.id + ".log");
        auto rc = run_process(title_card_command(card, fonts_, mp4, tool_path("ffmpeg")), log);
        if (!rc) {
            Error e = std::move(rc).error();
            e.message = "video " + v.id + ": " + e.message;
            return e;
        }
        if (*rc != 0)
            return make_error(Domain::media, Errc::internal,
                              "ffmpeg failed making video " + v.id + " (\"" + v.title.get(src_.languages.front()) + "\", exit status " +
                                  std::to_string(*rc) + ")" + quoted_log(log));

        auto dur = probe_duration(mp4, log);
        if (!dur) {
            Error e = std::move(dur).error();
            e.message = "video " + v.id + ": " + e.message;
            return e;
        }
        if (std::fabs(*dur - v.duration_s) > 0.5)
            return make_error(Domain::media, Errc::truncated,
                              "video " + v.id + " came out " + fixed(*dur, 3) + " s long, not " + fixed(v.duration_s, 3) + " s");
        job.duration_s = std::round(*dur * 1000) / 1000;

        const fs::path thumb = opt_.out / ("thumbs/" + v.id + ".jpg");
        auto trc = run_process(thumbnail_command(mp4, thumb, std::min(job.duration_s / 2, 5.0), 320, 180, tool_path("ffmpeg")), log);
        if (!trc) return std::move(trc).error();
        if (*trc != 0)
            return make_error(Domain::media, Errc::internal,
                              "ffmpeg failed making the thumbnail of video " + v.id + " (exit status " +
                                  std::to_string(*trc) + ")" + quoted_log(log));

        std::error_code ec;
        auto bytes = fs::file_size(mp4, ec);
        std::lock_guard lock(mu_);
        ++done_;
        progress_ << "video " << done_ << "/" << total_ << " id=" << v.id << " duration_s=" << fixed(job.duration_s, 3)
                  << " size=" << card.width << "x" << card.height << " bytes=" << (ec ? 0 : bytes)
                  << " encode_s=" << fixed(seconds_since(t0), 1) << " title=\"" << v.title.get(src_.languages.front()) << "\"" << std::endl;
        return {};
    }

    const DemoPackOptions& opt_;
    const DemoSource& src_;
    const Fonts fonts_;
    const fs::path logs_;
    std::ostream& progress_;
    std::mutex mu_;
    std::atomic<bool> failed_{false};
    Error error_{};
    size_t done_ = 0;
    size_t total_ = 0;
};

Result<Catalog> build_catalog(const DemoPackOptions& opt, const DemoSource& src, const std::vector<Job>& jobs) {
    Catalog cat;
    cat.info.format_version = kManifestFormatVersion;
    cat.info.library_id = src.library_id;
    cat.info.library_name = src.library_name;
    cat.info.version = 1;
    cat.info.issued = utc_now_rfc3339();
    cat.info.languages = src.languages;
    size_t j = 0;
    for (const auto& dc : src.courses) {
        Course c;
        c.id = dc.id;
        c.title = dc.title;
        c.summary = dc.summary;
        for (const auto& dv : dc.videos) {
            const Job& job = jobs[j++];
            Video v;
            v.id = dv.id;
            v.title = dv.title;
            v.summary = dv.summary;
            v.duration_s = job.duration_s;
            auto file = describe_pack_file(opt.out, "media/" + dv.id + ".mp4");
            if (!file) return std::move(file).error();
            v.file = *file;
            for (const auto& lang : src.languages) {
                auto cap = describe_pack_file(opt.out, "captions/" + dv.id + "." + lang + ".vtt");
                if (!cap) return std::move(cap).error();
                v.captions[lang] = *cap;
                auto tr = describe_pack_file(opt.out, "transcripts/" + dv.id + "." + lang + ".txt");
                if (!tr) return std::move(tr).error();
                v.transcripts[lang] = *tr;
            }
            auto th = describe_pack_file(opt.out, "thumbs/" + dv.id + ".jpg");
            if (!th) return std::move(th).error();
            v.thumbnail = *th;
            c.videos.push_back(std::move(v));
        }
        cat.courses.push_back(std::move(c));
    }
    cat.resources = src.resources;
    cat.alerts = src.alerts;
    if (!src.schedules_json.empty()) {
        auto sch = parse_schedules_json(src.schedules_json, cat);
        if (!sch) return std::move(sch).error();
        cat.schedules = std::move(*sch);
    }
    return cat;
}

// A private scratch folder for ffmpeg's logs, removed unless a job failed.
class LogDir {
public:
    LogDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lasr-demo-pack-XXXXXX";
        if (char* made = ::mkdtemp(tmpl.data())) path_ = made;
    }
    ~LogDir() {
        if (!keep_ && !path_.empty()) {
            std::error_code ec;
            fs::remove_all(path_, ec);
        }
    }
    LogDir(const LogDir&) = delete;
    LogDir& operator=(const LogDir&) = delete;
    const fs::path& path() const { return path_; }
    void keep() { keep_ = true; }

private:
    fs::path path_;
    bool keep_ = false;
};

}  // namespace

Result<DemoPackReport> make_demo_pack(const DemoPackOptions& opt, std::ostream& progress) {
    const auto t0 = Clock::now();
    DemoPackReport report;

    if (!opt.force) {
        std::error_code ec;
        if (fs::exists(opt.out / kManifestName, ec)) {
            auto pack = ContentPack::open(opt.out);
            if (pack) {
                const Catalog& cat = (*pack)->catalog();
                report.already_there = true;
                report.courses = cat.courses.size();
                for (const auto& c : cat.courses) report.videos += c.videos.size();
                report.resources = cat.resources.size();
                for (const auto& f : cat.all_files()) report.bytes += f.size;
                report.bytes += fs::file_size(opt.out / kManifestName, ec);
                report.seconds = seconds_since(t0);
                return report;
            }
            progress << "demo-pack: " << opt.out.string() << " holds an unusable pack, rebuilding it ("
                     << pack.error().describe() << ")" << std::endl;
        }
    }

    auto src = load_demo_source(opt.source);
    if (!src) return std::move(src).error();
    auto fonts = find_fonts();
    if (!fonts) return std::move(fonts).error();
    LASR_TRY(prepare_dir(opt.out));
    LogDir logs;
    if (logs.path().empty()) return io_error("cannot create a scratch folder for ffmpeg logs under $TMPDIR");

    std::vector<Job> jobs;
    for (size_t ci = 0; ci < src->courses.size(); ++ci) {
        const auto& c = src->courses[ci];
        for (size_t vi = 0; vi < c.videos.size(); ++vi) jobs.push_back({&c, &c.videos[vi], ci + 1, vi + 1, 0});
    }
    progress << "demo-pack: making " << jobs.size() << " videos (" << (opt.quick ? "640x360" : "1280x720") << ", "
             << std::max(1, opt.jobs) << " at a time) in " << opt.out.string() << std::endl;
    Builder builder(opt, *src, *fonts, logs.path(), progress);
    if (auto st = builder.run(jobs); !st) {
        logs.keep();
        Error e = std::move(st).error();
        e.message += " (ffmpeg logs: " + logs.path().string() + "; no manifest was written)";
        return e;
    }

    auto cat = build_catalog(opt, *src, jobs);
    if (!cat) return std::move(cat).error();

    // Everything the manifest names is on disk before the manifest is.
    for (const auto& d : kPackDirs) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(opt.out / d, ec)) LASR_TRY(fsync_path(entry.path()));
        if (ec) return io_error("cannot list " + (opt.out / d).string() + ": " + ec.message());
        LASR_TRY(fsync_path(opt.out / d));
    }
    std::string manifest = write_manifest(*cat);
    if (auto check = parse_manifest(manifest); !check)
        return make_error(Domain::content, Errc::internal, "the generated manifest does not read back: " + check.error().message);
    LASR_TRY(write_file_atomic(opt.out / kManifestName, manifest));

    report.courses = cat->courses.size();
    report.videos = jobs.size();
    report.resources = cat->resources.size();
    for (const auto& f : cat->all_files()) report.bytes += f.size;
    report.bytes += manifest.size();
    report.seconds = seconds_since(t0);
    return report;
}

}  // namespace lasr::ctl
