#include "kiosk/ctl/resource_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "kiosk/ctl/text_clean.hpp"
#include "media/crypto.hpp"

namespace lasr::ctl::detail {

const char* const kDayNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && ascii_lower(s.substr(0, prefix.size())) == prefix;
}

}  // namespace

std::string RowCheck::text(std::string_view column, std::string_view value, size_t max_chars, bool newlines) {
    Cleaned c = clean_text(value, max_chars, newlines);
    if (c.controls_removed)
        warn(column, std::to_string(c.controls_removed) + " control character" + (c.controls_removed == 1 ? "" : "s") +
                         " removed");
    if (c.truncated) warn(column, "longer than " + std::to_string(max_chars) + " characters; cut");
    return c.text;
}

bool RowCheck::phone(std::string_view column, std::string_view value, std::string& out) {
    std::string v = trim(value);
    // Exports sometimes quote the number inside the field ("\"+44 1234\"").
    while (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = trim(std::string_view(v).substr(1, v.size() - 2));
    std::string lower = ascii_lower(v);
    for (const char* ext : {" ext.", " ext", " x", ",", ";"}) {
        if (auto at = lower.find(ext); at != std::string::npos && at > 0) {
            warn(column, "extension \"" + trim(std::string_view(v).substr(at)) +
                             "\" left out (a QR code dials only the number)");
            v = trim(std::string_view(v).substr(0, at));
            break;
        }
    }
    size_t digits = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (c >= '0' && c <= '9') ++digits;
        else if (c == '+' && i == 0) continue;
        else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') continue;
        else if (std::isalpha(static_cast<unsigned char>(c))) {
            skip(column, "bad phone \"" + v + "\": letters (write the digits, e.g. 1-800-366-3669)");
            return false;
        } else {
            skip(column, "bad phone \"" + v + "\": \"" + std::string(1, c) + "\" is not part of a phone number");
            return false;
        }
    }
    if (digits < 3 || digits > 15) {
        skip(column, "bad phone \"" + v + "\": " + std::to_string(digits) + " digits (3 to 15)");
        return false;
    }
    out = v;
    return true;
}

bool RowCheck::url(std::string_view column, std::string_view value, std::string& out) {
    std::string v = trim(value);
    if (v.size() > kMaxUrlChars) {
        skip(column, "bad URL: longer than " + std::to_string(kMaxUrlChars) + " characters");
        return false;
    }
    for (char c : v)
        if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\') {
            skip(column, "bad URL \"" + v + "\": it holds spaces or other characters a web address cannot have");
            return false;
        }
    if (v.find('@') != std::string::npos && v.find('/') == std::string::npos) {
        skip(column, "bad URL \"" + v + "\": an e-mail address, not a website");
        return false;
    }
    size_t host_at = 0;
    if (starts_with_ci(v, "https://")) host_at = 8;
    else if (starts_with_ci(v, "http://")) host_at = 7;
    else if (v.find("://") != std::string::npos || starts_with_ci(v, "mailto:") || starts_with_ci(v, "javascript:")) {
        skip(column, "bad URL \"" + v + "\": only http:// and https:// addresses");
        return false;
    }
    std::string host = v.substr(host_at, v.find_first_of("/?#", host_at) - host_at);
    bool ok = !host.empty() && host.find('.') != std::string::npos && host.front() != '.' && host.back() != '.';
    for (char c : host) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':');
    if (!ok) {
        skip(column, "bad URL \"" + v + "\": \"" + host + "\" is not a web server name");
        return false;
    }
    if (host_at == 0) {
        v = "https://" + v;
        warn(column, "no http:// or https://; written as " + v);
    } else {
        // Lower-case the scheme.
        v = ascii_lower(v.substr(0, host_at)) + v.substr(host_at);
    }
    out = v;
    return true;
}

void RowCheck::skip(std::string_view column, std::string message) {
    if (skipped_) return;  // one reason per record: the first
    skipped_ = true;
    report_.skipped.push_back({file_, row_, std::string(column), std::move(message)});
}

void RowCheck::warn(std::string_view column, std::string message) {
    // A service at several locations is checked once per location: say it once.
    auto& w = report_.warnings;
    for (size_t i = w.size(), n = 0; i > 0 && n < 16; --i, ++n)
        if (w[i - 1].file == file_ && w[i - 1].row == row_ && w[i - 1].column == column && w[i - 1].message == message)
            return;
    report_.warnings.push_back({file_, row_, std::string(column), std::move(message)});
}

std::optional<std::string> parse_clock(std::string_view in, bool need_marker) {
    std::string s = ascii_lower(trim(in));
    if (s == "noon") return "12:00";
    if (s == "midnight") return "24:00";
    size_t i = 0;
    auto digits = [&](size_t max) {
        int v = 0;
        size_t n = 0;
        while (i < s.size() && n < max && std::isdigit(static_cast<unsigned char>(s[i]))) {
            v = v * 10 + (s[i++] - '0');
            ++n;
        }
        return n ? v : -1;
    };
    int h = digits(2), m = 0;
    if (h < 0) return std::nullopt;
    bool colon = false;
    if (i < s.size() && (s[i] == ':' || s[i] == '.')) {
        ++i;
        size_t at = i;
        m = digits(2);
        if (m < 0 || i - at != 2) return std::nullopt;
        colon = true;
        if (i < s.size() && s[i] == ':') {  // seconds, ignored
            ++i;
            if (digits(2) < 0) return std::nullopt;
            if (i < s.size() && s[i] == '.') {
                ++i;
                while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
            }
        }
    }
    while (i < s.size() && s[i] == ' ') ++i;
    std::string rest = s.substr(i);
    bool pm = rest == "pm" || rest == "p.m." || rest == "p";
    bool am = rest == "am" || rest == "a.m." || rest == "a";
    if (am || pm) {
        if (h < 1 || h > 12) return std::nullopt;
        if (h == 12) h = 0;
        if (pm) h += 12;
    } else if (!rest.empty()) {
        // A time zone ("Z", "-05:00", "+01"): the kiosk shows local hours as written.
        if (!(rest[0] == 'z' || rest[0] == '+' || rest[0] == '-')) return std::nullopt;
        if (!colon) return std::nullopt;
    } else if (!colon && need_marker) {
        return std::nullopt;
    }
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
    return std::string(buf);
}

std::optional<int> parse_weekday(std::string_view in) {
    std::string s = ascii_lower(trim(in));
    if (s.size() == 1 && s[0] >= '1' && s[0] <= '7') return s[0] - '1';
    static const std::array<std::string_view, 7> full = {"monday", "tuesday", "wednesday", "thursday",
                                                          "friday", "saturday", "sunday"};
    static const std::array<std::string_view, 7> ical = {"mo", "tu", "we", "th", "fr", "sa", "su"};
    for (int d = 0; d < 7; ++d) {
        if (s == full[static_cast<size_t>(d)] || s == ical[static_cast<size_t>(d)]) return d;
        if (s.size() >= 3 && full[static_cast<size_t>(d)].substr(0, s.size()) == s) return d;  // mon, tues, thur
    }
    return std::nullopt;
}

void set_hours(std::vector<DayHours> days, Resource& r) {
    std::sort(days.begin(), days.end(), [](const DayHours& a, const DayHours& b) {
        return std::tie(a.day, a.open, a.close) < std::tie(b.day, b.open, b.close);
    });
    days.erase(std::unique(days.begin(), days.end(),
                           [](const DayHours& a, const DayHours& b) {
                               return a.day == b.day && a.open == b.open && a.close == b.close;
                           }),
               days.end());
    std::set<int> all_day;
    for (const auto& d : days)
        if (d.open == "00:00" && (d.close == "24:00" || d.close == "23:59")) all_day.insert(d.day);
    if (all_day.size() == 7) {
        r.always_open = true;
        r.hours.clear();
        return;
    }
    // Spans: one per distinct (open, close), in order of their first day.
    std::vector<OpeningSpan> spans;
    for (const auto& d : days) {
        std::string close = d.close == "23:59" ? "24:00" : d.close;
        auto it = std::find_if(spans.begin(), spans.end(),
                               [&](const OpeningSpan& s) { return s.open == d.open && s.close == close; });
        if (it == spans.end()) {
            spans.push_back({{}, d.open, close});
            it = spans.end() - 1;
        }
        std::string name = kDayNames[d.day];
        if (std::find(it->days.begin(), it->days.end(), name) == it->days.end()) it->days.push_back(name);
    }
    r.hours = std::move(spans);
}

std::string stable_id(std::string_view prefix, std::string_view source_id) {
    std::string raw = std::string(prefix) + trim(source_id);
    std::string id;
    for (char c : raw) {
        char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
        if (!ok) l = '-';
        if (l == '-' && !id.empty() && id.back() == '-') continue;
        id += l;
    }
    while (!id.empty() && (id.back() == '-' || id.back() == '.')) id.pop_back();
    while (!id.empty() && (id.front() == '-' || id.front() == '.')) id.erase(0, 1);
    if (id.empty() || id.size() > 64) {
        std::string hash = crypto::sha256_hex(raw).substr(0, 16);
        id = id.substr(0, 47);
        while (!id.empty() && (id.back() == '-' || id.back() == '.')) id.pop_back();
        id = id.empty() ? "r-" + hash : id + "-" + hash;
    }
    return id;
}

std::optional<std::string> language_code(std::string_view in) {
    struct Lang {
        const char* code;
        const char* three;
        const char* name;
    };
    static const Lang langs[] = {
        {"en", "eng", "english"},    {"es", "spa", "spanish"},     {"fr", "fra", "french"},
        {"de", "deu", "german"},     {"it", "ita", "italian"},     {"pt", "por", "portuguese"},
        {"zh", "zho", "chinese"},    {"vi", "vie", "vietnamese"},  {"ko", "kor", "korean"},
        {"ja", "jpn", "japanese"},   {"tl", "tgl", "tagalog"},     {"ar", "ara", "arabic"},
        {"ru", "rus", "russian"},    {"ht", "hat", "haitian creole"}, {"pl", "pol", "polish"},
        {"uk", "ukr", "ukrainian"},  {"fa", "fas", "persian"},     {"hi", "hin", "hindi"},
        {"ur", "urd", "urdu"},       {"bn", "ben", "bengali"},     {"so", "som", "somali"},
        {"am", "amh", "amharic"},    {"hmn", "hmn", "hmong"},      {"km", "khm", "khmer"},
        {"lo", "lao", "lao"},        {"ne", "nep", "nepali"},      {"sw", "swa", "swahili"},
        {"my", "mya", "burmese"},    {"el", "ell", "greek"},       {"he", "heb", "hebrew"},
        {"hy", "hye", "armenian"},   {"pa", "pan", "punjabi"},     {"gu", "guj", "gujarati"},
        {"ta", "tam", "tamil"},      {"te", "tel", "telugu"},      {"th", "tha", "thai"},
        {"tr", "tur", "turkish"},    {"ro", "ron", "romanian"},    {"nl", "nld", "dutch"},
        {"sq", "sqi", "albanian"},   {"bs", "bos", "bosnian"},     {"hr", "hrv", "croatian"},
        {"sr", "srp", "serbian"},    {"ps", "pus", "pashto"},      {"prs", "prs", "dari"},
        {"ti", "tir", "tigrinya"},   {"yi", "yid", "yiddish"},     {"sm", "smo", "samoan"},
        {"sk", "slk", "slovak"},     {"cs", "ces", "czech"},       {"hu", "hun", "hungarian"},
        {"ase", "ase", "american sign language"},
    };
    std::string s = ascii_lower(trim(in));
    if (auto dash = s.find_first_of("-_"); dash != std::string::npos && dash >= 2 && dash <= 3) s = s.substr(0, dash);
    if (s == "asl") s = "ase";
    if (s == "chi") s = "zho";  // ISO 639-2/B codes
    if (s == "fre") s = "fra";
    if (s == "ger") s = "deu";
    if (s == "per") s = "fas";
    if (s == "mandarin" || s == "cantonese") s = "chinese";
    if (s == "farsi") s = "persian";
    if (s == "creole") s = "haitian creole";
    for (const auto& l : langs)
        if (s == l.code || s == l.three || s == l.name) return std::string(l.code);
    return std::nullopt;
}

bool add_language(std::vector<std::string>& list, std::string_view value) {
    auto code = language_code(value);
    if (!code) return false;
    if (std::find(list.begin(), list.end(), *code) == list.end()) list.push_back(*code);
    return true;
}

std::string category_for(const CategoryMap& map, const std::vector<std::pair<std::string, std::string>>& terms,
                         ImportReport& report) {
    std::string found;
    for (const auto& [code, name] : terms) {
        std::string c = map.lookup(code, name);
        if (!c.empty()) {
            if (found.empty()) found = c;
            continue;
        }
        std::string label = name.empty() ? code : (code.empty() ? name : code + " " + name);
        if (!label.empty()) ++report.unmapped_terms[label];
    }
    return found.empty() ? "other" : found;
}

void drop_duplicates(std::vector<std::pair<Resource, ImportProblem>>& drafts, ImportReport& report,
                     std::vector<Resource>& out) {
    std::map<std::string, const ImportProblem*> seen;
    for (auto& [r, where] : drafts) {
        auto [it, fresh] = seen.emplace(r.id, &where);
        if (!fresh) {
            ImportProblem p = where;
            p.column = "id";
            p.message = "duplicate id \"" + r.id + "\" (first used at " + it->second->file +
                        (it->second->row ? " row " + std::to_string(it->second->row) : "") + ")";
            report.skipped.push_back(std::move(p));
            continue;
        }
        out.push_back(std::move(r));
    }
    report.imported = out.size();
}

}  // namespace lasr::ctl::detail
