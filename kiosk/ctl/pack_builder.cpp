#include "kiosk/ctl/pack_builder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <cstdlib>
#include <ctime>
#include <set>

#include "kiosk/ctl/caption_check.hpp"
#include "kiosk/ctl/process.hpp"
#include "kiosk/ctl/resource_import.hpp"
#include "kiosk/ctl/title_card.hpp"
#include "kiosk/ctl/transcode.hpp"
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
    auto info = probe_video(file);
    if (!info) return std::move(info).error();
    if (std::string why = policy_problem(*info); !why.empty())
        return make_error(Domain::media, Errc::unplayable, file.filename().string() + ": " + why);
    return info->duration_s;
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

namespace {

// One video as checked: where its files are and what they hold.
struct VideoPlan {
    json* v = nullptr;  // its object in pack.json
    std::string id, where;
    fs::path file;
    VideoInfo info;
    bool transcode = false;
    std::map<std::string, CaptionCheck> captions;       // language -> checked file
    std::map<std::string, fs::path> transcripts;         // language -> given file
    fs::path thumbnail;                                   // given, or empty
};

// The pack.json keys that only the builder reads.
constexpr const char* kBuilderKeys[] = {"video_profile"};

// pack.json with placeholder file references, for the manifest's own checks
// of everything else (resources, alerts, schedules) before any work is done.
json placeholder_manifest(const json& root) {
    json m = root;
    for (const char* k : kBuilderKeys) m.erase(k);
    const json ref = {{"path", "files/x"}, {"sha256", std::string(64, '0')}, {"size", 1}};
    if (m.contains("courses") && m["courses"].is_array())
        for (json& c : m["courses"]) {
            if (!c.is_object() || !c.contains("videos") || !c["videos"].is_array()) continue;
            for (json& v : c["videos"]) {
                if (!v.is_object()) continue;
                v.erase("no_captions");
                v["file"] = ref;
                v["duration_s"] = 1;
                for (const char* kind : {"captions", "transcripts"})
                    if (v.contains(kind) && v[kind].is_object())
                        for (auto& [lang, p] : v[kind].items()) p = ref;
                if (v.contains("thumbnail")) v["thumbnail"] = ref;
            }
        }
    m["format"] = "lasr-pack";
    m["format_version"] = kManifestFormatVersion;
    if (!m.contains("version")) m["version"] = 1;
    m["issued"] = rfc3339_utc(std::time(nullptr));
    return m;
}

}  // namespace

Result<PackReport> build_pack(const PackOptions& opt, std::ostream& progress) {
    const fs::path pack_json = opt.source / "pack.json";
    auto text = read_file_limited(pack_json, kMaxManifestBytes);
    if (!text) return std::move(text).error();
    json root = json::parse(*text, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(Domain::content, Errc::parse, pack_json.string() + " is not a JSON object");
    PackReport report;

    // 1. Check everything, and list every problem before doing any work.
    std::vector<std::string> problems, warnings;
    auto problem = [&](const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); };
    VideoProfile profile = VideoProfile::h264;
    {
        std::string name = opt.profile;
        if (name.empty() && root.contains("video_profile"))
            name = root["video_profile"].is_string() ? root["video_profile"].get<std::string>() : "?";
        if (!name.empty()) {
            if (auto p = parse_video_profile(name)) profile = *p;
            else problem(name == opt.profile ? "--profile" : "pack.json video_profile",
                         "\"" + name + "\" is not a profile (h264 for PCs, hevc for Raspberry Pi 5)");
        }
    }
    if (root.contains("resources") && root["resources"].is_string()) {
        // A file of resources, e.g. from `lasr-kioskctl resources import`.
        auto rf = source_path(opt.source, root["resources"], "resources");
        auto rtext = rf ? read_file_limited(*rf, kMaxManifestBytes) : Result<std::string>(rf.error());
        auto list = rtext ? parse_resources_json(*rtext, root["resources"].get<std::string>())
                          : Result<std::vector<Resource>>(rtext.error());
        if (list) root["resources"] = json::parse(resources_json(*list));
        else problems.push_back("pack.json resources: " + list.error().message);
    }
    std::vector<VideoPlan> plans;
    if (!root.contains("courses") || !root["courses"].is_array()) {
        problem("pack.json courses", "must be a list");
    } else {
        size_t ci = 0;
        for (json& course : root["courses"]) {
            std::string cw = "courses[" + std::to_string(ci++) + "]";
            if (!course.is_object() || !course.contains("videos") || !course["videos"].is_array()) {
                problem("pack.json " + cw, "needs a list of videos");
                continue;
            }
            size_t vi = 0;
            for (json& v : course["videos"]) {
                std::string w = cw + ".videos[" + std::to_string(vi++) + "]";
                if (!v.is_object()) {
                    problem("pack.json " + w, "must be an object");
                    continue;
                }
                VideoPlan plan;
                plan.v = &v;
                plan.id = v.value("id", "?");
                plan.where = "video " + plan.id + " (" + w + ")";
                auto file = source_path(opt.source, v.value("file", json()), w + ".file");
                bool have_video = false;
                if (!file) {
                    problems.push_back(file.error().message);
                } else {
                    plan.file = *file;
                    auto info = probe_video(*file);
                    if (!info) {
                        problem(plan.where, info.error().message);
                    } else {
                        plan.info = *info;
                        have_video = true;
                        if (opt.transcode) plan.transcode = !fits_profile(*info, profile);
                        else if (std::string why = policy_problem(*info); !why.empty())
                            problem(plan.where, file->filename().string() + ": " + why +
                                                    " (--transcode converts it to the pack's profile)");
                    }
                }
                bool waived = v.value("no_captions", false);
                if (!waived && (!v.contains("captions") || !v["captions"].is_object() || v["captions"].empty()))
                    problem(plan.where, "has no captions: add a WebVTT or SRT file per language, or \"no_captions\": "
                                        "true for a video without speech");
                for (const char* kind : {"captions", "transcripts"}) {
                    if (!v.contains(kind)) continue;
                    if (!v[kind].is_object()) {
                        problem("pack.json " + w + "." + kind, "must map languages to paths");
                        continue;
                    }
                    for (auto& [lang, p] : v[kind].items()) {
                        std::string at = w + "." + kind + "." + lang;
                        auto f = source_path(opt.source, p, at);
                        if (!f) {
                            problems.push_back(f.error().message);
                            continue;
                        }
                        const bool is_transcript = std::string_view(kind) == "transcripts";
                        // SRT is larger than the WebVTT made of it: twice the pack's caption limit.
                        auto bytes = read_file_limited(*f, is_transcript ? kMaxTranscriptBytes : 2 * kMaxCaptionBytes);
                        if (!bytes) {
                            problem(plan.where, bytes.error().message);
                            continue;
                        }
                        if (is_transcript) {
                            plan.transcripts[lang] = *f;
                            continue;
                        }
                        CaptionCheck cc = check_captions(*bytes, f->filename().string(),
                                                         have_video ? plan.info.duration_s : 0);
                        for (const auto& pr : cc.problems) problem(plan.where, pr);
                        // The pack's own limits on a caption file and its cues (what every kiosk checks).
                        if (cc.problems.empty()) {
                            if (cc.webvtt.size() > kMaxCaptionBytes)
                                problem(plan.where, f->filename().string() + ": more than " +
                                                        std::to_string(kMaxCaptionBytes >> 10) + " KiB as WebVTT");
                            else if (auto st = check_webvtt(cc.webvtt); !st)
                                problem(plan.where, f->filename().string() + ": " + st.error().message);
                        }
                        for (const auto& wa : cc.warnings) warnings.push_back(plan.where + ": " + wa);
                        if (cc.srt && cc.problems.empty())
                            progress << "video " << plan.id << ": " << f->filename().string()
                                     << " is SRT; converted to WebVTT" << std::endl;
                        plan.captions[lang] = std::move(cc);
                    }
                }
                if (v.contains("thumbnail")) {
                    auto t = source_path(opt.source, v["thumbnail"], w + ".thumbnail");
                    if (!t) problems.push_back(t.error().message);
                    else if (std::error_code ec; !fs::is_regular_file(*t, ec))
                        problem(plan.where, t->string() + " does not exist");
                    else plan.thumbnail = *t;
                }
                plans.push_back(std::move(plan));
            }
        }
    }
    // The rest (resources, alerts, schedules, languages) by the manifest's own rules.
    if (auto m = parse_manifest(placeholder_manifest(root).dump()); !m)
        problems.push_back("pack.json: " + m.error().message.substr(m.error().message.rfind("manifest ", 0) == 0 ? 9 : 0));
    for (const auto& w : warnings) progress << "warning: " << w << std::endl;
    report.warnings = warnings.size();
    if (!problems.empty()) {
        std::string msg = std::to_string(problems.size()) + " problem" + (problems.size() == 1 ? "" : "s") + " in " +
                          pack_json.string() + "; nothing was built:";
        for (const auto& p : problems) msg += "\n  " + p;
        return make_error(Domain::content, Errc::validation, msg);
    }

    // 2. Build.
    LASR_TRY(prepare_out(opt.out));
    FileSink sink(opt.out);
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
    TranscodeOptions topt{profile, opt.cache_dir, opt.terminal};
    size_t n = 0;
    for (VideoPlan& plan : plans) {
        json& v = *plan.v;
        std::string tag = std::to_string(n++);
        fs::path file = plan.file;
        double dur = plan.info.duration_s;
        if (plan.transcode) {
            auto t = transcode_video(plan.file, plan.info, topt, plan.id, progress);
            if (!t) {
                Error e = std::move(t).error();
                e.message = "video " + plan.id + ": " + e.message;
                return e;
            }
            ++(t->cache_hit ? report.cache_hits : report.transcoded);
            file = t->file;
            auto info = probe_video(file);
            if (!info) return std::move(info).error();
            if (std::string why = policy_problem(*info); !why.empty())
                return make_error(Domain::media, Errc::internal, "video " + plan.id + ": the converted file: " + why);
            dur = info->duration_s;
        }
        auto ref = sink.add(file, plan.where);
        if (!ref) return std::move(ref).error();
        v["file"] = *ref;
        v["duration_s"] = dur;
        v.erase("no_captions");
        for (auto& [lang, cc] : plan.captions) {
            fs::path out = scratch / (tag + "." + lang + ".vtt");
            LASR_TRY(write_file_atomic(out, cc.webvtt));
            auto r = sink.add(out, plan.where + " captions " + lang);
            if (!r) return std::move(r).error();
            v["captions"][lang] = *r;
            if (!plan.transcripts.count(lang)) {
                // No transcript in this language: made from the captions.
                std::string title = v.contains("title") && v["title"].is_object() && v["title"].contains(lang) &&
                                            v["title"][lang].is_string()
                                        ? v["title"][lang].get<std::string>()
                                        : plan.id;
                fs::path tr = scratch / (tag + "." + lang + ".txt");
                LASR_TRY(write_file_atomic(tr, transcript_from_captions(title, cc.cues)));
                auto trr = sink.add(tr, plan.where + " transcript " + lang);
                if (!trr) return std::move(trr).error();
                v["transcripts"][lang] = *trr;
                progress << "video " << plan.id << ": transcript (" << lang << ") made from the captions" << std::endl;
            }
        }
        for (const auto& [lang, f] : plan.transcripts) {
            auto r = sink.add(f, plan.where + " transcript " + lang);
            if (!r) return std::move(r).error();
            v["transcripts"][lang] = *r;
        }
        fs::path thumb = plan.thumbnail;
        if (thumb.empty()) {
            thumb = scratch / (tag + ".jpg");
            auto rc = run_process(thumbnail_command(file, thumb, std::min(dur / 2, 5.0), 320, 180, tool_path("ffmpeg")));
            if (!rc || *rc != 0)
                return make_error(Domain::media, Errc::internal, "ffmpeg could not make a thumbnail for video " + plan.id);
        }
        auto tr = sink.add(thumb, plan.where + " thumbnail");
        if (!tr) return std::move(tr).error();
        v["thumbnail"] = *tr;
        ++report.videos;
        progress << "video " << plan.id << " duration_s=" << dur << " ok" << std::endl;
    }
    for (const char* k : kBuilderKeys) root.erase(k);
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
