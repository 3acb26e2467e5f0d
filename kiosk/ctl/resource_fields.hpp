// Field checks shared by the HSDS and spreadsheet importers (internal to
// resource_import.cpp, hsds_import.cpp and sheet_import.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/ctl/resource_import.hpp"

namespace lasr::ctl::detail {

// One source record: its fields are cleaned and checked here, and every
// problem is reported against its file, row and column.
class RowCheck {
public:
    RowCheck(ImportReport& report, std::string file, size_t row)
        : report_(report), file_(std::move(file)), row_(row) {}

    // Free text, cleaned (control characters removed, length bounded), with
    // a warning when it had to change.
    std::string text(std::string_view column, std::string_view value, size_t max_chars, bool newlines = false);
    // A phone number as dialled; false (and the record skipped) when it is
    // not one. An extension is left out with a warning (a QR code dials only
    // the number).
    bool phone(std::string_view column, std::string_view value, std::string& out);
    // An http(s) URL; "www.example.org" gets https:// with a warning; false
    // (and the record skipped) when it is not a web address.
    bool url(std::string_view column, std::string_view value, std::string& out);

    void skip(std::string_view column, std::string message);
    void warn(std::string_view column, std::string message);
    bool skipped() const { return skipped_; }
    const std::string& file() const { return file_; }
    size_t row() const { return row_; }

private:
    ImportReport& report_;
    std::string file_;
    size_t row_;
    bool skipped_ = false;
};

// "HH:MM" from "9:00", "09:00:00", "17:30-05:00", "10:00Z", "9am", "5:30 pm",
// "noon", "midnight"; nullopt when it is not a time of day. With
// `need_marker`, a bare hour ("9") is refused as ambiguous.
std::optional<std::string> parse_clock(std::string_view s, bool need_marker = false);
// 0 (Monday) .. 6 (Sunday) from 1..7 (HSDS: 1 = Monday), "Monday", "mon", "MO".
std::optional<int> parse_weekday(std::string_view s);
extern const char* const kDayNames[7];  // "mon".."sun"

struct DayHours {
    int day = 0;  // 0 = Monday
    std::string open, close;  // "HH:MM"; close may be "24:00"
};
// Groups day-by-day hours into the manifest's spans (days sharing the same
// times together, Monday first); all seven days 00:00-24:00 is always_open.
void set_hours(std::vector<DayHours> days, Resource& r);

// A manifest id from a source id: lower case, [a-z0-9._-], at most 64
// characters (a longer one keeps its start and gets a hash of the whole).
std::string stable_id(std::string_view prefix, std::string_view source_id);

// An ISO 639-1 code from a code or an English name ("Spanish", "spa", "es",
// "es-MX" -> "es"); nullopt when unknown.
std::optional<std::string> language_code(std::string_view s);
// Adds a language (by code or name) to the list once; false when unknown.
bool add_language(std::vector<std::string>& list, std::string_view value);

// The category for a list of taxonomy terms (code, name): the first term that
// maps; unmapped terms are counted in the report; "other" when none maps.
std::string category_for(const CategoryMap& map, const std::vector<std::pair<std::string, std::string>>& terms,
                         ImportReport& report);

// Leaves out resources whose id came up before (reported as skipped), counts
// the rest as imported.
void drop_duplicates(std::vector<std::pair<Resource, ImportProblem>>& drafts, ImportReport& report,
                     std::vector<Resource>& out);

}  // namespace lasr::ctl::detail
