// Partner directories from HSDS exports and the spreadsheet template: real
// files written here (BOM, CR LF, quoted commas and newlines, an inactive
// service, a service at two locations, missing optional tables), imported,
// and checked field by field.
#include <gtest/gtest.h>

#include <algorithm>

#include "kiosk/ctl/csv.hpp"
#include "kiosk/ctl/resource_import.hpp"
#include "kiosk/ctl/text_clean.hpp"
#include "tests/support/fixtures.hpp"

namespace lasr::ctl {
namespace {

namespace fs = std::filesystem;

const std::string kBom = "\xEF\xBB\xBF";

const Resource* find(const std::vector<Resource>& rs, const std::string& id) {
    for (const auto& r : rs)
        if (r.id == id) return &r;
    return nullptr;
}

const ImportProblem* skipped_with(const ImportReport& rep, const std::string& text) {
    for (const auto& p : rep.skipped)
        if (p.describe().find(text) != std::string::npos) return &p;
    return nullptr;
}

std::string all_problems(const ImportReport& rep) {
    std::ostringstream o;
    rep.print(o);
    return o.str();
}

// CR LF line ends, as spreadsheets on Windows write them.
std::string crlf(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

// An HSDS 1.1 data package. With `full` false only services and
// organizations are there (every other table is optional).
void write_hsds_package(const fs::path& dir, bool full) {
    std::string resources = R"([{"name": "organizations", "path": "organizations.csv"},
                                {"name": "services", "path": "services.csv"})";
    if (full)
        for (const char* t : {"locations", "services_at_location", "phones", "physical_addresses", "regular_schedules",
                              "languages", "taxonomy", "services_taxonomy"})
            resources += std::string(", {\"name\": \"") + t + "\", \"path\": \"" + t + ".csv\"}";
    test::write_file(dir / "datapackage.json",
                     R"({"name": "springfield-211", "profile": "tabular-data-package", "resources": )" + resources + "]}");
    test::write_file(dir / "organizations.csv", kBom + crlf(R"(id,name,description,url
o1,St. Mary's Church,"Parish outreach: food, clothing.",https://stmarys.example.org
o2,Springfield Shelter Network,Emergency shelter for families,
)"));
    // Row numbers (header = 1): s1 2, s2 3, s3 4, s4 5, s5 6, s6 7, s7 8, S1 9.
    test::write_file(dir / "services.csv", kBom + crlf(R"(id,organization_id,name,description,url,status
s1,o1,Food Pantry,"Groceries, fresh produce
and bread.",https://stmarys.example.org/pantry,active
s2,o1,Winter Coats,Coats for children.,,inactive
s3,o2,Family Shelter,"Beds for families; call first.",,active
s4,o1,Hotline,Call us.,,active
s5,o1,,No name here.,,active
s6,o1,Soup Kitchen,Hot meals.,,active
s7,o1,Legal Clinic,Free advice.,see the flyer,active
S1,o1,Food Pantry Copy,Same id in another case.,,active
)"));
    if (!full) return;
    test::write_file(dir / "locations.csv", R"(id,organization_id,name
l0,o1,St. Mary's Hall
l1,o2,North Branch
l2,o2,South Branch
)");
    test::write_file(dir / "services_at_location.csv", R"(id,service_id,location_id
sal1,s1,l0
sal3a,s3,l1
sal3b,s3,l2
)");
    // Row numbers: p1 2 ... p7 8.
    test::write_file(dir / "phones.csv", R"(id,location_id,service_id,organization_id,service_at_location_id,number,extension,type,language
p1,,s1,,,(555) 010-0100,,voice,"en,es"
p2,,s1,,,555-0109,,fax,
p3,l1,s3,,,555-0200,,voice,
p4,l2,s3,,,555-0300,,voice,
p5,,s4,,,CALL-NOW,,voice,
p6,,s1,,,741741,,text,
p7,,,o1,,555-0999,,voice,
)");
    test::write_file(dir / "physical_addresses.csv", R"(id,location_id,attention,address_1,address_2,city,state_province,postal_code,country
a0,l0,,10 Church St,,Springfield,IL,62701,US
a1,l1,,"1 Main St, Suite 2",,Springfield,IL,62702,US
a2,l2,,2 Oak Ave,,Springfield,IL,62703,US
)");
    // s6's weekday does not parse (row 10).
    test::write_file(dir / "regular_schedules.csv", R"(id,service_id,location_id,service_at_location_id,weekday,opens_at,closes_at
h1,s1,,,1,09:00,17:00
h2,s1,,,2,09:00,17:00
h3,s1,,,3,09:00,17:00
h4,s1,,,4,09:00,17:00
h5,s1,,,5,09:00-05:00,17:00-05:00
h6,s1,,,6,10:00,14:00
h7,,,sal3a,1,08:00,12:00
h8,s3,l2,,2,13:00,17:00
h9,s6,,,Funday,11:00,13:00
)");
    test::write_file(dir / "languages.csv", R"(id,service_id,location_id,language
g1,s1,,es
g2,s1,,Vietnamese
g3,,l1,fr
g4,s3,,Klingon
)");
    test::write_file(dir / "taxonomy.csv", R"(id,name,parent_id,parent_name,vocabulary
t1,Food,,,Open Eligibility
t2,Pet Food,t1,Food,Open Eligibility
t3,Hotdogs,,,
t4,Emergency,,,Open Eligibility
)");
    test::write_file(dir / "services_taxonomy.csv", R"(id,service_id,taxonomy_id,taxonomy_detail
x1,s1,t2,
x2,s3,t3,
x3,s3,t4,
)");
}

TEST(HsdsImport, DataPackageFieldByField) {
    test::TempDir tmp;
    write_hsds_package(tmp.path(), true);
    auto im = import_resources(tmp.path());
    ASSERT_TRUE(im) << im.error().describe();
    const auto& rep = im->report;
    const auto& rs = im->resources;
    SCOPED_TRACE(all_problems(rep));
    EXPECT_EQ(rep.format, "HSDS 1.x data package");
    EXPECT_EQ(rep.rows_read, 8u);
    EXPECT_EQ(rep.inactive, 1u);

    const Resource* s1 = find(rs, "hsds-s1");
    ASSERT_NE(s1, nullptr);
    EXPECT_EQ(s1->name, "Food Pantry \xE2\x80\x94 St. Mary's Church");
    EXPECT_EQ(s1->category, "food");  // "Pet Food" maps through its parent "Food"
    EXPECT_EQ(s1->description.by_lang.at("en"), "Groceries, fresh produce\nand bread.");
    EXPECT_EQ(s1->description.by_lang.size(), 1u);
    EXPECT_EQ(s1->phone, "(555) 010-0100");
    EXPECT_EQ(s1->sms, "741741");
    EXPECT_EQ(s1->website, "https://stmarys.example.org/pantry");
    EXPECT_EQ(s1->address, "10 Church St, Springfield, IL 62701");
    ASSERT_EQ(s1->hours.size(), 2u);
    EXPECT_EQ(s1->hours[0].days, (std::vector<std::string>{"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(s1->hours[0].open, "09:00");
    EXPECT_EQ(s1->hours[0].close, "17:00");
    EXPECT_EQ(s1->hours[1].days, (std::vector<std::string>{"sat"}));
    EXPECT_EQ(s1->hours[1].open, "10:00");
    EXPECT_EQ(s1->hours[1].close, "14:00");
    EXPECT_FALSE(s1->always_open);
    EXPECT_EQ(s1->languages, (std::vector<std::string>{"en", "es", "vi"}));
    EXPECT_FALSE(s1->national);
    EXPECT_FALSE(s1->sample);

    // The inactive service is not there.
    EXPECT_EQ(find(rs, "hsds-s2"), nullptr);

    // One service at two locations: two resources, each with its own place, phone and hours.
    EXPECT_EQ(find(rs, "hsds-s3"), nullptr);
    const Resource* north = find(rs, "hsds-s3-l1");
    const Resource* south = find(rs, "hsds-s3-l2");
    ASSERT_NE(north, nullptr);
    ASSERT_NE(south, nullptr);
    EXPECT_EQ(north->name, "Family Shelter \xE2\x80\x94 Springfield Shelter Network (North Branch)");
    EXPECT_EQ(south->name, "Family Shelter \xE2\x80\x94 Springfield Shelter Network (South Branch)");
    EXPECT_EQ(north->address, "1 Main St, Suite 2, Springfield, IL 62702");
    EXPECT_EQ(south->address, "2 Oak Ave, Springfield, IL 62703");
    EXPECT_EQ(north->phone, "555-0200");
    EXPECT_EQ(south->phone, "555-0300");
    ASSERT_EQ(north->hours.size(), 1u);
    EXPECT_EQ(north->hours[0].days, (std::vector<std::string>{"mon"}));
    EXPECT_EQ(north->hours[0].open, "08:00");
    ASSERT_EQ(south->hours.size(), 1u);
    EXPECT_EQ(south->hours[0].days, (std::vector<std::string>{"tue"}));
    EXPECT_EQ(south->hours[0].close, "17:00");
    EXPECT_EQ(north->category, "crisis");  // "Hotdogs" maps to nothing, "Emergency" to crisis
    EXPECT_EQ(north->languages, (std::vector<std::string>{"fr"}));
    EXPECT_EQ(north->description.by_lang.at("en"), "Beds for families; call first.");
    EXPECT_TRUE(north->website.empty());

    // Skipped, each with its row and column and reason.
    const ImportProblem* bad_phone = skipped_with(rep, "bad phone");
    ASSERT_NE(bad_phone, nullptr);
    EXPECT_EQ(bad_phone->file, "services.csv");
    EXPECT_EQ(bad_phone->row, 5u);
    EXPECT_EQ(bad_phone->column, "phones.csv row 6 number");
    const ImportProblem* no_name = skipped_with(rep, "missing name");
    ASSERT_NE(no_name, nullptr);
    EXPECT_EQ(no_name->row, 6u);
    EXPECT_EQ(no_name->column, "name");
    const ImportProblem* hours = skipped_with(rep, "hours that do not parse");
    ASSERT_NE(hours, nullptr);
    EXPECT_EQ(hours->row, 7u);
    EXPECT_EQ(hours->column, "regular_schedules.csv row 10 weekday");
    const ImportProblem* url = skipped_with(rep, "bad URL");
    ASSERT_NE(url, nullptr);
    EXPECT_EQ(url->row, 8u);
    EXPECT_EQ(url->column, "url");
    const ImportProblem* dup = skipped_with(rep, "duplicate id");
    ASSERT_NE(dup, nullptr);
    EXPECT_EQ(dup->row, 9u);
    EXPECT_EQ(rep.skipped.size(), 5u);
    EXPECT_EQ(rep.imported, 3u);
    EXPECT_EQ(rs.size(), 3u);
    // Unknown taxonomy terms and languages are listed, not lost silently.
    EXPECT_EQ(rep.unmapped_terms.count("Hotdogs"), 1u);
    bool klingon = std::any_of(rep.warnings.begin(), rep.warnings.end(),
                               [](const ImportProblem& w) { return w.message.find("Klingon") != std::string::npos; });
    EXPECT_TRUE(klingon);
    // And everything that came out passes the manifest's own rules.
    EXPECT_TRUE(check_resources(rs));
}

TEST(HsdsImport, MissingOptionalTablesAreNotAnError) {
    test::TempDir tmp;
    write_hsds_package(tmp.path(), false);
    auto im = import_resources(tmp.path() / "datapackage.json");
    ASSERT_TRUE(im) << im.error().describe();
    SCOPED_TRACE(all_problems(im->report));
    ASSERT_FALSE(im->report.notes.empty());
    EXPECT_NE(im->report.notes.back().find("optional tables not in this package: locations"), std::string::npos);
    // Without phones or addresses, only services with a website (own or organization's) are usable.
    const Resource* s1 = find(im->resources, "hsds-s1");
    ASSERT_NE(s1, nullptr);
    EXPECT_EQ(s1->website, "https://stmarys.example.org/pantry");
    EXPECT_EQ(s1->category, "other");
    EXPECT_TRUE(s1->hours.empty());
    const Resource* s4 = find(im->resources, "hsds-s4");
    ASSERT_NE(s4, nullptr);
    EXPECT_EQ(s4->website, "https://stmarys.example.org");  // the organization's
    // o2 has no website and there are no phones: the shelter cannot be reached.
    const ImportProblem* none = skipped_with(im->report, "needs a phone");
    ASSERT_NE(none, nullptr);
    EXPECT_EQ(none->row, 4u);
}

TEST(HsdsImport, StableIdsAcrossReimports) {
    test::TempDir tmp;
    write_hsds_package(tmp / "a", true);
    write_hsds_package(tmp / "b", true);
    // The updated export: one description changed.
    std::string s = test::read_file(tmp / "b/services.csv");
    auto at = s.find("Beds for families; call first.");
    s.replace(at, 30, "Beds for families.");
    test::write_file(tmp / "b/services.csv", s);
    auto a = import_resources(tmp / "a");
    auto b = import_resources(tmp / "b");
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->resources.size(), b->resources.size());
    for (size_t i = 0; i < a->resources.size(); ++i) {
        EXPECT_EQ(a->resources[i].id, b->resources[i].id);
        bool changed = a->resources[i].id.rfind("hsds-s3-", 0) == 0;
        EXPECT_EQ(resources_json({a->resources[i]}) != resources_json({b->resources[i]}), changed) << a->resources[i].id;
    }
    // Long or odd source ids still give valid, stable ids.
    ImportOptions opt;
    opt.id_prefix = "211-";
    test::write_file(tmp / "c/services.csv",
                     "id,name,description,url,status\n"
                     "Service/With Spaces & Slashes,A,d,https://a.example.org,active\n" +
                         std::string(80, 'x') + ",B,d,https://b.example.org,active\n");
    auto c = import_resources(tmp / "c", opt);
    ASSERT_TRUE(c);
    ASSERT_EQ(c->resources.size(), 2u);
    EXPECT_EQ(c->resources[0].id, "211-service-with-spaces-slashes");
    EXPECT_EQ(c->resources[1].id.size(), 64u);
    EXPECT_EQ(c->resources[1].id.substr(0, 8), "211-xxxx");
    auto c2 = import_resources(tmp / "c", opt);
    EXPECT_EQ(c2->resources[1].id, c->resources[1].id);
}

TEST(HsdsImport, Hsds3JsonFieldByField) {
    test::TempDir tmp;
    test::write_file(tmp / "export.json", R"({"total_items": 3, "page_number": 1, "contents": [
  {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Community Counselling", "status": "active",
   "description": "Counselling for adults and teens.\u0007", "url": "http://example.com/counselling",
   "organization": {"id": "o-1", "name": "MyCity Health", "website": "https://mycity.example.org"},
   "phones": [{"id": "ph1", "number": "\"+44 1234 234567\"", "extension": 100, "type": "voice",
               "languages": [{"name": "Urdu", "code": "ur"}]}],
   "schedules": [{"id": "sc1", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "10:00:00", "closes_at": "18:00:00"},
                 {"id": "sc2", "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00:00", "closes_at": "13:00:00"}],
   "languages": [{"name": "Polish", "code": "pl"}, {"name": "Slovak"}],
   "attributes": [{"id": "at1", "taxonomy_term": {"id": "tt1", "code": "RP-1400.8000", "name": "Counseling Services"}}],
   "service_at_locations": [{"id": "sal1", "location": {"id": "loc1", "name": "Civic Center",
       "addresses": [{"address_1": "1-30 Main Street", "city": "MyCity", "state_province": "MyState",
                      "postal_code": "ABC 1234", "country": "US", "address_type": "postal"},
                     {"address_1": "2 Side Street", "city": "MyCity", "state_province": "MyState",
                      "postal_code": "ABC 1235", "country": "US", "address_type": "physical"}]}}]},
  {"id": "svc-2", "name": "Closed Service", "status": "defunct", "description": "Gone.", "url": "https://x.example.org"},
  {"id": "svc-3", "name": "Day Center", "status": "active", "description": "Open all day, every day.",
   "organization": {"name": "Day Center"},
   "phones": [{"number": "555 0100"}],
   "schedules": [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "23:59"}],
   "attributes": [{"taxonomy_term": {"code": "", "name": "Drop-in"}}]},
  {"id": "svc-4", "name": "Bad Hours", "status": "active", "description": "x", "phones": [{"number": "555 0101"}],
   "schedules": [{"freq": "WEEKLY", "byday": "MO", "opens_at": "nine", "closes_at": "17:00"}]}
]})");
    auto im = import_resources(tmp / "export.json");
    ASSERT_TRUE(im) << im.error().describe();
    const auto& rep = im->report;
    SCOPED_TRACE(all_problems(rep));
    EXPECT_EQ(rep.format, "HSDS 3.x JSON");
    EXPECT_EQ(rep.rows_read, 4u);
    EXPECT_EQ(rep.inactive, 1u);
    ASSERT_EQ(im->resources.size(), 2u);
    const Resource& r = im->resources[0];
    EXPECT_EQ(r.id, "hsds-ac148810-d857-441c-9679-408f346de14b");
    EXPECT_EQ(r.name, "Community Counselling \xE2\x80\x94 MyCity Health");
    EXPECT_EQ(r.category, "mental-health");  // AIRS R* in the built-in map
    EXPECT_EQ(r.description.by_lang.at("en"), "Counselling for adults and teens.");  // the BEL removed...
    bool said = std::any_of(rep.warnings.begin(), rep.warnings.end(), [](const ImportProblem& w) {
        return w.message == "1 control character removed";
    });
    EXPECT_TRUE(said);  // ...with a message
    EXPECT_EQ(r.phone, "+44 1234 234567");
    EXPECT_EQ(r.website, "http://example.com/counselling");
    EXPECT_EQ(r.address, "2 Side Street, MyCity, MyState ABC 1235");  // the physical address, not the postal one
    ASSERT_EQ(r.hours.size(), 2u);
    EXPECT_EQ(r.hours[0].days, (std::vector<std::string>{"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(r.hours[0].open, "10:00");
    EXPECT_EQ(r.hours[0].close, "18:00");
    EXPECT_EQ(r.hours[1].days, (std::vector<std::string>{"sat"}));
    EXPECT_EQ(r.languages, (std::vector<std::string>{"ur", "pl", "sk"}));  // the phone's, then the service's
    const Resource& day = im->resources[1];
    EXPECT_EQ(day.id, "hsds-svc-3");
    EXPECT_EQ(day.name, "Day Center");
    EXPECT_TRUE(day.always_open);
    EXPECT_TRUE(day.hours.empty());
    EXPECT_EQ(day.category, "other");
    EXPECT_EQ(rep.unmapped_terms.count("Drop-in"), 1u);
    const ImportProblem* bad = skipped_with(rep, "hours that do not parse");
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ(bad->file, "export.json contents[3] (id svc-4)");
    EXPECT_EQ(bad->column, "schedules[0]");
    EXPECT_TRUE(check_resources(im->resources));
}

TEST(SheetImport, TemplateRoundTrip) {
    test::TempDir tmp;
    test::write_file(tmp / "partners.csv", resource_template_csv());
    auto im = import_resources(tmp / "partners.csv");
    ASSERT_TRUE(im) << im.error().describe();
    SCOPED_TRACE(all_problems(im->report));
    EXPECT_EQ(im->report.rows_read, 2u);
    EXPECT_TRUE(im->report.skipped.empty());
    EXPECT_TRUE(im->report.warnings.empty());
    ASSERT_EQ(im->resources.size(), 2u);
    const Resource& a = im->resources[0];
    EXPECT_EQ(a.id, "us-988-lifeline");
    EXPECT_EQ(a.name, "988 Suicide & Crisis Lifeline");
    EXPECT_EQ(a.category, "crisis");
    EXPECT_EQ(a.description.by_lang.at("en").substr(0, 31), "Free, confidential support for ");
    EXPECT_EQ(a.description.by_lang.at("es").substr(0, 20), "Apoyo gratuito y con");
    EXPECT_EQ(a.phone, "988");
    EXPECT_EQ(a.sms, "988");
    EXPECT_EQ(a.website, "https://988lifeline.org");
    EXPECT_TRUE(a.address.empty());
    EXPECT_TRUE(a.always_open);
    EXPECT_TRUE(a.national);
    EXPECT_FALSE(a.sample);
    EXPECT_EQ(a.languages, (std::vector<std::string>{"en", "es"}));
    const Resource& b = im->resources[1];
    EXPECT_EQ(b.id, "maple-street-pantry");
    EXPECT_EQ(b.category, "food");
    EXPECT_EQ(b.phone, "(555) 010-0142");
    EXPECT_EQ(b.address, "120 Maple Street, Springfield");
    ASSERT_EQ(b.hours.size(), 2u);
    EXPECT_EQ(b.hours[0].days, (std::vector<std::string>{"tue", "thu"}));
    EXPECT_EQ(b.hours[0].open, "10:00");
    EXPECT_EQ(b.hours[0].close, "14:00");
    EXPECT_EQ(b.hours[1].days, (std::vector<std::string>{"sat"}));
    EXPECT_EQ(b.hours[1].open, "09:00");
    EXPECT_EQ(b.languages, (std::vector<std::string>{"en", "es"}));
    EXPECT_TRUE(b.sample);
    // Written back as JSON and read again: the same resources.
    auto back = parse_resources_json(resources_json(im->resources), "resources.json");
    ASSERT_TRUE(back) << back.error().describe();
    EXPECT_EQ(resources_json(*back), resources_json(im->resources));
}

TEST(SheetImport, BadRowsAreReportedWithRowAndColumn) {
    test::TempDir tmp;
    // As LibreOffice writes it: quoted fields with commas, a newline and doubled quotes.
    test::write_file(tmp / "partners.csv", crlf(R"(id,name,category,description_en,description_es,phone,website,address,hours,always_open
ok-1,Good Place,Food pantry,"Food, ""fresh"" and free.
Second line.",Comida.,555-0100,www.good.example.org,"1 Elm St, Town","Mon - Fri 9am-5pm; Sat: 10:00-12:00",
,,food,No name.,,555-0101,,,,
bad-phone,Bad Phone,food,x,,call us,,,,
bad-url,Bad Url,food,x,,,mailto:a@b.org,,,
bad-hours,Bad Hours,food,x,,555-0102,,,9-5,
ok-1,Duplicate,food,x,,555-0103,,,,
no-desc,No Description,food,,,555-0104,,,,
nothing,Nothing To Reach,legal,x,,,,,,
odd-cat,Odd Category,Bowling,x,,555-0105,,,,maybe
)"));
    auto im = import_resources(tmp / "partners.csv");
    ASSERT_TRUE(im) << im.error().describe();
    const auto& rep = im->report;
    SCOPED_TRACE(all_problems(rep));
    EXPECT_EQ(rep.rows_read, 9u);
    ASSERT_EQ(im->resources.size(), 2u);
    const Resource& ok = im->resources[0];
    EXPECT_EQ(ok.category, "food");  // "Food pantry" through the category map
    EXPECT_EQ(ok.description.by_lang.at("en"), "Food, \"fresh\" and free.\nSecond line.");
    EXPECT_EQ(ok.website, "https://www.good.example.org");
    EXPECT_EQ(ok.address, "1 Elm St, Town");
    ASSERT_EQ(ok.hours.size(), 2u);
    EXPECT_EQ(ok.hours[0].days, (std::vector<std::string>{"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(ok.hours[0].open, "09:00");
    EXPECT_EQ(ok.hours[0].close, "17:00");
    EXPECT_EQ(ok.hours[1].days, (std::vector<std::string>{"sat"}));
    EXPECT_EQ(im->resources[1].category, "other");
    EXPECT_EQ(rep.unmapped_terms.count("bowling"), 1u);

    struct Want {
        size_t row;
        const char* column;
        const char* reason;
    };
    for (const Want& w : {Want{3, "name", "missing name"}, Want{4, "phone", "bad phone"}, Want{5, "website", "bad URL"},
                          Want{6, "hours", "hours that do not parse"}, Want{7, "id", "duplicate id"},
                          Want{8, "description_en", "missing description"}, Want{9, "phone", "needs a phone"}}) {
        SCOPED_TRACE(w.reason);
        const ImportProblem* p = skipped_with(rep, w.reason);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->file, "partners.csv");
        EXPECT_EQ(p->row, w.row);
        EXPECT_EQ(p->column, w.column);
    }
    EXPECT_EQ(rep.skipped.size(), 7u);
    bool maybe = std::any_of(rep.warnings.begin(), rep.warnings.end(), [](const ImportProblem& p) {
        return p.row == 10 && p.column == "always_open";
    });
    EXPECT_TRUE(maybe);
}

TEST(SheetImport, Windows1252AndSemicolonsAndLimits) {
    test::TempDir tmp;
    // Excel's "CSV" in a European locale: Windows-1252, semicolons.
    std::string name = "Caf\xE9 Solidario";  // é in Windows-1252
    std::string long_desc(2000, 'a');
    test::write_file(tmp / "p.csv", "id;name;category;description_es;phone\r\ncafe;" + name + ";food;" + long_desc +
                                        ";555-0100\r\n");
    auto im = import_resources(tmp / "p.csv");
    ASSERT_TRUE(im) << im.error().describe();
    SCOPED_TRACE(all_problems(im->report));
    ASSERT_EQ(im->resources.size(), 1u);
    EXPECT_EQ(im->resources[0].name, "Caf\xC3\xA9 Solidario");
    EXPECT_EQ(utf8_length(im->resources[0].description.by_lang.at("es")), kMaxDescriptionChars);
    std::string notes;
    for (const auto& n : im->report.notes) notes += n + "\n";
    EXPECT_NE(notes.find("Windows-1252"), std::string::npos);
    EXPECT_NE(notes.find("semicolons"), std::string::npos);
    ASSERT_EQ(im->report.warnings.size(), 1u);
    EXPECT_EQ(im->report.warnings[0].column, "description_es");
    EXPECT_NE(im->report.warnings[0].message.find("longer than " + std::to_string(kMaxDescriptionChars)), std::string::npos);
}

TEST(Csv, Rfc4180) {
    auto t = parse_csv(kBom + "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\r\nnext\"\r\n\r\n,,\r\n4,5\r\n", "t.csv");
    ASSERT_TRUE(t) << t.error().describe();
    EXPECT_EQ(t->header, (std::vector<std::string>{"a", "b", "c"}));
    ASSERT_EQ(t->rows.size(), 2u);
    EXPECT_EQ(t->rows[0], (std::vector<std::string>{"1", "x, y", "he said \"hi\"\r\nnext"}));
    EXPECT_EQ(t->cell(1, 2), "");  // a short row
    EXPECT_EQ(t->row_numbers[1], 4u);
    auto bad = parse_csv("a,b\n1,\"never closed\n", "bad.csv");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("bad.csv row 2: a quote (\") out of place, or a quoted field that never ends"),
              std::string::npos);
    auto stray = parse_csv("a,b\n1,2\n3,5\" screen\n", "stray.csv");
    ASSERT_FALSE(stray);
    EXPECT_NE(stray.error().message.find("stray.csv row 3:"), std::string::npos) << stray.error().message;
    EXPECT_EQ(csv_line({"plain", "with, comma", "with \"quote\""}), "plain,\"with, comma\",\"with \"\"quote\"\"\"\r\n");
}

TEST(CategoryMapFile, EditedMapIsUsedAndCheckedAndCodesCoverTheirChildren) {
    auto m = CategoryMap::parse("term,category\nBD,food\nL*,health\nPets,family\n", "map.csv");
    ASSERT_TRUE(m) << m.error().describe();
    EXPECT_EQ(m->lookup("BD-1800.2000", ""), "food");
    EXPECT_EQ(m->lookup("LN-1500", "whatever"), "health");
    EXPECT_EQ(m->lookup("", "pets"), "family");
    EXPECT_EQ(m->lookup("BDX", ""), "");
    auto bad = CategoryMap::parse("term,category\nFood,groceries\n", "map.csv");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("map.csv row 2, column category: \"groceries\""), std::string::npos);
    EXPECT_TRUE(CategoryMap::parse(default_category_map_csv(), "built-in"));
    EXPECT_GT(CategoryMap::builtin().size(), 20u);
}

}  // namespace
}  // namespace lasr::ctl

namespace lasr::ctl {
namespace {

test::Ran kioskctl(const test::TempDir& tmp, std::vector<std::string> args) {
    static int runs = 0;
    args.insert(args.begin(), LASR_KIOSKCTL);
    return test::run_output(args, tmp / ("run-" + std::to_string(++runs) + ".log"));
}

TEST(ResourcesCommand, TemplateImportMergeAndExitStatus) {
    test::TempDir tmp;
    ASSERT_EQ(kioskctl(tmp, {"resources", "template", "--out", (tmp / "partners.csv").string()}).status, 0);
    // Never overwritten by accident.
    EXPECT_NE(kioskctl(tmp, {"resources", "template", "--out", (tmp / "partners.csv").string()}).status, 0);
    test::write_file(tmp / "pack.json", R"({"library_id": "springfield", "version": 3, "languages": ["en"],
  "courses": [],
  "resources": [{"id": "maple-street-pantry", "name": "Old name", "category": "food",
                 "description": {"en": "Old."}, "phone": "555-0000"},
                {"id": "hand-written", "name": "Kept", "category": "other", "description": {"en": "Kept."},
                 "phone": "555-0001"}]
})");
    auto r = kioskctl(tmp, {"resources", "import", (tmp / "partners.csv").string(), "--out",
                            (tmp / "resources.json").string(), "--merge", (tmp / "pack.json").string()});
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("rows read 2, imported 2, skipped 0, inactive 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("added 1, updated 1, unchanged 0, kept 1 not in this import (hand-written)"), std::string::npos)
        << r.out;
    auto list = parse_resources_json(test::read_file(tmp / "resources.json"), "resources.json");
    ASSERT_TRUE(list) << list.error().describe();
    EXPECT_EQ(list->size(), 2u);
    std::string pack = test::read_file(tmp / "pack.json");
    // The rest of pack.json as it was written (key order kept), the pantry replaced in place.
    EXPECT_EQ(pack.find("\"library_id\""), 4u) << pack;
    EXPECT_LT(pack.find("Maple Street Food Pantry"), pack.find("hand-written"));
    EXPECT_EQ(pack.find("Old name"), std::string::npos);
    // A second run changes nothing.
    r = kioskctl(tmp, {"resources", "import", (tmp / "partners.csv").string(), "--merge", (tmp / "pack.json").string()});
    EXPECT_NE(r.out.find("added 0, updated 0, unchanged 2"), std::string::npos) << r.out;

    // Nothing usable: a non-zero exit, and the reasons.
    test::write_file(tmp / "bad.csv", "name,description,phone\nA,x,call me\n,y,555-0100\n");
    r = kioskctl(tmp, {"resources", "import", (tmp / "bad.csv").string(), "--out", (tmp / "bad.json").string()});
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("skipped: bad.csv row 2, column phone: bad phone"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("skipped: bad.csv row 3, column name: missing name"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(tmp / "bad.json"));

    // The category map: written, edited, used; unmapped terms listed.
    ASSERT_EQ(kioskctl(tmp, {"resources", "categories", "--out", (tmp / "map.csv").string()}).status, 0);
    test::write_file(tmp / "map.csv", test::read_file(tmp / "map.csv") + "bowling,family,\n");
    test::write_file(tmp / "c.csv", "name,category,description,phone\nLanes,Bowling,x,555-0100\nOdd,Juggling,y,555-0101\n");
    r = kioskctl(tmp, {"resources", "import", (tmp / "c.csv").string(), "--out", (tmp / "c.json").string(),
                       "--categories", (tmp / "map.csv").string()});
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("  juggling (1)"), std::string::npos) << r.out;
    EXPECT_NE(test::read_file(tmp / "c.json").find("\"family\""), std::string::npos);
}

}  // namespace
}  // namespace lasr::ctl

namespace lasr::ctl {
namespace {

// The demo pack's partners as a spreadsheet, and back: nothing changes.
TEST(SheetImport, ResourcesWrittenAsTheTemplateReadBackTheSame) {
    test::TempDir tmp;
    test::write_file(tmp / "p.csv", resource_template_csv());
    auto first = import_resources(tmp / "p.csv");
    ASSERT_TRUE(first);
    std::vector<Resource> rs = first->resources;
    Resource& r = rs[1];
    r.hours = {{{"mon", "tue", "wed", "fri"}, "08:30", "12:00"}, {{"thu"}, "00:00", "24:00"},
               {{"sat", "sun"}, "22:00", "02:00"}};  // spans in the order of their first day, as imports make them
    r.description.by_lang["vi"] = "M\xE1\xBB\x99t d\xC3\xB2ng, \"hai\"\nd\xC3\xB2ng";
    test::write_file(tmp / "out.csv", resources_csv(rs, {"en", "es", "vi"}));
    auto back = import_resources(tmp / "out.csv");
    ASSERT_TRUE(back) << back.error().describe();
    EXPECT_TRUE(back->report.warnings.empty()) << all_problems(back->report);
    EXPECT_EQ(resources_json(back->resources), resources_json(rs));
}

}  // namespace
}  // namespace lasr::ctl
