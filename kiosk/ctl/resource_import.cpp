#include "kiosk/ctl/resource_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "kiosk/ctl/csv.hpp"
#include "kiosk/ctl/resource_fields.hpp"
#include "kiosk/ctl/text_clean.hpp"
#include "media/content_store.hpp"
#include "media/durable.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {

// The importers (hsds_import.cpp, sheet_import.cpp).
Result<Imported> import_hsds_package(const std::filesystem::path& dir, const ImportOptions& options);
Result<Imported> import_hsds_json(const std::filesystem::path& file, const ImportOptions& options);
Result<Imported> import_sheet(const std::filesystem::path& file, const ImportOptions& options);

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kDefaultMap =
#include "kiosk/ctl/category_map.csv.inc"
    ;

bool is_category(const std::string& c) {
    return std::find(kResourceCategories.begin(), kResourceCategories.end(), c) != kResourceCategories.end();
}

// A manifest around a list of resources, so the manifest's own rules check them.
std::string wrap_resources(const std::string& resources_array) {
    return R"({"format": "lasr-pack", "format_version": 1, "library_id": "import", "version": 1,
               "issued": "2026-01-01T00:00:00Z", "languages": ["en"], "courses": [], "resources": )" +
           resources_array + "}";
}

}  // namespace

std::string ImportProblem::describe() const {
    std::string out = file;
    if (row) out += " row " + std::to_string(row);
    if (!column.empty()) out += (row ? ", column " : ", ") + column;
    return out + ": " + message;
}

void ImportReport::print(std::ostream& out) const {
    out << "format: " << format << "\n";
    for (const auto& n : notes) out << "note: " << n << "\n";
    out << "rows read " << rows_read << ", imported " << imported << ", skipped " << skipped.size()
        << ", inactive " << inactive << "\n";
    for (const auto& s : skipped) out << "skipped: " << s.describe() << "\n";
    for (const auto& w : warnings) out << "warning: " << w.describe() << "\n";
    if (!unmapped_terms.empty()) {
        out << "unmapped terms (category \"other\" unless another term mapped; add them to the category map):\n";
        for (const auto& [term, n] : unmapped_terms) out << "  " << term << " (" << n << ")\n";
    }
}

Result<CategoryMap> CategoryMap::parse(std::string_view bytes, const std::string& name) {
    auto t = parse_csv(bytes, name);
    if (!t) return std::move(t).error();
    int term = t->column("term"), cat = t->column("category");
    if (term < 0 || cat < 0)
        return make_error(Domain::content, Errc::validation, name + ": needs the columns term and category");
    CategoryMap m;
    for (size_t i = 0; i < t->rows.size(); ++i) {
        std::string k = ascii_lower(trim(t->cell(i, term)));
        std::string c = ascii_lower(trim(t->cell(i, cat)));
        if (k.empty()) continue;
        if (!is_category(c))
            return make_error(Domain::content, Errc::validation,
                              name + " row " + std::to_string(t->row_numbers[i]) + ", column category: \"" + c +
                                  "\" is not one of crisis, health, mental-health, food, housing, legal, "
                                  "employment, family, other");
        if (k.size() > 1 && k.back() == '*') m.prefixes_.emplace_back(k.substr(0, k.size() - 1), c);
        else m.exact_[k] = c;
    }
    // Longest prefix first.
    std::stable_sort(m.prefixes_.begin(), m.prefixes_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return m;
}

Result<CategoryMap> CategoryMap::load(const fs::path& file) {
    auto bytes = read_file_limited(file, 16u << 20);
    if (!bytes) return std::move(bytes).error();
    return parse(*bytes, file.filename().string());
}

const CategoryMap& CategoryMap::builtin() {
    static const CategoryMap m = [] {
        auto r = parse(kDefaultMap, "built-in category map");
        return r ? *r : CategoryMap{};
    }();
    return m;
}

std::string_view default_category_map_csv() { return kDefaultMap; }

std::string CategoryMap::lookup(std::string_view code_in, std::string_view name_in) const {
    std::string code = ascii_lower(trim(code_in));
    if (!code.empty()) {
        // The code, then the codes above it: "rp-1500.1400-800" -> "rp-1500.1400" -> "rp-1500" -> "rp".
        std::string c = code;
        while (!c.empty()) {
            if (auto it = exact_.find(c); it != exact_.end()) return it->second;
            size_t cut = c.find_last_of(".-");
            if (cut == std::string::npos) break;
            c.resize(cut);
        }
        for (const auto& [prefix, cat] : prefixes_)
            if (code.compare(0, prefix.size(), prefix) == 0) return cat;
    }
    std::string name = ascii_lower(trim(name_in));
    if (!name.empty())
        if (auto it = exact_.find(name); it != exact_.end()) return it->second;
    return "";
}

Result<Imported> import_resources(const fs::path& source, const ImportOptions& options) {
    std::error_code ec;
    if (fs::is_directory(source, ec)) {
        if (fs::exists(source / "datapackage.json", ec) || fs::exists(source / "services.csv", ec))
            return import_hsds_package(source, options);
        return make_error(Domain::content, Errc::not_found,
                          source.string() + ": no datapackage.json or services.csv (an HSDS 1.x data package)");
    }
    if (!fs::exists(source, ec)) return make_error(Domain::content, Errc::not_found, source.string() + " does not exist");
    std::string name = ascii_lower(source.filename().string());
    if (name == "datapackage.json" || name == "services.csv") return import_hsds_package(source.parent_path(), options);
    std::string ext = ascii_lower(source.extension().string());
    if (ext == ".json") return import_hsds_json(source, options);
    if (ext == ".csv" || ext == ".txt" || ext == ".tsv") return import_sheet(source, options);
    return make_error(Domain::content, Errc::invalid_argument,
                      source.string() + ": give an HSDS folder or datapackage.json, an HSDS .json file, or a .csv "
                                        "spreadsheet");
}

std::string resources_json(const std::vector<Resource>& resources) {
    Catalog cat;
    cat.info.library_id = "import";
    cat.info.version = 1;
    cat.info.issued = "2026-01-01T00:00:00Z";
    cat.info.languages = {"en"};
    cat.resources = resources;
    json m = json::parse(write_manifest(cat));
    return m["resources"].dump(2) + "\n";
}

Result<std::vector<Resource>> parse_resources_json(std::string_view text, const std::string& name) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_array())
        return make_error(Domain::content, Errc::parse, name + ": not a JSON list of resources");
    auto cat = parse_manifest(wrap_resources(j.dump()));
    if (!cat) {
        Error e = std::move(cat).error();
        e.message = name + ": " + e.message;
        return e;
    }
    return std::move(cat->resources);
}

Status check_resources(const std::vector<Resource>& resources) {
    auto r = parse_resources_json(resources_json(resources), "imported resources");
    if (!r) return std::move(r).error();
    return {};
}

Result<MergeReport> merge_into_pack_json(const fs::path& pack_json, const std::vector<Resource>& resources) {
    using ojson = nlohmann::ordered_json;
    auto text = read_file_limited(pack_json, kMaxManifestBytes);
    if (!text) return std::move(text).error();
    ojson root = ojson::parse(*text, nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return make_error(Domain::content, Errc::parse, pack_json.string() + " is not a JSON object");
    if (root.contains("resources") && root["resources"].is_string())
        return make_error(Domain::content, Errc::invalid_argument,
                          pack_json.string() + " takes its resources from \"" + root["resources"].get<std::string>() +
                              "\": write the import there with --out instead");
    if (!root.contains("resources") || !root["resources"].is_array()) root["resources"] = ojson::array();
    ojson& list = root["resources"];
    ojson incoming = ojson::parse(resources_json(resources));
    MergeReport rep;
    std::set<std::string> imported_ids;
    for (const auto& r : incoming) imported_ids.insert(r["id"].get<std::string>());
    std::set<std::string> present;
    for (auto& existing : list) {
        if (!existing.is_object() || !existing.contains("id") || !existing["id"].is_string()) continue;
        std::string id = existing["id"].get<std::string>();
        present.insert(id);
        if (!imported_ids.count(id)) rep.kept.push_back(id);
    }
    for (const auto& r : incoming) {
        std::string id = r["id"].get<std::string>();
        if (!present.count(id)) {
            list.push_back(r);
            ++rep.added;
            continue;
        }
        for (auto& existing : list) {
            if (!existing.is_object() || existing.value("id", "") != id) continue;
            if (existing == r) ++rep.unchanged;
            else {
                existing = r;
                ++rep.updated;
            }
            break;
        }
    }
    LASR_TRY(write_file_atomic(pack_json, root.dump(2) + "\n"));
    return rep;
}

namespace {

// "Mon-Fri 09:00-17:00; Sat 10:00-14:00": the template's hours, as the importer reads them.
std::string hours_text(const std::vector<OpeningSpan>& hours) {
    static const char* names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    std::string out;
    for (const auto& span : hours) {
        std::vector<int> days;
        for (const auto& d : span.days)
            for (int i = 0; i < 7; ++i)
                if (d == detail::kDayNames[i]) days.push_back(i);
        std::string list;
        for (size_t i = 0; i < days.size();) {
            size_t j = i;
            while (j + 1 < days.size() && days[j + 1] == days[j] + 1) ++j;
            list += (list.empty() ? "" : ", ") + std::string(names[days[i]]);
            if (j >= i + 2) list += std::string("-") + names[days[j]];
            else if (j == i + 1) list += std::string(", ") + names[days[j]];
            i = j + 1;
        }
        out += (out.empty() ? "" : "; ") + list + " " + span.open + "-" + span.close;
    }
    return out;
}

}  // namespace

std::string resources_csv(const std::vector<Resource>& resources, const std::vector<std::string>& languages) {
    std::vector<std::string> header = {"id", "name", "category"};
    for (const auto& l : languages) header.push_back("description_" + l);
    for (const char* h : {"phone", "sms", "website", "address", "hours", "always_open", "languages", "national", "sample"})
        header.emplace_back(h);
    std::string out = "\xEF\xBB\xBF" + csv_line(header);
    for (const auto& r : resources) {
        std::vector<std::string> row = {r.id, r.name, r.category};
        for (const auto& l : languages) {
            auto it = r.description.by_lang.find(l);
            row.push_back(it == r.description.by_lang.end() ? "" : it->second);
        }
        std::string langs;
        for (const auto& l : r.languages) langs += (langs.empty() ? "" : ", ") + l;
        for (const std::string& v : {r.phone, r.sms, r.website, r.address, hours_text(r.hours),
                                     std::string(r.always_open ? "yes" : "no"), langs,
                                     std::string(r.national ? "yes" : "no"), std::string(r.sample ? "yes" : "no")})
            row.push_back(v);
        out += csv_line(row);
    }
    return out;
}

std::string resource_template_csv() {
    std::string out = "\xEF\xBB\xBF";
    out += csv_line({"id", "name", "category", "description_en", "description_es", "phone", "sms", "website", "address",
                     "hours", "always_open", "languages", "national", "sample"});
    out += csv_line({"us-988-lifeline", "988 Suicide & Crisis Lifeline", "crisis",
                     "Free, confidential support for anyone in emotional distress. Call or text 988, or chat online.",
                     "Apoyo gratuito y confidencial para cualquier persona en angustia emocional. Llame o env\xC3\xAD"
                     "e un texto al 988.",
                     "988", "988", "https://988lifeline.org", "", "", "yes", "en, es", "yes", "no"});
    out += csv_line({"maple-street-pantry", "Maple Street Food Pantry", "food",
                     "Free groceries once a week, no questions asked. Bring a bag if you can.",
                     "Comestibles gratis una vez por semana, sin preguntas. Traiga una bolsa si puede.",
                     "(555) 010-0142", "", "https://example.org/pantry", "120 Maple Street, Springfield",
                     "Tue, Thu 10:00-14:00; Sat 09:00-12:00", "no", "English, Spanish", "no", "yes"});
    return out;
}

}  // namespace lasr::ctl
