#include "kiosk/ctl/csv.hpp"

#include <csv.h>

#include "kiosk/ctl/text_clean.hpp"
#include "media/durable.hpp"

namespace lasr::ctl {
namespace {

constexpr size_t kMaxCsvBytes = size_t{512} << 20;

struct Collector {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> current;
};

void on_field(void* s, size_t len, void* data) {
    auto* c = static_cast<Collector*>(data);
    c->current.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
}

void on_row(int, void* data) {
    auto* c = static_cast<Collector*>(data);
    c->rows.push_back(std::move(c->current));
    c->current.clear();
}

unsigned char guess_delimiter(std::string_view text) {
    size_t end = text.find('\n');
    std::string_view first = text.substr(0, end);
    size_t commas = 0, semis = 0, tabs = 0;
    bool quoted = false;
    for (char ch : first) {
        if (ch == '"') quoted = !quoted;
        if (quoted) continue;
        commas += ch == ',';
        semis += ch == ';';
        tabs += ch == '\t';
    }
    if (semis > commas && semis >= tabs) return ';';
    if (tabs > commas && tabs > semis) return '\t';
    return ',';
}

int is_space_no_tab(unsigned char c) { return c == ' '; }

}  // namespace

int CsvTable::column(std::string_view n) const {
    std::string want = ascii_lower(n);
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == want) return static_cast<int>(i);
    return -1;
}

const std::string& CsvTable::cell(size_t row, int col) const {
    static const std::string empty;
    if (col < 0 || row >= rows.size() || static_cast<size_t>(col) >= rows[row].size()) return empty;
    return rows[row][static_cast<size_t>(col)];
}

Result<CsvTable> parse_csv(std::string_view bytes, const std::string& name) {
    auto dec = decode_text(bytes, name);
    if (!dec) return std::move(dec).error();
    CsvTable t;
    t.name = name;
    if (dec->from_windows_1252)
        t.notes.push_back(name + ": not UTF-8; read as Windows-1252 and converted (save as \"CSV UTF-8\" to avoid this)");
    const std::string& text = dec->text;
    unsigned char delim = guess_delimiter(text);
    if (delim != ',')
        t.notes.push_back(name + std::string(": columns are separated by ") + (delim == ';' ? "semicolons" : "tabs"));

    csv_parser p{};
    // Strict: a stray quote inside an unquoted field, or a quoted field that
    // never closes, is an error naming its row rather than a silently merged row.
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) return make_error(Domain::content, Errc::internal, "libcsv: cannot start");
    csv_set_delim(&p, delim);
    if (delim == '\t') csv_set_space_func(&p, is_space_no_tab);
    Collector c;
    size_t done = csv_parse(&p, text.data(), text.size(), on_field, on_row, &c);
    int fin = done == text.size() ? csv_fini(&p, on_field, on_row, &c) : csv_error(&p);
    int err = csv_error(&p);
    std::string why = fin != 0 ? csv_strerror(err) : "";
    csv_free(&p);
    if (fin != 0) {
        size_t row = c.rows.size() + 1;
        if (err == CSV_EPARSE)
            return make_error(Domain::content, Errc::parse,
                              name + " row " + std::to_string(row) +
                                  ": a quote (\") out of place, or a quoted field that never ends; a field "
                                  "holding quotes must be quoted, with each quote doubled (\"\")");
        return make_error(Domain::content, Errc::parse, name + ": " + why);
    }
    if (c.rows.empty()) return make_error(Domain::content, Errc::parse, name + " is empty (no header row)");
    for (auto& h : c.rows[0]) t.header.push_back(ascii_lower(trim(h)));
    for (size_t i = 1; i < c.rows.size(); ++i) {
        bool blank = true;
        for (const auto& f : c.rows[i]) blank = blank && trim(f).empty();
        if (blank) continue;
        t.rows.push_back(std::move(c.rows[i]));
        t.row_numbers.push_back(i + 1);
    }
    return t;
}

Result<CsvTable> read_csv(const std::filesystem::path& file) {
    auto bytes = read_file_limited(file, kMaxCsvBytes);
    if (!bytes) return std::move(bytes).error();
    return parse_csv(*bytes, file.filename().string());
}

std::string csv_field(std::string_view v) {
    bool quote = !v.empty() && (v.front() == ' ' || v.back() == ' ');
    for (char ch : v) quote = quote || ch == ',' || ch == '"' || ch == '\n' || ch == '\r' || ch == ';';
    if (!quote) return std::string(v);
    // csv_write quotes and doubles the quotes inside.
    std::string out(v.size() * 2 + 2, '\0');
    size_t n = csv_write(out.data(), out.size(), v.data(), v.size());
    out.resize(n);
    return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += csv_field(fields[i]);
    }
    return out + "\r\n";
}

}  // namespace lasr::ctl
