// Partner directories from what libraries already have: an Open Referral
// (HSDS) export from a 211 or a city, or the spreadsheet template.
//
//   HSDS 1.x  a tabular data package: datapackage.json + one CSV per table
//             (organizations, services, locations, services_at_location,
//             phones, physical_addresses, regular_schedules, languages,
//             taxonomy + services_taxonomy); every table but services is
//             optional.
//   HSDS 3.x  JSON: one service, a list of services, or an API page
//             ({"contents": [...]}), each with its organization,
//             service_at_locations (location, addresses), phones,
//             schedules, languages and attributes (taxonomy terms).
//   template  one row per resource (see resource_template_csv()).
//
// Each source record becomes a lasr::Resource with a stable id made from its
// source id, so a re-import of an updated export changes only what changed.
// A record that cannot be used is skipped and reported with its file, row,
// column and reason; the rest are imported.
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"
#include "playlists/catalog.hpp"
#include "playlists/manifest.hpp"

namespace lasr::ctl {

// Bounds on imported text, in characters: the manifest's own limits
// (playlists/manifest.hpp), so what is imported always makes a valid pack.
// Longer text is cut with a warning; a longer URL is refused.
inline constexpr size_t kMaxNameChars = lasr::kMaxTitleChars;
inline constexpr size_t kMaxDescriptionChars = lasr::kMaxSummaryChars;
inline constexpr size_t kMaxAddressChars = lasr::kMaxAddressChars;
inline constexpr size_t kMaxUrlChars = lasr::kMaxUrlChars;

struct ImportProblem {
    std::string file;
    size_t row = 0;       // as a spreadsheet numbers it (header = 1); 0 = the record has no row
    std::string column;   // e.g. "phone", or "phones.csv number"
    std::string message;
    // "services.csv row 5, column name: missing name"
    std::string describe() const;
};

struct ImportReport {
    std::string format;  // "HSDS 1.x data package", "HSDS 3.x JSON", "spreadsheet template"
    size_t rows_read = 0;   // source records (services, or spreadsheet rows)
    size_t imported = 0;    // resources that came out
    size_t inactive = 0;    // services whose status is not active (skipped, counted)
    std::vector<ImportProblem> skipped;    // one per record left out, with the reason
    std::vector<ImportProblem> warnings;   // kept, but changed (text cut, controls removed, ...)
    std::map<std::string, size_t> unmapped_terms;  // taxonomy terms / categories that went to "other"
    std::vector<std::string> notes;        // about the source as a whole

    void print(std::ostream& out) const;
};

// Taxonomy terms to kiosk categories. A CSV with columns `term,category`:
// `term` is a taxonomy code or name (case-insensitive). A code also covers
// the codes below it (AIRS/211 "BD" covers "BD-1800.2000"); "L*" covers every
// code that starts with L. `category` is one of lasr::kResourceCategories.
class CategoryMap {
public:
    static Result<CategoryMap> parse(std::string_view csv_bytes, const std::string& name);
    static Result<CategoryMap> load(const std::filesystem::path& file);
    static const CategoryMap& builtin();

    // The category for a term, "" when nothing matches.
    std::string lookup(std::string_view code, std::string_view name) const;
    size_t size() const { return exact_.size() + prefixes_.size(); }

private:
    std::map<std::string, std::string> exact_;                 // lower-case term -> category
    std::vector<std::pair<std::string, std::string>> prefixes_;  // "l" (from "L*") -> category
};

// The map that ships (`lasr-kioskctl resources categories` writes it for editing).
std::string_view default_category_map_csv();

struct ImportOptions {
    std::string language = "en";  // the language an HSDS export's text is written in
    std::string id_prefix = "hsds-";  // put before HSDS ids ("" for none); the template's ids are used as written
    const CategoryMap* categories = nullptr;  // nullptr: the built-in map
};

struct Imported {
    std::vector<Resource> resources;
    ImportReport report;
};

// Imports a folder (an HSDS data package), a datapackage.json, an HSDS JSON
// file or a spreadsheet CSV. An error only when the source cannot be read at
// all; bad records are in the report.
Result<Imported> import_resources(const std::filesystem::path& source, const ImportOptions& options = {});

// The resources as a JSON list, exactly as a manifest's "resources".
std::string resources_json(const std::vector<Resource>& resources);
// Reads such a list back (checked by the manifest's own rules).
Result<std::vector<Resource>> parse_resources_json(std::string_view json_text, const std::string& name);

// Checks resources against the manifest's rules (the import's last step).
Status check_resources(const std::vector<Resource>& resources);

struct MergeReport {
    size_t added = 0, updated = 0, unchanged = 0;
    std::vector<std::string> kept;  // ids in pack.json that this import does not have (left as they were)
};

// Puts imported resources into a pack source's pack.json: same id replaced
// in place, new ones added at the end, the rest of the file kept as written.
Result<MergeReport> merge_into_pack_json(const std::filesystem::path& pack_json, const std::vector<Resource>& resources);

// The spreadsheet template (UTF-8 with a byte-order mark, so Excel shows
// accents) with a header and two example rows:
//   id, name, category, description_en, description_es, phone, sms, website,
//   address, hours, always_open, languages, national, sample
// More languages: add description_<code> columns.
std::string resource_template_csv();

// Resources written in the template's form (UTF-8 with a byte-order mark),
// one description column per language in `languages`; importing it gives the
// same resources back.
std::string resources_csv(const std::vector<Resource>& resources, const std::vector<std::string>& languages);

}  // namespace lasr::ctl
