#include <gtest/gtest.h>

#include "kiosk/app/directory.hpp"
#include "kiosk/app/qr.hpp"

namespace lasr {
namespace {

Catalog sample() {
    Catalog c;
    auto add = [&](std::string id, std::string name, std::string cat, std::string en, std::string es) {
        Resource r;
        r.id = std::move(id);
        r.name = std::move(name);
        r.category = std::move(cat);
        r.description.by_lang["en"] = std::move(en);
        r.description.by_lang["es"] = std::move(es);
        r.phone = "555-0100";
        c.resources.push_back(r);
    };
    add("pantry", "Eastside Food Pantry", "food", "Free groceries every week", "Comida gratis cada semana");
    add("clinic", "Riverside Clínica Gratuita", "health", "Free clinic for adults", "Clínica gratis para adultos");
    add("988", "988 Suicide & Crisis Lifeline", "crisis", "Call or text 988", "Llame o envíe un texto al 988");
    add("shelter", "Harbor House Shelter", "housing", "Emergency shelter and food", "Refugio de emergencia");
    return c;
}

std::vector<std::string> ids(const Catalog& c, const std::vector<size_t>& idx) {
    std::vector<std::string> out;
    for (size_t i : idx) out.push_back(c.resources[i].id);
    return out;
}

TEST(Directory, EmptyQueryListsAllInOrderOrByCategory) {
    Catalog c = sample();
    auto d = Directory::build(c);
    ASSERT_TRUE(d) << d.error().describe();
    EXPECT_EQ(ids(c, *(*d)->search("", "")), (std::vector<std::string>{"pantry", "clinic", "988", "shelter"}));
    EXPECT_EQ(ids(c, *(*d)->search("", "health")), (std::vector<std::string>{"clinic"}));
    EXPECT_EQ(ids(c, *(*d)->search("   ", "")).size(), 4u);
}

TEST(Directory, MatchesPrefixesAccentsAndLanguages) {
    Catalog c = sample();
    auto d = std::move(*Directory::build(c));
    EXPECT_EQ(ids(c, *d->search("foo", "")).front(), "pantry");  // name hit ranks first
    auto food = ids(c, *d->search("food", ""));
    EXPECT_EQ(food, (std::vector<std::string>{"pantry", "shelter"}));
    EXPECT_EQ(ids(c, *d->search("clinica", "")), (std::vector<std::string>{"clinic"}));  // accent-blind
    EXPECT_EQ(ids(c, *d->search("CLÍNICA", "")), (std::vector<std::string>{"clinic"}));
    EXPECT_EQ(ids(c, *d->search("refugio", "")), (std::vector<std::string>{"shelter"}));  // Spanish text
    EXPECT_EQ(ids(c, *d->search("free clinic", "")), (std::vector<std::string>{"clinic"}));  // all words
    EXPECT_EQ(ids(c, *d->search("food", "housing")), (std::vector<std::string>{"shelter"}));
    EXPECT_TRUE(d->search("zzzz", "")->empty());
    EXPECT_EQ(ids(c, *d->search("988", "")), (std::vector<std::string>{"988"}));
}

TEST(Directory, SearchSyntaxFromPatronsIsInert) {
    Catalog c = sample();
    auto d = std::move(*Directory::build(c));
    for (const char* q : {"\"", "food\"", "NEAR(a b)", "food OR", "*", "name:food", "-", "a AND", "'); DROP TABLE x; --"}) {
        auto r = d->search(q, "");
        EXPECT_TRUE(r) << q << ": " << r.error().describe();
    }
    EXPECT_EQ(fts_query_for("food, clinic!"), "\"food\"* \"clinic\"*");
    EXPECT_EQ(fts_query_for("\"*()"), "");
}

TEST(OpenAt, HoursIncludingMidnightAndAllDay) {
    Resource r;
    EXPECT_FALSE(open_at(r, 0, 600).has_value());  // no hours known
    r.hours = {{{"mon", "wed"}, "09:00", "17:00"}, {{"fri"}, "22:00", "02:00"}, {{"sun"}, "00:00", "24:00"}};
    EXPECT_EQ(open_at(r, 0, 9 * 60), true);
    EXPECT_EQ(open_at(r, 0, 17 * 60), false);  // closes at 17:00
    EXPECT_EQ(open_at(r, 1, 12 * 60), false);  // Tuesday
    EXPECT_EQ(open_at(r, 4, 23 * 60), true);   // Friday night
    EXPECT_EQ(open_at(r, 5, 60), true);        // early Saturday, from Friday
    EXPECT_EQ(open_at(r, 5, 3 * 60), false);
    EXPECT_EQ(open_at(r, 6, 23 * 60 + 59), true);
    r.always_open = true;
    EXPECT_EQ(open_at(r, 1, 3 * 60), true);
}

TEST(Qr, EncodesAndHasFinderPatterns) {
    auto q = make_qr("https://988lifeline.org");
    ASSERT_TRUE(q) << q.error().describe();
    EXPECT_GE(q->size, 21);
    EXPECT_EQ(q->dark.size(), static_cast<size_t>(q->size * q->size));
    // The three finder patterns: a dark 7x7 ring with a dark 3x3 centre.
    for (auto [ox, oy] : {std::pair{0, 0}, std::pair{q->size - 7, 0}, std::pair{0, q->size - 7}}) {
        EXPECT_TRUE(q->at(ox, oy));
        EXPECT_TRUE(q->at(ox + 6, oy + 6));
        EXPECT_FALSE(q->at(ox + 1, oy + 1));
        EXPECT_TRUE(q->at(ox + 3, oy + 3));
    }
    EXPECT_NE(make_qr("a")->dark, q->dark);
    EXPECT_FALSE(make_qr(""));
    EXPECT_EQ(tel_uri("+1 (800) 662-4357"), "tel:+18006624357");
    EXPECT_EQ(map_uri("410 Alder St, Demo"), "geo:0,0?q=410+Alder+St%2C+Demo");
}

}  // namespace
}  // namespace lasr
