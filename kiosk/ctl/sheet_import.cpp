// The spreadsheet template: one row per resource (see resource_template_csv).
#include <algorithm>
#include <set>

#include "kiosk/ctl/csv.hpp"
#include "kiosk/ctl/resource_fields.hpp"
#include "kiosk/ctl/text_clean.hpp"

namespace lasr::ctl {

Result<Imported> import_sheet(const std::filesystem::path& file, const ImportOptions& options);

namespace detail {

// Opening hours as people write them in a spreadsheet:
//   "Mon-Fri 09:00-17:00; Sat 10:00-14:00", "Tue, Thu 9am-1pm",
//   "daily 8:00-20:00", "Mon 9:00-12:00, 13:00-17:00", "24/7".
// False with the reason when it does not parse.
bool parse_hours_text(std::string_view text, std::vector<DayHours>& out, bool& always_open, std::string& why) {
    std::string s = ascii_lower(trim(text));
    for (std::string_view dash : {"\xE2\x80\x93", "\xE2\x80\x94"}) {  // en and em dashes
        for (size_t at; (at = s.find(dash)) != std::string::npos;) s.replace(at, dash.size(), "-");
    }
    if (s == "24/7" || s == "24 hours" || s == "always" || s == "always open" || s == "open 24 hours") {
        always_open = true;
        return true;
    }
    std::vector<std::string> spans;
    {
        std::string cur;
        for (char c : s) {
            if (c == ';' || c == '\n') {
                spans.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        spans.push_back(cur);
    }
    for (std::string span : spans) {
        span = trim(span);
        if (span.empty()) continue;
        size_t p = span.find_first_of("0123456789");
        for (std::string_view word : {"noon", "midnight"})
            if (auto at = span.find(word); at != std::string::npos && at < p) p = at;
        if (p == std::string::npos) {
            why = "\"" + span + "\" has no times (write e.g. Mon-Fri 09:00-17:00)";
            return false;
        }
        std::string days = trim(std::string_view(span).substr(0, p));
        std::string times = span.substr(p);
        // Days: "mon-fri", "mon - fri", "tue, thu", "daily", "weekdays", "weekends".
        std::vector<int> day_list;
        std::string norm;
        for (size_t i = 0; i < days.size(); ++i) {
            if (days[i] == ' ' && ((i + 1 < days.size() && days[i + 1] == '-') || (!norm.empty() && norm.back() == '-')))
                continue;
            norm += days[i] == ',' || days[i] == '&' ? ' ' : days[i];
        }
        if (auto at = norm.find("every day"); at != std::string::npos) norm.replace(at, 9, "daily");
        if (norm.empty()) norm = "daily";
        size_t i = 0;
        while (i < norm.size()) {
            while (i < norm.size() && norm[i] == ' ') ++i;
            size_t j = norm.find(' ', i);
            std::string tok = norm.substr(i, j == std::string::npos ? std::string::npos : j - i);
            i = j == std::string::npos ? norm.size() : j;
            if (tok.empty() || tok == "and") continue;
            if (tok.back() == ':') tok.pop_back();
            if (tok == "daily" || tok == "everyday") {
                for (int d = 0; d < 7; ++d) day_list.push_back(d);
            } else if (tok == "weekdays") {
                for (int d = 0; d < 5; ++d) day_list.push_back(d);
            } else if (tok == "weekends") {
                day_list.push_back(5);
                day_list.push_back(6);
            } else if (auto dash = tok.find('-'); dash != std::string::npos) {
                auto a = parse_weekday(tok.substr(0, dash)), b = parse_weekday(tok.substr(dash + 1));
                if (!a || !b || std::isdigit(static_cast<unsigned char>(tok[0]))) {
                    why = "\"" + tok + "\" is not a range of days (write e.g. Mon-Fri)";
                    return false;
                }
                for (int d = *a;; d = (d + 1) % 7) {
                    day_list.push_back(d);
                    if (d == *b) break;
                }
            } else {
                auto d = parse_weekday(tok);
                if (!d || std::isdigit(static_cast<unsigned char>(tok[0]))) {
                    why = "\"" + tok + "\" is not a day (Mon, Tue, ... Sun, daily, weekdays, weekends)";
                    return false;
                }
                day_list.push_back(*d);
            }
        }
        // Times: "09:00-17:00", "9am to 5pm", "9:00-12:00, 13:00-17:00".
        for (size_t at; (at = times.find(" to ")) != std::string::npos;) times.replace(at, 4, "-");
        std::vector<std::string> ranges;
        std::string cur;
        for (char c : times) {
            if (c == ',' || c == '&') {
                ranges.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        ranges.push_back(cur);
        for (const auto& range : ranges) {
            std::string r = trim(range);
            if (r.empty()) continue;
            auto dash = r.find('-');
            if (dash == std::string::npos) {
                why = "\"" + r + "\" is not a time range (write e.g. 09:00-17:00)";
                return false;
            }
            auto open = parse_clock(r.substr(0, dash), true), close = parse_clock(r.substr(dash + 1), true);
            if (!open || !close) {
                why = "\"" + r + "\" is not a time range (write 24-hour times like 09:00-17:00, or 9am-5pm)";
                return false;
            }
            if (*open == "24:00") *open = "00:00";
            if (*close == "00:00") *close = "24:00";
            if (*open == *close) {
                why = "\"" + r + "\" opens and closes at the same time";
                return false;
            }
            for (int d : day_list) out.push_back({d, *open, *close});
        }
    }
    if (out.empty() && !always_open) {
        why = "no opening hours in \"" + std::string(text) + "\"";
        return false;
    }
    return true;
}

namespace {

std::optional<bool> yes_no(std::string_view v) {
    std::string s = ascii_lower(trim(v));
    if (s.empty() || s == "no" || s == "n" || s == "false" || s == "0" || s == "non") return false;
    if (s == "yes" || s == "y" || s == "true" || s == "1" || s == "x" || s == "si" || s == "s\xC3\xAD" || s == "oui")
        return true;
    return std::nullopt;
}

bool is_lang_code(const std::string& s) {
    if (s.size() < 2 || s.size() > 8) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

}  // namespace
}  // namespace detail

Result<Imported> import_sheet(const std::filesystem::path& file, const ImportOptions& options) {
    using namespace detail;
    auto table = read_csv(file);
    if (!table) return std::move(table).error();
    const CsvTable& t = *table;
    Imported out;
    ImportReport& rep = out.report;
    rep.format = "spreadsheet template";
    rep.notes = t.notes;
    const CategoryMap& map = options.categories ? *options.categories : CategoryMap::builtin();
    const std::string name_file = file.filename().string();
    if (t.column("name") < 0)
        return make_error(Domain::content, Errc::validation,
                          name_file + ": no \"name\" column; is this the resource template? "
                                      "(`lasr-kioskctl resources template` writes one)");
    static const std::set<std::string> known = {"id", "name", "category", "description", "phone", "sms", "website",
                                                "address", "hours", "always_open", "languages", "national", "sample"};
    std::vector<std::pair<int, std::string>> desc_cols;  // column, language
    for (size_t c = 0; c < t.header.size(); ++c) {
        const std::string& h = t.header[c];
        if (h == "description") desc_cols.emplace_back(static_cast<int>(c), options.language);
        else if (h.rfind("description_", 0) == 0 && is_lang_code(h.substr(12)))
            desc_cols.emplace_back(static_cast<int>(c), h.substr(12));
        else if (!known.count(h) && !h.empty())
            rep.notes.push_back(name_file + ": column \"" + h + "\" is not used");
    }
    const int c_id = t.column("id"), c_name = t.column("name"), c_cat = t.column("category"),
              c_phone = t.column("phone"), c_sms = t.column("sms"), c_web = t.column("website"),
              c_addr = t.column("address"), c_hours = t.column("hours"), c_always = t.column("always_open"),
              c_langs = t.column("languages"), c_nat = t.column("national"), c_sample = t.column("sample");
    std::vector<std::pair<Resource, ImportProblem>> drafts;
    size_t made_ids = 0;
    for (size_t i = 0; i < t.rows.size(); ++i) {
        ++rep.rows_read;
        RowCheck rc(rep, name_file, t.row_numbers[i]);
        Resource r;
        r.name = rc.text("name", t.cell(i, c_name), kMaxNameChars);
        if (r.name.empty()) {
            rc.skip("name", "missing name");
            continue;
        }
        std::string id = trim(t.cell(i, c_id));
        if (id.empty()) {
            ++made_ids;
            r.id = stable_id("", r.name);
        } else {
            r.id = stable_id("", id);
            if (r.id != id) rc.warn("id", "\"" + id + "\" written as \"" + r.id + "\" (a-z, 0-9, '-', '_', '.')");
        }
        std::string cat = ascii_lower(trim(t.cell(i, c_cat)));
        r.category = map.lookup("", cat);
        if (r.category.empty()) {
            r.category = "other";
            if (!cat.empty()) ++rep.unmapped_terms[cat];
        }
        for (const auto& [col, lang] : desc_cols) {
            std::string d = rc.text(t.header[static_cast<size_t>(col)], t.cell(i, col), kMaxDescriptionChars, true);
            if (!d.empty()) r.description.by_lang[lang] = d;
        }
        if (r.description.empty()) {
            rc.skip(desc_cols.empty() ? "description_en" : t.header[static_cast<size_t>(desc_cols[0].first)],
                    "missing description");
            continue;
        }
        if (!trim(t.cell(i, c_phone)).empty() && !rc.phone("phone", t.cell(i, c_phone), r.phone)) continue;
        if (!trim(t.cell(i, c_sms)).empty() && !rc.phone("sms", t.cell(i, c_sms), r.sms)) continue;
        if (!trim(t.cell(i, c_web)).empty() && !rc.url("website", t.cell(i, c_web), r.website)) continue;
        r.address = rc.text("address", t.cell(i, c_addr), kMaxAddressChars);
        if (r.phone.empty() && r.sms.empty() && r.website.empty() && r.address.empty()) {
            rc.skip("phone", "needs a phone, a text line (sms), a website or an address");
            continue;
        }
        if (std::string h = trim(t.cell(i, c_hours)); !h.empty()) {
            std::vector<DayHours> days;
            std::string why;
            if (!parse_hours_text(h, days, r.always_open, why)) {
                rc.skip("hours", "hours that do not parse: " + why);
                continue;
            }
            set_hours(std::move(days), r);
        }
        for (auto [col, name, flag] : {std::tuple{c_always, "always_open", &r.always_open},
                                       std::tuple{c_nat, "national", &r.national},
                                       std::tuple{c_sample, "sample", &r.sample}}) {
            auto v = yes_no(t.cell(i, col));
            if (!v) rc.warn(name, "\"" + trim(t.cell(i, col)) + "\" is not yes or no; read as no");
            *flag = *flag || v.value_or(false);
        }
        if (r.always_open) r.hours.clear();
        std::string langs = t.cell(i, c_langs);
        for (char& c : langs)
            if (c == ';' || c == '/') c = ',';
        size_t at = 0;
        while (at <= langs.size()) {
            size_t comma = langs.find(',', at);
            std::string l = trim(std::string_view(langs).substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            if (!l.empty() && !add_language(r.languages, l))
                rc.warn("languages", "\"" + l + "\" is not a language this tool knows; left out (write a code like es)");
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
        drafts.emplace_back(std::move(r), ImportProblem{name_file, t.row_numbers[i], "id", ""});
    }
    if (made_ids)
        rep.notes.push_back(std::to_string(made_ids) + " row" + (made_ids == 1 ? "" : "s") +
                            " without an id: made from the name (fill the id column to keep an id when a name changes)");
    drop_duplicates(drafts, rep, out.resources);
    return out;
}

}  // namespace lasr::ctl
