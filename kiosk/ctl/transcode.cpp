#include "kiosk/ctl/transcode.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "kiosk/ctl/process.hpp"
#include "media/crypto.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Bump when the commands below change, so cached files are made again.
constexpr int kRecipe = 1;

std::string clock_text(double seconds) {
    auto s = static_cast<long>(std::lround(std::max(0.0, seconds)));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

// The output frame rate: the source's, or half of it above 30 fps.
std::string output_rate(const VideoInfo& info) {
    if (info.fps <= 30.5) return "";
    long num = 0, den = 1;
    if (std::sscanf(info.rate.c_str(), "%ld/%ld", &num, &den) != 2 || den <= 0) return "30";
    double half = static_cast<double>(num) / static_cast<double>(den) / 2;
    if (half > 30.5 || half < 10) return "30";
    return std::to_string(num) + "/" + std::to_string(den * 2);
}

}  // namespace

std::optional<VideoProfile> parse_video_profile(std::string_view name) {
    if (name == "h264") return VideoProfile::h264;
    if (name == "hevc") return VideoProfile::hevc;
    return std::nullopt;
}

std::string_view video_profile_name(VideoProfile p) { return p == VideoProfile::hevc ? "hevc" : "h264"; }

Result<VideoInfo> probe_video(const fs::path& file) {
    auto r = run_capture({tool_path("ffprobe"), "-v", "error", "-show_entries",
                          "stream=codec_type,codec_name,width,height,pix_fmt,avg_frame_rate:format=duration", "-of",
                          "json", file.string()});
    if (!r) return std::move(r).error();
    auto fail = [&](const std::string& why) {
        return make_error(Domain::media, Errc::unplayable, file.filename().string() + ": " + why);
    };
    if (r->status != 0) return fail("ffprobe cannot read it (not a video?)");
    json j = json::parse(r->output, nullptr, false);
    if (j.is_discarded() || !j.contains("streams") || !j["streams"].is_array()) return fail("has no video stream");
    VideoInfo info;
    bool video = false;
    for (const auto& s : j["streams"]) {
        std::string type = s.value("codec_type", "");
        if (type == "audio") info.audio = true;
        if (type != "video" || video) continue;
        // Cover art in an MOV/MP4 is a one-frame "video" stream: skip it.
        if (s.value("codec_name", "") == "mjpeg" || s.value("codec_name", "") == "png") continue;
        video = true;
        info.codec = s.value("codec_name", "");
        info.pix_fmt = s.value("pix_fmt", "");
        info.width = s.value("width", 0);
        info.height = s.value("height", 0);
        info.rate = s.value("avg_frame_rate", "0/1");
        if (auto slash = info.rate.find('/'); slash != std::string::npos) {
            double num = std::atof(info.rate.substr(0, slash).c_str()), den = std::atof(info.rate.substr(slash + 1).c_str());
            info.fps = den > 0 ? num / den : 0;
        }
    }
    if (!video) return fail("has no video stream");
    if (j.contains("format") && j["format"].contains("duration") && j["format"]["duration"].is_string())
        info.duration_s = std::round(std::atof(j["format"]["duration"].get<std::string>().c_str()) * 1000) / 1000;
    if (!(info.duration_s > 0)) return fail("has no duration");
    return info;
}

std::string policy_problem(const VideoInfo& v) {
    if (v.codec != "h264" && v.codec != "hevc")
        return "codec " + v.codec + " is not allowed (H.264, or 8-bit HEVC for Raspberry Pis)";
    if (v.pix_fmt != "yuv420p" && v.pix_fmt != "yuvj420p")
        return "pixel format " + v.pix_fmt + " is not allowed (8-bit 4:2:0 only: 10-bit HEVC drops frames on a Pi)";
    if (v.width > 1920 || v.height > 1080)
        return std::to_string(v.width) + "x" + std::to_string(v.height) + " is larger than 1920x1080";
    if (v.fps > 30.5) return "frame rate " + std::to_string(static_cast<int>(std::lround(v.fps))) + " is above 30 fps";
    return "";
}

bool fits_profile(const VideoInfo& info, VideoProfile profile) {
    return policy_problem(info).empty() && info.codec == video_profile_name(profile);
}

std::vector<std::string> transcode_command(const fs::path& in, const fs::path& out, const VideoInfo& info,
                                           VideoProfile profile) {
    std::string vf = "scale=w='min(1920,iw)':h='min(1080,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2";
    if (std::string rate = output_rate(info); !rate.empty()) vf += ",fps=" + rate;
    vf += ",format=yuv420p";
    std::vector<std::string> cmd = {tool_path("ffmpeg"), "-nostdin", "-y", "-v", "error", "-i", in.string(),
                                    "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_metadata", "-1",
                                    "-vf", vf};
    if (profile == VideoProfile::h264) {
        for (const char* a : {"-c:v", "libx264", "-preset", "medium", "-crf", "21", "-profile:v", "high", "-pix_fmt", "yuv420p"})
            cmd.emplace_back(a);
    } else {
        for (const char* a : {"-c:v", "libx265", "-preset", "medium", "-crf", "24", "-profile:v", "main", "-pix_fmt",
                              "yuv420p", "-tag:v", "hvc1", "-x265-params", "log-level=error"})
            cmd.emplace_back(a);
    }
    if (info.audio) {
        char loud[64];
        std::snprintf(loud, sizeof loud, "loudnorm=I=%g:TP=%g:LRA=11", kLoudnessTargetLufs, kTruePeakDbtp);
        for (const char* a : {"-af", static_cast<const char*>(loud), "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"}) cmd.emplace_back(a);
    } else {
        cmd.emplace_back("-an");
    }
    for (const char* a : {"-movflags", "+faststart", "-progress", "pipe:1", "-nostats", "-f", "mp4"}) cmd.emplace_back(a);
    cmd.push_back(out.string());
    return cmd;
}

fs::path default_transcode_cache() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return fs::path(xdg) / "lasr-kioskctl/transcode";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".cache/lasr-kioskctl/transcode";
}

Result<Transcoded> transcode_video(const fs::path& in, const VideoInfo& info, const TranscodeOptions& opt,
                                   const std::string& label, std::ostream& progress) {
    fs::path dir = opt.cache_dir.empty() ? default_transcode_cache() : opt.cache_dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return make_error(Domain::media, Errc::io, "cannot create the transcode cache " + dir.string() + ": " + ec.message());
    auto sha = crypto::sha256_file(in);
    if (!sha) return std::move(sha).error();
    std::string name = *sha + "-" + std::string(video_profile_name(opt.profile)) + "-r" + std::to_string(kRecipe);
    fs::path out = dir / (name + ".mp4");
    if (fs::exists(out, ec) && fs::file_size(out, ec) > 0) {
        progress << "transcode " << label << ": cache hit " << out.filename().string() << std::endl;
        return Transcoded{out, true, 0};
    }
    fs::path part = dir / (name + ".part");
    fs::path log = dir / (name + ".log");
    fs::remove(log, ec);
    auto t0 = std::chrono::steady_clock::now();
    int last_step = -1;
    bool bar_drawn = false;
    progress << "transcode " << label << ": " << info.width << "x" << info.height << " " << info.codec << " "
             << info.pix_fmt << " " << std::lround(info.fps) << " fps -> " << video_profile_name(opt.profile)
             << (info.audio ? " (sound to " + std::to_string(static_cast<int>(kLoudnessTargetLufs)) + " LUFS)" : " (no sound)")
             << std::endl;
    auto on_line = [&](std::string_view line) {
        if (line.rfind("out_time_us=", 0) != 0) return;
        double us = std::atof(std::string(line.substr(12)).c_str());
        if (!(us > 0) || !(info.duration_s > 0)) return;
        double frac = std::min(1.0, us / 1e6 / info.duration_s);
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double left = frac > 0.01 ? elapsed * (1 - frac) / frac : 0;
        int pct = static_cast<int>(frac * 100);
        if (opt.terminal) {
            int filled = pct / 5;
            progress << "\r  " << label << " [" << std::string(static_cast<size_t>(filled), '#')
                     << std::string(static_cast<size_t>(20 - filled), '-') << "] " << pct << "%  " << clock_text(left)
                     << " left   " << std::flush;
            bar_drawn = true;
        } else if (pct / 10 > last_step) {
            last_step = pct / 10;
            progress << "transcode " << label << ": " << pct << "% (" << clock_text(left) << " left)" << std::endl;
        }
    };
    auto rc = run_lines(transcode_command(in, part, info, opt.profile), on_line, log);
    if (bar_drawn && rc && *rc == 0) progress << "\r  " << label << " [" << std::string(20, '#') << "] 100%             ";
    if (bar_drawn) progress << "\n";
    if (!rc) return std::move(rc).error();
    if (*rc != 0) {
        fs::remove(part, ec);
        return make_error(Domain::media, Errc::internal,
                          "ffmpeg could not convert " + in.filename().string() + " (" + tail_lines(log) + ")");
    }
    fs::rename(part, out, ec);
    if (ec) return make_error(Domain::media, Errc::io, "cannot rename " + part.string() + ": " + ec.message());
    fs::remove(log, ec);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress << "transcode " << label << ": done in " << clock_text(secs) << std::endl;
    return Transcoded{out, false, secs};
}

}  // namespace lasr::ctl
