// Open Referral HSDS: 1.x tabular data packages and 3.x JSON.
//
// Each active service becomes one resource; a service offered at several
// locations becomes one resource per location (its id is the service's and
// the location's, its name says where). Phones, addresses, hours and
// languages come from the service at that location, else the service, else
// the location, else (phones) the organization.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "kiosk/ctl/csv.hpp"
#include "kiosk/ctl/resource_fields.hpp"
#include "kiosk/ctl/text_clean.hpp"
#include "media/durable.hpp"

namespace lasr::ctl {

Result<Imported> import_hsds_package(const std::filesystem::path& dir, const ImportOptions& options);
Result<Imported> import_hsds_json(const std::filesystem::path& file, const ImportOptions& options);

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace detail;

constexpr size_t kMaxJsonBytes = size_t{512} << 20;

// What one resource is made from, whichever HSDS version it came in.
struct Record {
    std::string source_id;  // the service's id, or "<service>-<location>" when it has several locations
    std::string name, org_name, location_name;
    std::string description, org_description;
    std::string url, org_url;
    struct Phone {
        std::string number, type, where;
        std::string languages;  // 1.x: comma-separated codes
    };
    std::vector<Phone> phones;
    struct Address {
        std::vector<std::string> lines;  // address_1..4
        std::string city, state, postal;
        std::string where;
    };
    std::optional<Address> address;
    struct Schedule {
        std::string where;
        std::string weekday;  // 1.x regular_schedules
        std::string byday;    // 2.x/3.x schedules ("MO,TU")
        std::string freq;
        std::string opens, closes;
    };
    std::vector<Schedule> schedules;
    std::vector<std::pair<std::string, std::string>> languages;  // value, where
    std::string category;
    bool several_locations = false;
};

bool contains_ci(const std::string& hay, const std::string& needle) {
    return !needle.empty() && ascii_lower(hay).find(ascii_lower(needle)) != std::string::npos;
}

std::string join_address(const Record::Address& a) {
    std::vector<std::string> parts;
    for (const auto& l : a.lines)
        if (!trim(l).empty()) parts.push_back(trim(l));
    if (!trim(a.city).empty()) parts.push_back(trim(a.city));
    std::string sp = trim(trim(a.state) + " " + trim(a.postal));
    if (!sp.empty()) parts.push_back(sp);
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

// Hours from the record's schedules; false (record skipped) when one does not parse.
bool record_hours(const Record& rec, RowCheck& rc, Resource& r) {
    std::vector<DayHours> days;
    for (const auto& s : rec.schedules) {
        std::string freq = ascii_lower(trim(s.freq));
        if (!freq.empty() && freq != "weekly") {
            rc.warn(s.where, "a " + freq + " schedule is left out (the kiosk shows weekly hours)");
            continue;
        }
        auto open = parse_clock(s.opens), close = parse_clock(s.closes);
        if (trim(s.opens).empty() && trim(s.closes).empty()) continue;  // days without times: nothing to show
        if (!open || !close) {
            rc.skip(s.where, "hours that do not parse: opens_at \"" + s.opens + "\", closes_at \"" + s.closes + "\"");
            return false;
        }
        if (*close == "00:00") *close = "24:00";
        std::vector<int> list;
        if (!s.weekday.empty()) {
            auto d = parse_weekday(s.weekday);
            if (!d) {
                rc.skip(s.where, "hours that do not parse: weekday \"" + s.weekday + "\" (1 = Monday .. 7 = Sunday)");
                return false;
            }
            list.push_back(*d);
        } else {
            std::string by = s.byday;
            size_t at = 0;
            while (at < by.size()) {
                size_t comma = by.find(',', at);
                std::string tok = trim(std::string_view(by).substr(at, comma == std::string::npos ? std::string::npos : comma - at));
                at = comma == std::string::npos ? by.size() : comma + 1;
                if (tok.empty()) continue;
                auto d = tok.size() == 2 ? parse_weekday(tok) : std::nullopt;
                if (!d) {
                    rc.skip(s.where, "hours that do not parse: byday \"" + s.byday + "\" (MO,TU,...)");
                    return false;
                }
                list.push_back(*d);
            }
            if (list.empty())
                for (int d = 0; d < 7; ++d) list.push_back(d);  // weekly with no day: every day
        }
        for (int d : list) days.push_back({d, *open, *close});
    }
    set_hours(std::move(days), r);
    return true;
}

std::optional<Resource> make_resource(const Record& rec, RowCheck& rc, const ImportOptions& opt) {
    Resource r;
    r.id = stable_id(opt.id_prefix, rec.source_id);
    std::string name = trim(rec.name);
    if (name.empty()) {
        rc.skip("name", "missing name");
        return std::nullopt;
    }
    if (!rec.org_name.empty() && !contains_ci(name, rec.org_name) && !contains_ci(rec.org_name, name))
        name += " \xE2\x80\x94 " + rec.org_name;  // em dash
    if (rec.several_locations && !rec.location_name.empty() && !contains_ci(name, rec.location_name))
        name += " (" + rec.location_name + ")";
    r.name = rc.text("name", name, kMaxNameChars);
    if (r.name.empty()) {
        rc.skip("name", "missing name");
        return std::nullopt;
    }
    std::string desc = rc.text("description", rec.description, kMaxDescriptionChars, true);
    if (desc.empty()) desc = rc.text("organization description", rec.org_description, kMaxDescriptionChars, true);
    if (desc.empty()) {
        rc.skip("description", "missing description (neither the service nor its organization has one)");
        return std::nullopt;
    }
    r.description.by_lang[opt.language] = desc;
    r.category = rec.category;
    if (!trim(rec.url).empty()) {
        if (!rc.url("url", rec.url, r.website)) return std::nullopt;
    } else if (!trim(rec.org_url).empty()) {
        if (!rc.url("organization url", rec.org_url, r.website)) return std::nullopt;
    }
    for (const auto& p : rec.phones) {
        std::string type = ascii_lower(trim(p.type));
        if (trim(p.number).empty() || type == "fax" || type == "pager" || type == "video" || type == "textphone")
            continue;
        std::string& slot = type == "text" ? r.sms : r.phone;
        if (!slot.empty()) continue;
        if (!rc.phone(p.where, p.number, slot)) return std::nullopt;
        std::string langs = p.languages;
        for (char& c : langs)
            if (c == ';') c = ',';
        size_t at = 0;
        while (at < langs.size()) {
            size_t comma = langs.find(',', at);
            std::string l = trim(std::string_view(langs).substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            at = comma == std::string::npos ? langs.size() : comma + 1;
            if (!l.empty() && !add_language(r.languages, l))
                rc.warn(p.where, "language \"" + l + "\" is not one this tool knows; left out");
        }
    }
    if (rec.address) r.address = rc.text(rec.address->where, join_address(*rec.address), kMaxAddressChars);
    if (!record_hours(rec, rc, r)) return std::nullopt;
    for (const auto& [value, where] : rec.languages)
        if (!trim(value).empty() && !add_language(r.languages, value))
            rc.warn(where, "language \"" + trim(value) + "\" is not one this tool knows; left out");
    if (r.phone.empty() && r.sms.empty() && r.website.empty() && r.address.empty()) {
        rc.skip("phones", "needs a phone, a text line, a website or an address; this service has none");
        return std::nullopt;
    }
    return r;
}

// ---------------------------------------------------------------- HSDS 1.x

// One table of the package, with indexes on the columns records are joined by.
struct Table {
    std::optional<CsvTable> csv;
    std::string file;
    int col(const char* name) const { return csv ? csv->column(name) : -1; }
    const std::string& cell(size_t row, int c) const {
        static const std::string empty;
        return csv ? csv->cell(row, c) : empty;
    }
    size_t size() const { return csv ? csv->rows.size() : 0; }
    size_t row_number(size_t row) const { return csv ? csv->row_numbers[row] : 0; }
    std::string where(size_t row, const char* column) const {
        return file + " row " + std::to_string(row_number(row)) + " " + column;
    }
    // Rows by the value of a column.
    std::unordered_map<std::string, std::vector<size_t>> index(const char* column) const {
        std::unordered_map<std::string, std::vector<size_t>> idx;
        int c = col(column);
        if (c < 0) return idx;
        for (size_t i = 0; i < size(); ++i) {
            const std::string& v = cell(i, c);
            if (!v.empty()) idx[v].push_back(i);
        }
        return idx;
    }
};

const std::vector<size_t>& rows_of(const std::unordered_map<std::string, std::vector<size_t>>& idx, const std::string& key) {
    static const std::vector<size_t> none;
    if (key.empty()) return none;
    auto it = idx.find(key);
    return it == idx.end() ? none : it->second;
}

// An AIRS/211-style code ("BD", "BD-1800.2000"), not a UUID or a number.
bool looks_like_code(const std::string& s) {
    if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
    size_t i = 1;
    if (i < s.size() && s[i] >= 'A' && s[i] <= 'Z') ++i;
    return i == s.size() || (s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
}

}  // namespace

Result<Imported> import_hsds_package(const fs::path& dir, const ImportOptions& opt) {
    Imported out;
    ImportReport& rep = out.report;
    rep.format = "HSDS 1.x data package";
    const CategoryMap& map = opt.categories ? *opt.categories : CategoryMap::builtin();

    // Table files: from datapackage.json when there is one, else by their usual names.
    std::map<std::string, std::string> paths;
    std::error_code ec;
    if (fs::exists(dir / "datapackage.json", ec)) {
        auto text = read_file_limited(dir / "datapackage.json", 16u << 20);
        if (!text) return std::move(text).error();
        json dp = json::parse(*text, nullptr, false);
        if (dp.is_discarded() || !dp.is_object())
            return make_error(Domain::content, Errc::parse, (dir / "datapackage.json").string() + " is not JSON");
        if (dp.contains("resources") && dp["resources"].is_array())
            for (const auto& r : dp["resources"]) {
                if (!r.is_object() || !r.contains("path") || !r["path"].is_string()) continue;
                std::string p = r["path"].get<std::string>();
                if (p.find("..") != std::string::npos || p.empty() || p[0] == '/') continue;
                paths[ascii_lower(fs::path(p).stem().string())] = p;
                if (r.contains("name") && r["name"].is_string()) paths[ascii_lower(r["name"].get<std::string>())] = p;
            }
    }
    std::vector<std::string> missing;
    auto load = [&](std::initializer_list<const char*> names, bool note_missing) -> Result<Table> {
        for (const char* n : names) {
            std::string rel = paths.count(n) ? paths[n] : std::string(n) + ".csv";
            fs::path f = dir / rel;
            if (!fs::exists(f, ec)) continue;
            auto t = read_csv(f);
            if (!t) return std::move(t).error();
            for (const auto& note : t->notes) rep.notes.push_back(note);
            Table tb;
            tb.file = fs::path(rel).filename().string();
            tb.csv = std::move(*t);
            return tb;
        }
        if (note_missing) missing.push_back(*names.begin());
        return Table{};
    };
    auto services = load({"services"}, false);
    if (!services) return std::move(services).error();
    if (!services->csv)
        return make_error(Domain::content, Errc::not_found, dir.string() + ": no services table (services.csv)");
    Table orgs, locs, sal, phones, addrs, sched, langs, tax, stax;
    struct Want {
        Table* t;
        std::initializer_list<const char*> names;
    };
    for (auto& w : {Want{&orgs, {"organizations"}}, Want{&locs, {"locations"}},
                    Want{&sal, {"services_at_location", "service_at_location"}}, Want{&phones, {"phones"}},
                    Want{&addrs, {"physical_addresses", "addresses"}}, Want{&sched, {"regular_schedules", "schedules"}},
                    Want{&langs, {"languages"}}, Want{&tax, {"taxonomy", "taxonomy_terms"}},
                    Want{&stax, {"services_taxonomy", "service_attributes", "attributes"}}}) {
        auto t = load(w.names, true);
        if (!t) return std::move(t).error();
        *w.t = std::move(*t);
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        rep.notes.push_back("optional tables not in this package: " + list);
    }

    const Table& sv = *services;
    const int s_id = sv.col("id"), s_org = sv.col("organization_id"), s_name = sv.col("name"),
              s_desc = sv.col("description"), s_url = sv.col("url"), s_status = sv.col("status"),
              s_loc = sv.col("location_id"), s_taxids = sv.col("taxonomy_ids");
    auto org_by_id = orgs.index("id");
    auto loc_by_id = locs.index("id");
    auto sal_by_service = sal.index("service_id");
    auto phones_by_sal = phones.index("service_at_location_id"), phones_by_service = phones.index("service_id"),
         phones_by_loc = phones.index("location_id"), phones_by_org = phones.index("organization_id");
    auto addr_by_loc = addrs.index("location_id");
    auto sched_by_sal = sched.index("service_at_location_id"), sched_by_service = sched.index("service_id"),
         sched_by_loc = sched.index("location_id");
    auto langs_by_service = langs.index("service_id"), langs_by_loc = langs.index("location_id");
    auto tax_by_id = tax.index("id");
    auto stax_by_service = stax.index(stax.col("service_id") >= 0 ? "service_id" : "link_id");
    const int stax_term = stax.col("taxonomy_id") >= 0 ? stax.col("taxonomy_id") : stax.col("taxonomy_term_id");
    const int t_name = tax.col("name") >= 0 ? tax.col("name") : tax.col("term"), t_code = tax.col("code"),
              t_parent = tax.col("parent_id"), t_id = tax.col("id");
    const int p_number = phones.col("number"), p_type = phones.col("type"), p_lang = phones.col("language"),
              p_service = phones.col("service_id"), p_loc = phones.col("location_id"), p_sal = phones.col("service_at_location_id");
    const int sc_service = sched.col("service_id"), sc_loc = sched.col("location_id"), sc_weekday = sched.col("weekday"),
              sc_byday = sched.col("byday"), sc_freq = sched.col("freq"), sc_open = sched.col("opens_at"),
              sc_close = sched.col("closes_at");
    const int a_type = addrs.col("address_type");
    const int l_lang = langs.col("language") >= 0 ? langs.col("language") : langs.col("code"),
              l_name = langs.col("name"), l_service = langs.col("service_id");

    // The category of a taxonomy term: its own code or name, else its parents'.
    std::unordered_map<std::string, std::string> term_category;
    auto term_cat = [&](const std::string& term_id) -> std::string {
        if (auto it = term_category.find(term_id); it != term_category.end()) return it->second;
        std::string found, id = term_id;
        for (int depth = 0; depth < 12 && !id.empty() && found.empty(); ++depth) {
            const auto& rows = rows_of(tax_by_id, id);
            if (rows.empty()) {
                found = map.lookup(looks_like_code(id) ? id : "", "");
                break;
            }
            size_t tr = rows[0];
            std::string code = t_code >= 0 ? tax.cell(tr, t_code) : (looks_like_code(id) ? id : "");
            found = map.lookup(code, tax.cell(tr, t_name));
            id = tax.cell(tr, t_parent);
        }
        term_category[term_id] = found;
        return found;
    };
    auto term_label = [&](const std::string& term_id) {
        const auto& rows = rows_of(tax_by_id, term_id);
        if (rows.empty()) return term_id;
        std::string n = tax.cell(rows[0], t_name);
        std::string code = t_code >= 0 ? tax.cell(rows[0], t_code) : "";
        return code.empty() ? (n.empty() ? term_id : n) : code + " " + n;
    };

    std::vector<std::pair<Resource, ImportProblem>> drafts;
    for (size_t i = 0; i < sv.size(); ++i) {
        ++rep.rows_read;
        const size_t rownum = sv.row_number(i);
        std::string status = ascii_lower(trim(sv.cell(i, s_status)));
        if (!status.empty() && status != "active") {
            ++rep.inactive;
            continue;
        }
        std::string sid = trim(sv.cell(i, s_id));
        if (sid.empty()) {
            RowCheck(rep, sv.file, rownum).skip("id", "missing id");
            continue;
        }
        Record base;
        base.name = sv.cell(i, s_name);
        base.description = sv.cell(i, s_desc);
        base.url = sv.cell(i, s_url);
        std::string org_id = sv.cell(i, s_org);
        if (const auto& o = rows_of(org_by_id, org_id); !o.empty()) {
            base.org_name = orgs.cell(o[0], orgs.col("name"));
            base.org_description = orgs.cell(o[0], orgs.col("description"));
            base.org_url = orgs.cell(o[0], orgs.col("url")).empty() ? orgs.cell(o[0], orgs.col("website"))
                                                                     : orgs.cell(o[0], orgs.col("url"));
        }
        // Category from the service's taxonomy terms (first that maps).
        std::vector<std::string> term_ids;
        for (size_t r : rows_of(stax_by_service, sid)) term_ids.push_back(stax.cell(r, stax_term));
        if (s_taxids >= 0) {  // HSDS 1.0: services.taxonomy_ids, comma-separated
            std::string ids = sv.cell(i, s_taxids);
            size_t at = 0;
            while (at < ids.size()) {
                size_t comma = ids.find(',', at);
                std::string t = trim(std::string_view(ids).substr(at, comma == std::string::npos ? std::string::npos : comma - at));
                at = comma == std::string::npos ? ids.size() : comma + 1;
                if (!t.empty()) term_ids.push_back(t);
            }
        }
        for (const auto& t : term_ids) {
            std::string c = term_cat(t);
            if (c.empty()) ++rep.unmapped_terms[term_label(t)];
            else if (base.category.empty()) base.category = c;
        }
        if (base.category.empty()) base.category = "other";

        // Where: each service_at_location row (or services.location_id in 1.0), else nowhere in particular.
        std::vector<std::pair<std::string, std::string>> places;  // location id, service_at_location id
        for (size_t r : rows_of(sal_by_service, sid)) {
            std::string loc = sal.cell(r, sal.col("location_id"));
            bool dup = std::any_of(places.begin(), places.end(), [&](const auto& p) { return p.first == loc; });
            if (!loc.empty() && !dup) places.emplace_back(loc, sal.cell(r, sal.col("id")));
        }
        if (places.empty() && !trim(sv.cell(i, s_loc)).empty()) places.emplace_back(trim(sv.cell(i, s_loc)), "");
        if (places.empty()) places.emplace_back("", "");

        for (const auto& [loc, sal_id] : places) {
            Record rec = base;
            rec.several_locations = places.size() > 1;
            rec.source_id = rec.several_locations ? sid + "-" + loc : sid;
            RowCheck rc(rep, sv.file, rownum);
            if (const auto& l = rows_of(loc_by_id, loc); !l.empty()) rec.location_name = locs.cell(l[0], locs.col("name"));
            for (size_t a : rows_of(addr_by_loc, loc)) {
                std::string type = ascii_lower(addrs.cell(a, a_type));
                if (!type.empty() && type != "physical") continue;
                Record::Address ad;
                for (const char* c : {"address_1", "address_2", "address_3", "address_4"}) ad.lines.push_back(addrs.cell(a, addrs.col(c)));
                ad.city = addrs.cell(a, addrs.col("city"));
                ad.state = addrs.cell(a, addrs.col("state_province"));
                ad.postal = addrs.cell(a, addrs.col("postal_code"));
                ad.where = addrs.where(a, "address_1");
                rec.address = std::move(ad);
                break;
            }
            // Phones: at this service-at-location, of the service (here or anywhere), of the location, of the organization.
            std::vector<size_t> ph;
            auto add_rows = [&](const std::vector<size_t>& rows, auto keep) {
                for (size_t r : rows)
                    if (keep(r) && std::find(ph.begin(), ph.end(), r) == ph.end()) ph.push_back(r);
            };
            add_rows(rows_of(phones_by_sal, sal_id), [](size_t) { return true; });
            add_rows(rows_of(phones_by_service, sid), [&](size_t r) {
                std::string pl = phones.cell(r, p_loc);
                return pl.empty() || pl == loc;
            });
            add_rows(rows_of(phones_by_loc, loc), [&](size_t r) { return phones.cell(r, p_service).empty(); });
            add_rows(rows_of(phones_by_org, org_id), [&](size_t r) {
                return phones.cell(r, p_service).empty() && phones.cell(r, p_loc).empty() && phones.cell(r, p_sal).empty();
            });
            for (size_t r : ph)
                rec.phones.push_back({phones.cell(r, p_number), phones.cell(r, p_type), phones.where(r, "number"),
                                      phones.cell(r, p_lang)});
            // Hours: the most specific level that has any.
            std::vector<size_t> sc = rows_of(sched_by_sal, sal_id);
            if (sc.empty())
                for (size_t r : rows_of(sched_by_service, sid)) {
                    std::string sl = sched.cell(r, sc_loc);
                    if (sl.empty() || sl == loc) sc.push_back(r);
                }
            if (sc.empty())
                for (size_t r : rows_of(sched_by_loc, loc))
                    if (sched.cell(r, sc_service).empty()) sc.push_back(r);
            for (size_t r : sc)
                rec.schedules.push_back({sched.where(r, sc_weekday >= 0 ? "weekday" : "byday"), sched.cell(r, sc_weekday),
                                         sched.cell(r, sc_byday), sched.cell(r, sc_freq), sched.cell(r, sc_open),
                                         sched.cell(r, sc_close)});
            auto add_lang = [&](size_t r) {
                std::string v = langs.cell(r, l_lang);
                if (v.empty()) v = langs.cell(r, l_name);
                rec.languages.emplace_back(v, langs.where(r, "language"));
            };
            for (size_t r : rows_of(langs_by_service, sid)) add_lang(r);
            for (size_t r : rows_of(langs_by_loc, loc))
                if (langs.cell(r, l_service).empty()) add_lang(r);
            if (auto res = make_resource(rec, rc, opt))
                drafts.emplace_back(std::move(*res), ImportProblem{sv.file, rownum, "id", ""});
        }
    }
    (void)t_id;
    drop_duplicates(drafts, rep, out.resources);
    return out;
}

// ---------------------------------------------------------------- HSDS 3.x

namespace {

std::string jstr(const json& o, const char* key) {
    if (!o.is_object()) return "";
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
    if (it->is_number()) return it->dump();
    return "";
}

const json& jarr(const json& o, const char* key) {
    static const json empty = json::array();
    if (!o.is_object()) return empty;
    auto it = o.find(key);
    return it != o.end() && it->is_array() ? *it : empty;
}

std::string sub(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

void add_json_phones(Record& rec, const json& list, const std::string& where) {
    size_t i = 0;
    for (const auto& p : list) {
        std::string langs;
        for (const auto& l : jarr(p, "languages")) {
            std::string v = jstr(l, "code").empty() ? jstr(l, "name") : jstr(l, "code");
            if (!v.empty()) langs += (langs.empty() ? "" : ",") + v;
        }
        rec.phones.push_back({jstr(p, "number"), jstr(p, "type"), sub(where, "phones[" + std::to_string(i++) + "].number"), langs});
    }
}

void add_json_schedules(Record& rec, const json& list, const std::string& where) {
    size_t i = 0;
    for (const auto& s : list)
        rec.schedules.push_back({sub(where, "schedules[" + std::to_string(i++) + "]"), "", jstr(s, "byday"), jstr(s, "freq"),
                                 jstr(s, "opens_at"), jstr(s, "closes_at")});
}

void add_json_languages(Record& rec, const json& list, const std::string& where) {
    size_t i = 0;
    for (const auto& l : list) {
        std::string v = jstr(l, "code").empty() ? jstr(l, "name") : jstr(l, "code");
        rec.languages.emplace_back(v, sub(where, "languages[" + std::to_string(i++) + "]"));
    }
}

}  // namespace

Result<Imported> import_hsds_json(const fs::path& file, const ImportOptions& opt) {
    auto text = read_file_limited(file, kMaxJsonBytes);
    if (!text) return std::move(text).error();
    auto dec = decode_text(*text, file.filename().string());
    if (!dec) return std::move(dec).error();
    json root = json::parse(dec->text, nullptr, false);
    const std::string fname = file.filename().string();
    if (root.is_discarded()) return make_error(Domain::content, Errc::parse, fname + " is not valid JSON");
    Imported out;
    ImportReport& rep = out.report;
    rep.format = "HSDS 3.x JSON";
    if (dec->from_windows_1252) rep.notes.push_back(fname + ": not UTF-8; read as Windows-1252 and converted");
    const CategoryMap& map = opt.categories ? *opt.categories : CategoryMap::builtin();

    // A list of services, an API page {"contents": [...]}, an organization with its services, or one service.
    std::vector<std::pair<const json*, const json*>> services;  // service, organization it is nested in
    std::string path = "services";
    if (root.is_array()) {
        for (const auto& s : root) services.emplace_back(&s, nullptr);
    } else if (root.is_object() && root.contains("contents") && root["contents"].is_array()) {
        path = "contents";
        for (const auto& s : root["contents"]) services.emplace_back(&s, nullptr);
    } else if (root.is_object() && root.contains("services") && root["services"].is_array()) {
        for (const auto& s : root["services"]) services.emplace_back(&s, &root);
    } else if (root.is_object() && root.contains("name")) {
        path = "service";
        services.emplace_back(&root, nullptr);
    } else {
        return make_error(Domain::content, Errc::validation,
                          fname + ": not HSDS 3.x JSON (a service, a list of services, or {\"contents\": [...]})");
    }
    std::vector<std::pair<Resource, ImportProblem>> drafts;
    for (size_t i = 0; i < services.size(); ++i) {
        ++rep.rows_read;
        const json& s = *services[i].first;
        std::string where = path == "service" ? path : path + "[" + std::to_string(i) + "]";
        if (!s.is_object()) {
            rep.skipped.push_back({fname, 0, where, "not an object"});
            continue;
        }
        std::string status = ascii_lower(trim(jstr(s, "status")));
        if (!status.empty() && status != "active") {
            ++rep.inactive;
            continue;
        }
        std::string sid = trim(jstr(s, "id"));
        if (sid.empty()) {
            rep.skipped.push_back({fname, 0, where + ".id", "missing id"});
            continue;
        }
        Record base;
        base.name = jstr(s, "name");
        base.description = jstr(s, "description");
        base.url = jstr(s, "url");
        const json* org = s.contains("organization") && s["organization"].is_object() ? &s["organization"] : services[i].second;
        if (org) {
            base.org_name = jstr(*org, "name");
            base.org_description = jstr(*org, "description");
            base.org_url = jstr(*org, "website").empty() ? jstr(*org, "url") : jstr(*org, "website");
        }
        std::vector<std::pair<std::string, std::string>> terms;
        for (const auto& a : jarr(s, "attributes"))
            if (a.contains("taxonomy_term") && a["taxonomy_term"].is_object())
                terms.emplace_back(jstr(a["taxonomy_term"], "code"), jstr(a["taxonomy_term"], "name"));
        for (const auto& t : jarr(s, "taxonomy_terms")) terms.emplace_back(jstr(t, "code"), jstr(t, "name"));
        base.category = category_for(map, terms, rep);
        add_json_languages(base, jarr(s, "languages"), "");

        const json& sals = jarr(s, "service_at_locations");
        size_t n = std::max<size_t>(sals.size(), 1);
        for (size_t k = 0; k < n; ++k) {
            Record rec = base;
            RowCheck rc(rep, fname + " " + where + " (id " + sid + ")", 0);
            const json* sal = k < sals.size() ? &sals[k] : nullptr;
            const json* loc = sal && sal->contains("location") && (*sal)["location"].is_object() ? &(*sal)["location"] : nullptr;
            rec.several_locations = sals.size() > 1;
            std::string loc_id = loc ? jstr(*loc, "id") : "";
            if (loc_id.empty() && sal) loc_id = jstr(*sal, "id");
            rec.source_id = rec.several_locations ? sid + "-" + loc_id : sid;
            std::string sal_at = "service_at_locations[" + std::to_string(k) + "]";
            if (sal) add_json_phones(rec, jarr(*sal, "phones"), sal_at);
            add_json_phones(rec, jarr(s, "phones"), "");
            if (loc) {
                rec.location_name = jstr(*loc, "name");
                add_json_phones(rec, jarr(*loc, "phones"), sal_at + ".location");
                add_json_languages(rec, jarr(*loc, "languages"), sal_at + ".location");
                const json* chosen = nullptr;
                for (const auto& a : jarr(*loc, "addresses")) {
                    std::string type = ascii_lower(jstr(a, "address_type"));
                    if (type.empty() || type == "physical") {
                        chosen = &a;
                        break;
                    }
                    if (type == "postal" && !chosen) chosen = &a;
                }
                if (chosen) {
                    Record::Address ad;
                    for (const char* c : {"address_1", "address_2", "address_3", "address_4"}) ad.lines.push_back(jstr(*chosen, c));
                    ad.city = jstr(*chosen, "city");
                    ad.state = jstr(*chosen, "state_province");
                    ad.postal = jstr(*chosen, "postal_code");
                    ad.where = sal_at + ".location.addresses";
                    rec.address = std::move(ad);
                }
            }
            if (org) add_json_phones(rec, jarr(*org, "phones"), "organization");
            // Hours: the service at this location, else the service, else the location.
            if (sal) add_json_schedules(rec, jarr(*sal, "schedules"), sal_at);
            if (rec.schedules.empty()) add_json_schedules(rec, jarr(s, "schedules"), "");
            if (rec.schedules.empty() && loc) add_json_schedules(rec, jarr(*loc, "schedules"), sal_at + ".location");
            if (auto res = make_resource(rec, rc, opt))
                drafts.emplace_back(std::move(*res), ImportProblem{fname + " " + where, 0, "id", ""});
        }
    }
    drop_duplicates(drafts, rep, out.resources);
    return out;
}

}  // namespace lasr::ctl
