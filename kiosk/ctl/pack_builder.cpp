#include "kiosk/ctl/pack_builder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <set>

#include "kiosk/ctl/process.hpp"
#include "kiosk/ctl/title_card.hpp"
#include "media/content_store.hpp"
#include "media/durable.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

Error bad_source(const std::string& where, const std::string& what) {
    return make_error(Domain::content, Errc::validation, "pack.json " + where + ": " + what);
}

std::string extension_of(const fs::path& p) {
    std::string ext = p.extension().string();
    if (!ext.empty()) ext.erase(0, 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = !ext.empty() && ext.size() <= 5;
    for (char c : ext) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    return ok ? ext : "bin";
}

// Copies the files a pack names into out/files/<sha256>.<ext>.
class FileSink {
public:
    explicit FileSink(fs::path out) : out_(std::move(out)) {}

    Result<json> add(const fs::path& src, const std::string& where) {
        struct stat sb {};
        if (::lstat(src.c_str(), &sb) != 0) return bad_source(where, src.string() + " does not exist");
        if (!S_ISREG(sb.st_mode)) return bad_source(where, src.string() + " is not a plain file (symlink or device?)");
        if (sb.st_size == 0) return bad_source(where, src.string() + " is empty");
        auto sha = crypto::sha256_file(src);
        if (!sha) return std::move(sha).error();
        std::string rel = "files/" + *sha + "." + extension_of(src);
        fs::path dest = out_ / rel;
        std::error_code ec;
        if (!(fs::exists(dest, ec) && fs::file_size(dest, ec) == static_cast<uint64_t>(sb.st_size))) {
            fs::path tmp = dest;
            tmp += ".tmp";
            fs::copy_file(src, tmp, fs::copy_options::overwrite_existing, ec);
            if (ec) return make_error(Domain::content, Errc::io, "cannot copy " + src.string() + ": " + ec.message());
            LASR_TRY(fsync_path(tmp));
            fs::rename(tmp, dest, ec);
            if (ec) return make_error(Domain::content, Errc::io, "cannot rename " + dest.string() + ": " + ec.message());
        }
        if (seen_.insert(rel).second) {
            ++files_;
            bytes_ += static_cast<uint64_t>(sb.st_size);
        }
        return json{{"path", rel}, {"sha256", *sha}, {"size", static_cast<uint64_t>(sb.st_size)}};
    }
    size_t files() const { return files_; }
    uint64_t bytes() const { return bytes_; }

private:
    fs::path out_;
    std::set<std::string> seen_;
    size_t files_ = 0;
    uint64_t bytes_ = 0;
};

// A source path from pack.json: relative, inside SRC, sane.
Result<fs::path> source_path(const fs::path& src, const json& v, const std::string& where) {
    if (!v.is_string()) return bad_source(where, "must be a path (a string)");
    std::string rel = v.get<std::string>();
    if (auto st = check_pack_path(rel); !st) return bad_source(where, st.error().message);
    return src / rel;
}

Status prepare_out(const fs::path& out) {
    std::error_code ec;
    if (fs::exists(out, ec)) {
        for (const auto& e : fs::directory_iterator(out, ec)) {
            std::string n = e.path().filename().string();
            if (n != "files" && n != kManifestName && n != kSignatureName && n.find(".tmp-") == std::string::npos)
                return make_error(Domain::content, Errc::invalid_argument,
                                  out.string() + " holds \"" + n + "\": give an empty folder or an earlier pack's");
        }
    }
    fs::create_directories(out / "files", ec);
    if (ec) return make_error(Domain::content, Errc::io, "cannot create " + (out / "files").string() + ": " + ec.message());
    return {};
}

}  // namespace

Result<double> check_video_policy(const fs::path& file) {
    auto r = run_capture({tool_path("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,pix_fmt,avg_frame_rate:format=duration", "-of", "json",
                          file.string()});
    if (!r) return std::move(r).error();
    auto fail = [&](const std::string& why) {
        return make_error(Domain::media, Errc::unplayable, file.filename().string() + ": " + why);
    };
    if (r->status != 0) return fail("ffprobe cannot read it (not a video?)");
    json j = json::parse(r->output, nullptr, false);
    if (j.is_discarded() || !j.contains("streams") || !j["streams"].is_array() || j["streams"].empty())
        return fail("has no video stream");
    const json& s = j["streams"][0];
    std::string codec = s.value("codec_name", "");
    std::string pix = s.value("pix_fmt", "");
    int w = s.value("width", 0), h = s.value("height", 0);
    std::string rate = s.value("avg_frame_rate", "0/1");
    double fps = 0;
    if (auto slash = rate.find('/'); slash != std::string::npos) {
        double num = std::atof(rate.substr(0, slash).c_str()), den = std::atof(rate.substr(slash + 1).c_str());
        fps = den > 0 ? num / den : 0;
    }
    if (codec != "h264" && codec != "hevc")
        return fail("codec " + codec + " is not allowed (H.264, or 8-bit HEVC for Raspberry Pis)");
    if (pix != "yuv420p" && pix != "yuvj420p")
        return fail("pixel format " + pix + " is not allowed (8-bit 4:2:0 only: 10-bit HEVC drops frames on a Pi)");
    if (w > 1920 || h > 1080) return fail(std::to_string(w) + "x" + std::to_string(h) + " is larger than 1920x1080");
    if (fps > 30.5) return fail("frame rate " + std::to_string(static_cast<int>(std::lround(fps))) + " is above 30 fps");
    double dur = 0;
    if (j.contains("format") && j["format"].contains("duration"))
        dur = std::atof(j["format"]["duration"].get<std::string>().c_str());
    if (!(dur > 0)) return fail("has no duration");
    return std::round(dur * 1000) / 1000;
}

Result<crypto::SecretKey> load_secret_key(const fs::path& file) {
    auto text = read_file_limited(file, 4096);
    if (!text) return std::move(text).error();
    const char* pw = std::getenv("LASR_KEY_PASSWORD");
    auto k = crypto::parse_secret_key(*text, pw ? pw : "");
    if (!k) {
        Error e = std::move(k).error();
        e.message = file.string() + ": " + e.message;
        return e;
    }
    return k;
}

std::string sign_manifest(const std::string& manifest, const std::string& library_id, uint64_t version,
                          const crypto::SecretKey& key) {
    crypto::SignOptions so;
    so.trusted_comment = "lasr-pack library:" + library_id + " version:" + std::to_string(version) +
                         " signed:" + rfc3339_utc(std::time(nullptr));
    so.untrusted_comment = "signature from lasr-kioskctl secret key " + key.public_key().id_hex();
    return crypto::sign(manifest, key, so);
}

Result<PackReport> build_pack(const PackOptions& opt, std::ostream& progress) {
    auto text = read_file_limited(opt.source / "pack.json", kMaxManifestBytes);
    if (!text) return std::move(text).error();
    json root = json::parse(*text, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(Domain::content, Errc::parse, (opt.source / "pack.json").string() + " is not a JSON object");
    LASR_TRY(prepare_out(opt.out));
    FileSink sink(opt.out);
    PackReport report;

    // Scratch space for generated thumbnails.
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/lasr-pack-XXXXXX";
    if (!::mkdtemp(tmpl.data())) return make_error(Domain::content, Errc::io, "cannot create a scratch folder");
    fs::path scratch = tmpl;
    struct Cleanup {
        fs::path p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } cleanup{scratch};

    if (!root.contains("courses") || !root["courses"].is_array()) return bad_source("courses", "must be a list");
    size_t ci = 0;
    for (json& course : root["courses"]) {
        std::string cw = "courses[" + std::to_string(ci++) + "]";
        if (!course.is_object() || !course.contains("videos") || !course["videos"].is_array())
            return bad_source(cw, "needs a list of videos");
        size_t vi = 0;
        for (json& v : course["videos"]) {
            std::string w = cw + ".videos[" + std::to_string(vi++) + "]";
            if (!v.is_object()) return bad_source(w, "must be an object");
            std::string id = v.value("id", "?");
            auto file = source_path(opt.source, v.value("file", json()), w + ".file");
            if (!file) return std::move(file).error();
            auto dur = check_video_policy(*file);
            if (!dur) {
                Error e = std::move(dur).error();
                e.message = "video " + id + ": " + e.message;
                return e;
            }
            auto ref = sink.add(*file, w + ".file");
            if (!ref) return std::move(ref).error();
            v["file"] = *ref;
            v["duration_s"] = *dur;
            bool waived = v.value("no_captions", false);
            v.erase("no_captions");
            if (!waived && (!v.contains("captions") || !v["captions"].is_object() || v["captions"].empty()))
                return bad_source(w, "video " + id +
                                         " has no captions: add a WebVTT file per language, or \"no_captions\": true "
                                         "for a video without speech");
            for (const char* kind : {"captions", "transcripts"}) {
                if (!v.contains(kind)) continue;
                if (!v[kind].is_object()) return bad_source(w + "." + kind, "must map languages to paths");
                for (auto& [lang, p] : v[kind].items()) {
                    auto f = source_path(opt.source, p, w + "." + kind + "." + lang);
                    if (!f) return std::move(f).error();
                    if (std::string_view(kind) == "captions") {
                        auto vtt = read_file_limited(*f, kMaxCaptionBytes);
                        if (!vtt) return std::move(vtt).error();
                        if (auto st = check_webvtt(*vtt); !st)
                            return bad_source(w + ".captions." + lang, f->string() + ": " + st.error().message);
                    }
                    auto r = sink.add(*f, w + "." + kind + "." + lang);
                    if (!r) return std::move(r).error();
                    p = *r;
                }
            }
            fs::path thumb;
            if (v.contains("thumbnail")) {
                auto t = source_path(opt.source, v["thumbnail"], w + ".thumbnail");
                if (!t) return std::move(t).error();
                thumb = *t;
            } else {
                thumb = scratch / (std::to_string(report.videos) + ".jpg");
                auto rc = run_process(thumbnail_command(*file, thumb, std::min(*dur / 2, 5.0), 320, 180, tool_path("ffmpeg")));
                if (!rc || *rc != 0)
                    return make_error(Domain::media, Errc::internal, "ffmpeg could not make a thumbnail for video " + id);
            }
            auto tr = sink.add(thumb, w + ".thumbnail");
            if (!tr) return std::move(tr).error();
            v["thumbnail"] = *tr;
            ++report.videos;
            progress << "video " << id << " duration_s=" << *dur << " ok" << std::endl;
        }
    }
    root["format"] = "lasr-pack";
    root["format_version"] = kManifestFormatVersion;
    if (opt.version) root["version"] = opt.version;
    if (!opt.expires.empty()) root["expires"] = opt.expires;
    root["issued"] = rfc3339_utc(std::time(nullptr));
    auto cat = parse_manifest(root.dump());
    if (!cat) {
        Error e = std::move(cat).error();
        e.message = "the pack would not be valid: " + e.message;
        return e;
    }
    if (cat->info.version == 0) return bad_source("version", "must be 1 or more (or give --version)");
    std::string manifest = write_manifest(*cat);
    std::string sig = sign_manifest(manifest, cat->info.library_id, cat->info.version, opt.key);
    LASR_TRY(fsync_path(opt.out / "files"));
    LASR_TRY(write_file_atomic(opt.out / kSignatureName, sig));
    LASR_TRY(write_file_atomic(opt.out / kManifestName, manifest));
    report.version = cat->info.version;
    report.files = sink.files();
    report.bytes = sink.bytes();
    report.key_id = opt.key.public_key().id_hex();
    return report;
}

}  // namespace lasr::ctl
