// Partner-directory subcommands: resources import | template | categories.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "kiosk/ctl/commands.hpp"
#include "kiosk/ctl/resource_import.hpp"
#include "media/durable.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

struct ImportArgs {
    fs::path source, out, merge, categories;
    std::string language = "en";
    std::string id_prefix = "hsds-";
};

int run_import(const ImportArgs& a) {
    const std::string cmd = "resources import";
    if (a.out.empty() && a.merge.empty()) {
        std::cerr << cmd << ": give --out FILE (and/or --merge pack.json)\n";
        return 2;
    }
    ImportOptions opt;
    opt.language = a.language;
    opt.id_prefix = a.id_prefix;
    std::optional<CategoryMap> map;
    if (!a.categories.empty()) {
        auto m = CategoryMap::load(a.categories);
        if (!m) return command_failed(cmd, m.error());
        map = std::move(*m);
        opt.categories = &*map;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto im = import_resources(a.source, opt);
    if (!im) return command_failed(cmd, im.error());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    im->report.print(std::cout);
    if (im->resources.empty()) {
        std::cerr << cmd << ": nothing usable in " << a.source.string() << " (every row was skipped; see above)\n";
        return 1;
    }
    // The manifest's own rules have the last word.
    if (auto st = check_resources(im->resources); !st) return command_failed(cmd, st.error());
    if (!a.out.empty()) {
        if (auto st = write_file_atomic(a.out, resources_json(im->resources)); !st) return command_failed(cmd, st.error());
        std::cout << "wrote " << a.out.string() << " (" << im->resources.size() << " resources)\n";
    }
    if (!a.merge.empty()) {
        auto m = merge_into_pack_json(a.merge, im->resources);
        if (!m) return command_failed(cmd, m.error());
        std::cout << "merged into " << a.merge.string() << ": added " << m->added << ", updated " << m->updated
                  << ", unchanged " << m->unchanged << ", kept " << m->kept.size() << " not in this import";
        for (size_t i = 0; i < m->kept.size() && i < 20; ++i) std::cout << (i ? ", " : " (") << m->kept[i];
        std::cout << (m->kept.empty() ? "" : m->kept.size() > 20 ? ", ...)" : ")") << "\n";
    }
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.3f", secs);
    std::cout << "resources_import ok rows=" << im->report.rows_read << " imported=" << im->report.imported
              << " skipped=" << im->report.skipped.size() << " inactive=" << im->report.inactive
              << " unmapped_terms=" << im->report.unmapped_terms.size() << " seconds=" << rate << "\n";
    return 0;
}

int write_or_print(const std::string& cmd, const fs::path& out, std::string_view text, bool force) {
    if (out.empty()) {
        std::cout << text;
        return 0;
    }
    std::error_code ec;
    if (!force && fs::exists(out, ec)) {
        std::cerr << cmd << ": " << out.string() << " already exists (--force replaces it)\n";
        return 1;
    }
    if (auto st = write_file_atomic(out, text); !st) return command_failed(cmd, st.error());
    std::cout << "wrote " << out.string() << "\n";
    return 0;
}

}  // namespace

void add_resource_commands(CLI::App& app, Action& action) {
    CLI::App* res = app.add_subcommand("resources", "The partner directory: import from HSDS (211) or a spreadsheet");
    res->require_subcommand(1);

    auto ia = std::make_shared<ImportArgs>();
    CLI::App* im = res->add_subcommand(
        "import", "Import resources from an Open Referral HSDS export (1.x data package folder or datapackage.json, "
                  "3.x .json) or the spreadsheet template (.csv)");
    im->add_option("SOURCE", ia->source, "HSDS folder, datapackage.json, HSDS .json, or template .csv")
        ->required()
        ->check(CLI::ExistingPath);
    im->add_option("--out", ia->out, "Write the resources (a JSON list, as in pack.json) to this file");
    im->add_option("--merge", ia->merge, "Put them into this pack.json (same id replaced, new ones added)")
        ->check(CLI::ExistingFile);
    im->add_option("--categories", ia->categories, "Taxonomy-to-category map (CSV: term,category); "
                                                   "`resources categories` writes the built-in one to edit")
        ->check(CLI::ExistingFile);
    im->add_option("--language", ia->language, "Language of the HSDS export's text (and of a plain "
                                                "\"description\" column)")
        ->capture_default_str();
    im->add_option("--id-prefix", ia->id_prefix, "Put before HSDS ids (keeps them apart from hand-written ones)")
        ->capture_default_str();
    im->callback([ia, &action] { action = [ia] { return run_import(*ia); }; });

    struct WriteArgs {
        fs::path out;
        bool force = false;
    };
    auto ta = std::make_shared<WriteArgs>();
    CLI::App* te = res->add_subcommand("template", "Write the spreadsheet template (CSV, two example rows) to fill in "
                                                   "LibreOffice or Excel");
    te->add_option("--out", ta->out, "File to write (default: standard output)");
    te->add_flag("--force", ta->force, "Replace an existing file");
    te->callback([ta, &action] {
        action = [ta] { return write_or_print("resources template", ta->out, resource_template_csv(), ta->force); };
    });

    auto ca = std::make_shared<WriteArgs>();
    CLI::App* cm = res->add_subcommand("categories", "Write the built-in taxonomy-to-category map (CSV) to edit and "
                                                     "pass to `import --categories`");
    cm->add_option("--out", ca->out, "File to write (default: standard output)");
    cm->add_flag("--force", ca->force, "Replace an existing file");
    cm->callback([ca, &action] {
        action = [ca] { return write_or_print("resources categories", ca->out, default_category_map_csv(), ca->force); };
    });
}

}  // namespace lasr::ctl
