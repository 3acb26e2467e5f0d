// CSV files as spreadsheets and 211 exports write them (RFC 4180: quoted
// fields, doubled quotes, commas and newlines inside quotes, CR LF), read
// with libcsv. The only code that includes <csv.h>.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"

namespace lasr::ctl {

struct CsvTable {
    std::string name;                             // for messages: the file name
    std::vector<std::string> header;              // trimmed, lower case
    std::vector<std::vector<std::string>> rows;   // data rows (UTF-8), in order
    std::vector<size_t> row_numbers;              // each row's number as a spreadsheet shows it (header = 1)
    std::vector<std::string> notes;               // encoding converted, delimiter guessed, ...

    // The index of a column (case-insensitive), or -1.
    int column(std::string_view name) const;
    // A cell, "" when the column is absent or the row is short.
    const std::string& cell(size_t row, int column) const;
};

// Parses CSV bytes: a UTF-8 BOM is dropped, Windows-1252 is converted (with
// a note), the delimiter is ',' unless the header holds more ';' or tabs
// (Excel in some locales). Rows whose cells are all empty are left out.
// An error for an unterminated quoted field or a file with no header.
Result<CsvTable> parse_csv(std::string_view bytes, const std::string& name);
Result<CsvTable> read_csv(const std::filesystem::path& file);

// One field as CSV writes it: quoted (quotes doubled) when it holds a comma,
// a quote, a newline, or spaces at its ends.
std::string csv_field(std::string_view value);
// A whole line (fields joined with ',', ending in CR LF as RFC 4180 says).
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace lasr::ctl
