#include "playlists/manifest.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace lasr {
namespace {

using json = nlohmann::json;

Error invalid(const std::string& where, const std::string& what) {
    return make_error(Domain::content, Errc::validation, "manifest " + where + ": " + what);
}

bool is_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool is_id(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

bool is_lang(const std::string& s) {
    if (s.size() < 2 || s.size() > 8) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

// Field readers: each names the JSON path of what is wrong.
class Reader {
public:
    explicit Reader(std::string where) : where_(std::move(where)) {}

    Result<const json*> field(const json& obj, const char* key, json::value_t type, bool required = true) const {
        if (!obj.is_object()) return invalid(where_, "must be an object");
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) return invalid(at(key), "is missing");
            return static_cast<const json*>(nullptr);
        }
        bool ok = it->type() == type ||
                  (type == json::value_t::number_float && it->is_number()) ||
                  (type == json::value_t::number_unsigned && it->is_number_unsigned());
        if (!ok) return invalid(at(key), std::string("must be ") + type_name(type));
        return &*it;
    }
    Status str(const json& obj, const char* key, std::string& out, bool required = true) const {
        auto f = field(obj, key, json::value_t::string, required);
        if (!f) return std::move(f).error();
        if (*f) out = (*f)->get<std::string>();
        if (required && out.empty()) return invalid(at(key), "must not be empty");
        return {};
    }
    Status text(const json& obj, const char* key, LocalText& out, bool required = true) const {
        auto f = field(obj, key, json::value_t::object, required);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (auto& [lang, v] : (*f)->items()) {
            if (!is_lang(lang)) return invalid(at(key), "\"" + lang + "\" is not a language code");
            if (!v.is_string()) return invalid(at(key) + "." + lang, "must be a string");
            out.by_lang[lang] = v.get<std::string>();
        }
        if (required && out.empty()) return invalid(at(key), "needs text in at least one language");
        return {};
    }
    Status file(const json& obj, const char* key, FileRef& out) const {
        auto f = field(obj, key, json::value_t::object);
        if (!f) return std::move(f).error();
        return read_file(**f, at(key), out);
    }
    static Status read_file(const json& o, const std::string& where, FileRef& out) {
        Reader r(where);
        LASR_TRY(r.str(o, "path", out.path));
        if (auto st = check_pack_path(out.path); !st) return invalid(r.at("path"), st.error().message);
        LASR_TRY(r.str(o, "sha256", out.sha256));
        if (!is_hex64(out.sha256)) return invalid(r.at("sha256"), "must be 64 lowercase hex digits");
        auto size = r.field(o, "size", json::value_t::number_unsigned);
        if (!size) return std::move(size).error();
        out.size = (*size)->get<uint64_t>();
        if (out.size == 0) return invalid(r.at("size"), "must be more than 0 bytes");
        return {};
    }
    Status files_by_lang(const json& obj, const char* key, std::map<std::string, FileRef>& out) const {
        auto f = field(obj, key, json::value_t::object, false);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (auto& [lang, v] : (*f)->items()) {
            if (!is_lang(lang)) return invalid(at(key), "\"" + lang + "\" is not a language code");
            LASR_TRY(read_file(v, at(key) + "." + lang, out[lang]));
        }
        return {};
    }
    Status strings(const json& obj, const char* key, std::vector<std::string>& out, bool required) const {
        auto f = field(obj, key, json::value_t::array, required);
        if (!f) return std::move(f).error();
        if (!*f) return {};
        for (const auto& e : **f) {
            if (!e.is_string()) return invalid(at(key), "must be a list of strings");
            out.push_back(e.get<std::string>());
        }
        return {};
    }
    std::string at(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

private:
    static const char* type_name(json::value_t t) {
        switch (t) {
            case json::value_t::string: return "a string";
            case json::value_t::object: return "an object";
            case json::value_t::array: return "a list";
            case json::value_t::boolean: return "true or false";
            case json::value_t::number_unsigned: return "a whole number of 0 or more";
            case json::value_t::number_float: return "a number";
            default: return "another type";
        }
    }
    std::string where_;
};

Status check_unique(std::set<std::string>& seen, const std::string& id, const std::string& where) {
    if (!is_id(id)) return invalid(where, "\"" + id + "\" is not a valid id (a-z, 0-9, '-', '_', '.', at most 64)");
    if (!seen.insert(id).second) return invalid(where, "id \"" + id + "\" is used twice");
    return {};
}

Status read_video(const json& o, const std::string& where, std::set<std::string>& ids, Video& v) {
    Reader r(where);
    LASR_TRY(r.str(o, "id", v.id));
    LASR_TRY(check_unique(ids, v.id, r.at("id")));
    LASR_TRY(r.text(o, "title", v.title));
    LASR_TRY(r.text(o, "summary", v.summary, false));
    LASR_TRY(r.file(o, "file", v.file));
    auto d = r.field(o, "duration_s", json::value_t::number_float);
    if (!d) return std::move(d).error();
    v.duration_s = (*d)->get<double>();
    if (!(v.duration_s > 0 && v.duration_s < 24 * 3600)) return invalid(r.at("duration_s"), "must be between 0 and 86400 seconds");
    LASR_TRY(r.files_by_lang(o, "captions", v.captions));
    LASR_TRY(r.files_by_lang(o, "transcripts", v.transcripts));
    auto th = r.field(o, "thumbnail", json::value_t::object, false);
    if (!th) return std::move(th).error();
    if (*th) {
        FileRef f;
        LASR_TRY(Reader::read_file(**th, r.at("thumbnail"), f));
        v.thumbnail = f;
    }
    return {};
}

bool is_hhmm(const std::string& s) {
    if (s.size() != 5 || s[2] != ':') return false;
    if (!isdigit(static_cast<unsigned char>(s[0])) || !isdigit(static_cast<unsigned char>(s[1])) ||
        !isdigit(static_cast<unsigned char>(s[3])) || !isdigit(static_cast<unsigned char>(s[4])))
        return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    return (h < 24 && m < 60) || (h == 24 && m == 0);
}

Status read_resource(const json& o, const std::string& where, std::set<std::string>& ids, Resource& res) {
    static const std::set<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    Reader r(where);
    LASR_TRY(r.str(o, "id", res.id));
    LASR_TRY(check_unique(ids, res.id, r.at("id")));
    LASR_TRY(r.str(o, "name", res.name));
    LASR_TRY(r.str(o, "category", res.category));
    bool known = false;
    for (const auto& c : kResourceCategories) known = known || c == res.category;
    if (!known) return invalid(r.at("category"), "\"" + res.category + "\" is not a known category");
    LASR_TRY(r.text(o, "description", res.description));
    LASR_TRY(r.str(o, "phone", res.phone, false));
    LASR_TRY(r.str(o, "sms", res.sms, false));
    LASR_TRY(r.str(o, "website", res.website, false));
    if (!res.website.empty() && res.website.rfind("https://", 0) != 0 && res.website.rfind("http://", 0) != 0)
        return invalid(r.at("website"), "must start with https:// or http://");
    LASR_TRY(r.str(o, "address", res.address, false));
    if (res.phone.empty() && res.website.empty() && res.address.empty() && res.sms.empty())
        return invalid(where, "needs at least a phone, a text line, a website or an address");
    for (const char* flag : {"always_open", "national", "sample"}) {
        auto f = r.field(o, flag, json::value_t::boolean, false);
        if (!f) return std::move(f).error();
        bool v = *f && (*f)->get<bool>();
        if (std::string_view(flag) == "always_open") res.always_open = v;
        else if (std::string_view(flag) == "national") res.national = v;
        else res.sample = v;
    }
    auto hours = r.field(o, "hours", json::value_t::array, false);
    if (!hours) return std::move(hours).error();
    if (*hours) {
        size_t i = 0;
        for (const auto& h : **hours) {
            Reader hr(r.at("hours") + "[" + std::to_string(i++) + "]");
            OpeningSpan span;
            LASR_TRY(hr.strings(h, "days", span.days, true));
            for (const auto& d : span.days)
                if (!days.count(d)) return invalid(hr.at("days"), "\"" + d + "\" is not one of mon..sun");
            LASR_TRY(hr.str(h, "open", span.open));
            LASR_TRY(hr.str(h, "close", span.close));
            if (!is_hhmm(span.open)) return invalid(hr.at("open"), "must be HH:MM");
            if (!is_hhmm(span.close)) return invalid(hr.at("close"), "must be HH:MM");
            res.hours.push_back(std::move(span));
        }
    }
    LASR_TRY(r.strings(o, "languages", res.languages, false));
    return {};
}

bool is_rfc3339_utc(const std::string& s) {
    // 2026-11-29T03:04:05Z (seconds required, 'Z' only: the pack speaks UTC)
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u})
        if (!isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

Status read_alert(const json& o, const std::string& where, std::set<std::string>& ids,
                  const std::set<std::string>& resource_ids, Alert& a) {
    Reader r(where);
    LASR_TRY(r.str(o, "id", a.id));
    LASR_TRY(check_unique(ids, a.id, r.at("id")));
    LASR_TRY(r.str(o, "severity", a.severity));
    bool known = false;
    for (const auto& s : kAlertSeverities) known = known || s == a.severity;
    if (!known) return invalid(r.at("severity"), "must be info, warning or emergency");
    LASR_TRY(r.text(o, "title", a.title));
    LASR_TRY(r.text(o, "body", a.body, false));
    LASR_TRY(r.str(o, "starts", a.starts, false));
    LASR_TRY(r.str(o, "ends", a.ends, false));
    if (!a.starts.empty() && !is_rfc3339_utc(a.starts)) return invalid(r.at("starts"), "must be like 2026-11-29T08:00:00Z");
    if (!a.ends.empty() && !is_rfc3339_utc(a.ends)) return invalid(r.at("ends"), "must be like 2026-11-29T08:00:00Z");
    if (!a.starts.empty() && !a.ends.empty() && a.ends <= a.starts) return invalid(r.at("ends"), "must be after starts");
    LASR_TRY(r.strings(o, "pin_resources", a.pin_resources, false));
    for (const auto& id : a.pin_resources)
        if (!resource_ids.count(id)) return invalid(r.at("pin_resources"), "names no resource \"" + id + "\"");
    return {};
}

json file_json(const FileRef& f) { return json{{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}}; }

json text_json(const LocalText& t) {
    json o = json::object();
    for (const auto& [l, s] : t.by_lang) o[l] = s;
    return o;
}

}  // namespace

Status check_pack_path(std::string_view p) {
    auto refuse = [&](const std::string& why) {
        return make_error(Domain::content, Errc::unsafe_path, "path \"" + std::string(p) + "\" " + why);
    };
    if (p.empty()) return refuse("is empty");
    if (p.size() > 255) return refuse("is longer than 255 bytes");
    if (p.front() == '/') return refuse("is absolute; pack paths are relative to the pack");
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view part = p.substr(start, end - start);
        if (part.empty()) return refuse("has an empty component");
        if (part == "." || part == "..") return refuse("has a \"" + std::string(part) + "\" component");
        if (part.front() == '-') return refuse("has a component that starts with '-'");
        for (char c : part) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
            if (!ok) return refuse("has a character outside A-Z a-z 0-9 . _ -");
        }
        start = end + 1;
        if (end == p.size()) break;
    }
    return {};
}

Result<Catalog> parse_manifest(std::string_view text) {
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded())
        return make_error(Domain::content, Errc::parse, "manifest is not valid JSON");
    if (!root.is_object()) return invalid("", "must be a JSON object");

    Catalog cat;
    Reader r("");
    std::string format;
    LASR_TRY(r.str(root, "format", format));
    if (format != "lasr-pack") return invalid("format", "must be \"lasr-pack\", not \"" + format + "\"");
    auto fv = r.field(root, "format_version", json::value_t::number_unsigned);
    if (!fv) return std::move(fv).error();
    cat.info.format_version = (*fv)->get<int>();
    if (cat.info.format_version != kManifestFormatVersion)
        return make_error(Domain::content, Errc::validation,
                          "manifest format_version " + std::to_string(cat.info.format_version) +
                              " is not supported (this kiosk reads version " +
                              std::to_string(kManifestFormatVersion) + ")");
    LASR_TRY(r.str(root, "library_id", cat.info.library_id));
    LASR_TRY(r.str(root, "library_name", cat.info.library_name, false));
    auto ver = r.field(root, "version", json::value_t::number_unsigned);
    if (!ver) return std::move(ver).error();
    cat.info.version = (*ver)->get<uint64_t>();
    LASR_TRY(r.str(root, "issued", cat.info.issued));
    LASR_TRY(r.str(root, "expires", cat.info.expires, false));
    LASR_TRY(r.strings(root, "languages", cat.info.languages, true));
    if (cat.info.languages.empty()) return invalid("languages", "must name at least one language");

    std::set<std::string> course_ids, video_ids, resource_ids, paths;
    auto courses = r.field(root, "courses", json::value_t::array);
    if (!courses) return std::move(courses).error();
    size_t ci = 0;
    for (const auto& co : **courses) {
        std::string where = "courses[" + std::to_string(ci++) + "]";
        Reader cr(where);
        Course c;
        LASR_TRY(cr.str(co, "id", c.id));
        LASR_TRY(check_unique(course_ids, c.id, cr.at("id")));
        LASR_TRY(cr.text(co, "title", c.title));
        LASR_TRY(cr.text(co, "summary", c.summary, false));
        auto vids = cr.field(co, "videos", json::value_t::array);
        if (!vids) return std::move(vids).error();
        size_t vi = 0;
        for (const auto& vo : **vids) {
            Video v;
            LASR_TRY(read_video(vo, cr.at("videos[" + std::to_string(vi++) + "]"), video_ids, v));
            c.videos.push_back(std::move(v));
        }
        if (c.videos.empty()) return invalid(cr.at("videos"), "a course needs at least one video");
        cat.courses.push_back(std::move(c));
    }
    auto res = r.field(root, "resources", json::value_t::array, false);
    if (!res) return std::move(res).error();
    if (*res) {
        size_t ri = 0;
        for (const auto& ro : **res) {
            Resource rs;
            LASR_TRY(read_resource(ro, "resources[" + std::to_string(ri++) + "]", resource_ids, rs));
            cat.resources.push_back(std::move(rs));
        }
    }
    auto alerts = r.field(root, "alerts", json::value_t::array, false);
    if (!alerts) return std::move(alerts).error();
    if (*alerts) {
        std::set<std::string> alert_ids;
        size_t ai = 0;
        for (const auto& ao : **alerts) {
            Alert a;
            LASR_TRY(read_alert(ao, "alerts[" + std::to_string(ai++) + "]", alert_ids, resource_ids, a));
            cat.alerts.push_back(std::move(a));
        }
    }
    // Two entries naming one path must agree on its content.
    std::map<std::string, FileRef> by_path;
    for (const auto& c : cat.courses)
        for (const auto& v : c.videos) {
            std::vector<const FileRef*> refs{&v.file};
            for (const auto& [l, f] : v.captions) refs.push_back(&f);
            for (const auto& [l, f] : v.transcripts) refs.push_back(&f);
            if (v.thumbnail) refs.push_back(&*v.thumbnail);
            for (const FileRef* f : refs) {
                auto [it, fresh] = by_path.emplace(f->path, *f);
                if (!fresh && (it->second.sha256 != f->sha256 || it->second.size != f->size))
                    return invalid("video " + v.id, "file \"" + f->path + "\" is listed twice with different hashes");
            }
        }
    return cat;
}

std::string write_manifest(const Catalog& cat) {
    json root;
    root["format"] = "lasr-pack";
    root["format_version"] = kManifestFormatVersion;
    root["library_id"] = cat.info.library_id;
    if (!cat.info.library_name.empty()) root["library_name"] = cat.info.library_name;
    root["version"] = cat.info.version;
    root["issued"] = cat.info.issued;
    if (!cat.info.expires.empty()) root["expires"] = cat.info.expires;
    root["languages"] = cat.info.languages;
    json courses = json::array();
    for (const auto& c : cat.courses) {
        json co{{"id", c.id}, {"title", text_json(c.title)}};
        if (!c.summary.empty()) co["summary"] = text_json(c.summary);
        json vids = json::array();
        for (const auto& v : c.videos) {
            json vo{{"id", v.id}, {"title", text_json(v.title)}, {"file", file_json(v.file)}, {"duration_s", v.duration_s}};
            if (!v.summary.empty()) vo["summary"] = text_json(v.summary);
            if (!v.captions.empty()) {
                json caps = json::object();
                for (const auto& [l, f] : v.captions) caps[l] = file_json(f);
                vo["captions"] = caps;
            }
            if (!v.transcripts.empty()) {
                json tr = json::object();
                for (const auto& [l, f] : v.transcripts) tr[l] = file_json(f);
                vo["transcripts"] = tr;
            }
            if (v.thumbnail) vo["thumbnail"] = file_json(*v.thumbnail);
            vids.push_back(std::move(vo));
        }
        co["videos"] = std::move(vids);
        courses.push_back(std::move(co));
    }
    root["courses"] = std::move(courses);
    json res = json::array();
    for (const auto& r : cat.resources) {
        json ro{{"id", r.id}, {"name", r.name}, {"category", r.category}, {"description", text_json(r.description)}};
        if (!r.phone.empty()) ro["phone"] = r.phone;
        if (!r.sms.empty()) ro["sms"] = r.sms;
        if (!r.website.empty()) ro["website"] = r.website;
        if (!r.address.empty()) ro["address"] = r.address;
        if (r.always_open) ro["always_open"] = true;
        if (r.national) ro["national"] = true;
        if (r.sample) ro["sample"] = true;
        if (!r.hours.empty()) {
            json hs = json::array();
            for (const auto& h : r.hours) hs.push_back(json{{"days", h.days}, {"open", h.open}, {"close", h.close}});
            ro["hours"] = std::move(hs);
        }
        if (!r.languages.empty()) ro["languages"] = r.languages;
        res.push_back(std::move(ro));
    }
    root["resources"] = std::move(res);
    if (!cat.alerts.empty()) {
        json al = json::array();
        for (const auto& a : cat.alerts) {
            json ao{{"id", a.id}, {"severity", a.severity}, {"title", text_json(a.title)}};
            if (!a.body.empty()) ao["body"] = text_json(a.body);
            if (!a.starts.empty()) ao["starts"] = a.starts;
            if (!a.ends.empty()) ao["ends"] = a.ends;
            if (!a.pin_resources.empty()) ao["pin_resources"] = a.pin_resources;
            al.push_back(std::move(ao));
        }
        root["alerts"] = std::move(al);
    }
    return root.dump(2) + "\n";
}

}  // namespace lasr
