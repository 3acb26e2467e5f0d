#include "kiosk/ctl/demo_source.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "kiosk/ctl/resource_import.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {
namespace {

using json = nlohmann::json;

Error invalid(const std::string& where, const std::string& what) {
    return make_error(Domain::content, Errc::validation, "demo source " + where + ": " + what);
}

// Ids become file names (media/<id>.mp4), so they are held to the manifest's
// id rule and can never name a path outside the pack.
Status check_id(const std::string& id, const std::string& where) {
    bool ok = !id.empty() && id.size() <= 64 && id.front() != '-' && id.front() != '.';
    for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    if (!ok) return invalid(where, "\"" + id + "\" is not a valid id (a-z, 0-9, '-', '_', '.'; at most 64)");
    return {};
}

Status read_string(const json& o, const char* key, const std::string& where, std::string& out) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string() || it->get<std::string>().empty())
        return invalid(where + "." + key, "must be a non-empty string");
    out = it->get<std::string>();
    return {};
}

// {"en": "...", "es": "..."} with text in every pack language.
Status read_text(const json& o, const char* key, const std::string& where, const std::vector<std::string>& langs,
                 LocalText& out) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_object()) return invalid(where + "." + key, "must be an object of texts by language");
    for (const auto& [lang, v] : it->items()) {
        if (!v.is_string() || v.get<std::string>().empty())
            return invalid(where + "." + key + "." + lang, "must be a non-empty string");
        out.by_lang[lang] = v.get<std::string>();
    }
    for (const auto& l : langs)
        if (!out.by_lang.count(l)) return invalid(where + "." + key, "has no \"" + l + "\" text");
    return {};
}

Result<std::string> read_color(const json& v, const std::string& where) {
    if (!v.is_string()) return invalid(where, "must be a colour like \"#2a6f83\"");
    std::string s = v.get<std::string>();
    bool ok = s.size() == 7 && s[0] == '#';
    for (size_t i = 1; ok && i < s.size(); ++i) ok = std::isxdigit(static_cast<unsigned char>(s[i])) != 0;
    if (!ok) return invalid(where, "\"" + s + "\" is not a colour like \"#2a6f83\"");
    return "0x" + s.substr(1);
}

Status read_video(const json& vo, const std::string& where, const std::vector<std::string>& langs, DemoVideo& v) {
    if (!vo.is_object()) return invalid(where, "must be an object");
    LASR_TRY(read_string(vo, "id", where, v.id));
    LASR_TRY(check_id(v.id, where + ".id"));
    LASR_TRY(read_text(vo, "title", where, langs, v.title));
    LASR_TRY(read_text(vo, "summary", where, langs, v.summary));
    auto d = vo.find("duration_s");
    if (d == vo.end() || !d->is_number()) return invalid(where + ".duration_s", "must be a number of seconds");
    v.duration_s = d->get<double>();
    if (!(v.duration_s >= 2 && v.duration_s <= 600)) return invalid(where + ".duration_s", "must be 2 to 600 seconds");
    auto cues = vo.find("cues");
    if (cues == vo.end() || !cues->is_object()) return invalid(where + ".cues", "must be an object of cue lists by language");
    for (const auto& [lang, list] : cues->items()) {
        std::string w = where + ".cues." + lang;
        if (!list.is_array() || list.empty()) return invalid(w, "must be a non-empty list of strings");
        auto& out = v.cues[lang];
        for (const auto& c : list) {
            if (!c.is_string() || c.get<std::string>().empty()) return invalid(w, "must be a list of non-empty strings");
            out.push_back(c.get<std::string>());
        }
    }
    size_t count = 0;
    for (const auto& l : langs) {
        auto it = v.cues.find(l);
        if (it == v.cues.end()) return invalid(where + ".cues", "has no \"" + l + "\" cues");
        if (count == 0) count = it->second.size();
        if (it->second.size() != count)
            return invalid(where + ".cues." + l, "has " + std::to_string(it->second.size()) + " cues, the other languages " +
                                                     std::to_string(count) + " (cues are parallel translations)");
    }
    if (static_cast<double>(count) * 1.5 > v.duration_s)
        return invalid(where + ".cues", "too many cues for a " + std::to_string(v.duration_s) + " s video");
    return {};
}

}  // namespace

size_t DemoSource::video_count() const {
    size_t n = 0;
    for (const auto& c : courses) n += c.videos.size();
    return n;
}

Result<DemoSource> parse_demo_source(std::string_view text, const std::filesystem::path& base_dir) {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded()) return make_error(Domain::content, Errc::parse, "demo source is not valid JSON");
    if (!root.is_object()) return invalid("", "must be a JSON object");

    DemoSource src;
    LASR_TRY(read_string(root, "library_id", "", src.library_id));
    LASR_TRY(read_string(root, "library_name", "", src.library_name));
    auto langs = root.find("languages");
    if (langs == root.end() || !langs->is_array() || langs->empty())
        return invalid("languages", "must be a non-empty list of language codes");
    for (const auto& l : *langs) {
        if (!l.is_string()) return invalid("languages", "must be a list of strings");
        src.languages.push_back(l.get<std::string>());
    }

    auto courses = root.find("courses");
    if (courses == root.end() || !courses->is_array() || courses->empty())
        return invalid("courses", "must be a non-empty list");
    std::set<std::string> ids;
    size_t ci = 0;
    for (const auto& co : *courses) {
        std::string where = "courses[" + std::to_string(ci++) + "]";
        if (!co.is_object()) return invalid(where, "must be an object");
        DemoCourse c;
        LASR_TRY(read_string(co, "id", where, c.id));
        LASR_TRY(check_id(c.id, where + ".id"));
        if (!ids.insert(c.id).second) return invalid(where + ".id", "\"" + c.id + "\" is used twice");
        LASR_TRY(read_text(co, "title", where, src.languages, c.title));
        LASR_TRY(read_text(co, "summary", where, src.languages, c.summary));
        if (auto p = co.find("palette"); p != co.end()) {
            if (!p->is_array() || p->size() != 2) return invalid(where + ".palette", "must be two colours");
            auto a = read_color((*p)[0], where + ".palette[0]");
            if (!a) return std::move(a).error();
            auto b = read_color((*p)[1], where + ".palette[1]");
            if (!b) return std::move(b).error();
            c.color_a = *a;
            c.color_b = *b;
        }
        if (auto t = co.find("tone_hz"); t != co.end()) {
            if (!t->is_number_integer() || t->get<int>() < 50 || t->get<int>() > 2000)
                return invalid(where + ".tone_hz", "must be a whole number from 50 to 2000");
            c.tone_hz = t->get<int>();
        }
        auto vids = co.find("videos");
        if (vids == co.end() || !vids->is_array() || vids->empty())
            return invalid(where + ".videos", "must be a non-empty list");
        size_t vi = 0;
        for (const auto& vo : *vids) {
            DemoVideo v;
            LASR_TRY(read_video(vo, where + ".videos[" + std::to_string(vi++) + "]", src.languages, v));
            if (!ids.insert(v.id).second) return invalid(where + ".videos", "id \"" + v.id + "\" is used twice");
            c.videos.push_back(std::move(v));
        }
        src.courses.push_back(std::move(c));
    }

    // Resources are written exactly as in a manifest: let the manifest reader
    // check them, so the source and the pack can never disagree on the rules.
    auto res = root.find("resources");
    auto alerts = root.find("alerts");
    if (res != root.end() && res->is_string()) {
        // The partner list as a spreadsheet (the template of `resources import`).
        std::string name = res->get<std::string>();
        if (auto st = check_pack_path(name); !st) return invalid("resources", st.error().message);
        auto im = import_resources(base_dir / name);
        if (!im) return std::move(im).error();
        const ImportReport& rep = im->report;
        if (!rep.skipped.empty()) return invalid("resources", rep.skipped.front().describe());
        if (!rep.warnings.empty()) return invalid("resources", rep.warnings.front().describe());
        if (!rep.unmapped_terms.empty())
            return invalid("resources", name + ": \"" + rep.unmapped_terms.begin()->first + "\" is not a category");
        *res = json::parse(resources_json(im->resources));
    }
    if (res != root.end()) {
        if (!res->is_array()) return invalid("resources", "must be a list");
        json probe = {{"format", "lasr-pack"},
                      {"format_version", kManifestFormatVersion},
                      {"library_id", src.library_id},
                      {"version", 1},
                      {"issued", "1970-01-01T00:00:00Z"},
                      {"languages", src.languages},
                      {"courses", json::array()},
                      {"resources", *res}};
        if (alerts != root.end()) probe["alerts"] = *alerts;
        auto cat = parse_manifest(probe.dump());
        if (!cat) {
            Error e = std::move(cat).error();
            if (e.message.rfind("manifest ", 0) == 0) e.message = "demo source " + e.message.substr(9);
            return e;
        }
        src.resources = std::move(cat->resources);
        src.alerts = std::move(cat->alerts);
    }
    // Schedules too go through the manifest's reader, checked against the
    // courses and videos above; the pack builder carries them over as written.
    if (auto sch = root.find("schedules"); sch != root.end()) {
        Catalog refs;
        for (const auto& dc : src.courses) {
            Course& c = refs.courses.emplace_back();
            c.id = dc.id;
            for (const auto& dv : dc.videos) c.videos.emplace_back().id = dv.id;
        }
        src.schedules_json = sch->dump();
        auto s = parse_schedules_json(src.schedules_json, refs);
        if (!s) {
            Error e = std::move(s).error();
            if (e.message.rfind("manifest ", 0) == 0) e.message = "demo source " + e.message.substr(9);
            return e;
        }
    }
    return src;
}

Result<DemoSource> load_demo_source(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return make_error(Domain::content, Errc::not_found, "cannot read the demo source " + file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    auto src = parse_demo_source(ss.str(), file.parent_path());
    if (!src) {
        Error e = std::move(src).error();
        e.message = file.string() + ": " + e.message;
        return e;
    }
    return src;
}

}  // namespace lasr::ctl
