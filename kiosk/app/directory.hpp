// The partner directory's search: an in-memory SQLite FTS5 index over the
// pack's resources, rebuilt when a pack is loaded. Queries are typed on the
// kiosk's on-screen keyboard; each word is matched as a prefix, accents and
// case ignored ("clinica" finds "Clínica"). The search text is never logged
// or stored (library privacy).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.hpp"
#include "playlists/catalog.hpp"

namespace lasr {

class Directory {
public:
    static Result<std::unique_ptr<Directory>> build(const Catalog& catalog);
    ~Directory();
    Directory(const Directory&) = delete;
    Directory& operator=(const Directory&) = delete;

    // Indexes of catalog.resources that match: with a query, those whose
    // name matches first, then the rest, each in catalog order, at most
    // kMaxResults (a patron types more to narrow); with no query, every
    // entry in catalog order. `category` "" means all.
    Result<std::vector<size_t>> search(std::string_view query, std::string_view category);

    static constexpr size_t kMaxResults = 300;

    struct Impl;

private:
    explicit Directory(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The FTS5 query for what a patron typed: letters and digits only, each word
// quoted and made a prefix ("foo"* "ba"*). Empty when nothing is searchable.
std::string fts_query_for(std::string_view typed);

}  // namespace lasr
