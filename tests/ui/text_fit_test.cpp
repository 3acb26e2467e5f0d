#include "kiosk/ui/text_fit.hpp"

#include <gtest/gtest.h>

namespace lasr::ui {
namespace {

using Lines = std::vector<std::string>;

// Every character one unit wide (UTF-8 continuation bytes are not characters).
float chars(std::string_view s) {
    float n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

const MeasureText kChars = chars;

TEST(FitLines, TextThatFitsComesBackAsItIs) {
    EXPECT_EQ(fit_lines("Food pantry", 20, 2, kChars), Lines{"Food pantry"});
    EXPECT_EQ(fit_lines("  Food pantry \n\n", 20, 2, kChars), Lines{"Food pantry"}) << "blank ends show nothing";
    EXPECT_EQ(fit_lines("", 20, 2, kChars), Lines{});
    EXPECT_EQ(fit_lines(" \r\n \n", 20, 2, kChars), Lines{});
}

TEST(FitLines, BreaksAtSpacesWithinTheWidth) {
    EXPECT_EQ(fit_lines("one two three four five", 9, 5, kChars), (Lines{"one two", "three", "four five"}));
    for (const auto& line : fit_lines("Call or text 988 any time, day or night, for free", 12, 10, kChars))
        EXPECT_LE(chars(line), 12.f) << line;
}

TEST(FitLines, TextLeftOverEndsTheLastLineInAnEllipsis) {
    EXPECT_EQ(fit_lines("one two three four five", 9, 2, kChars), (Lines{"one two", "three\xE2\x80\xA6"}));
    // A full last line gives up its last word for the ellipsis.
    EXPECT_EQ(fit_lines("aaaa bbbb cccc", 9, 1, kChars), Lines{"aaaa\xE2\x80\xA6"});
    // Only blanks left over: no ellipsis.
    EXPECT_EQ(fit_lines("one two \n\n ", 9, 1, kChars), Lines{"one two"});
    // No line is ever wider than asked, the ellipsis included.
    for (int max = 1; max <= 4; ++max)
        for (const auto& line : fit_lines("Community health clinic with sliding-scale fees", 10, max, kChars))
            EXPECT_LE(chars(line), 10.f) << line;
}

TEST(FitLines, LineBreaksInTheTextEndLines) {
    EXPECT_EQ(fit_lines("First\nSecond line\r\nThird", 20, 3, kChars), (Lines{"First", "Second line", "Third"}));
    EXPECT_EQ(fit_lines("First\n\nThird", 20, 3, kChars), (Lines{"First", "", "Third"})) << "a blank line stays";
    EXPECT_EQ(fit_lines("First\nSecond\nThird", 20, 2, kChars), (Lines{"First", "Second\xE2\x80\xA6"}));
}

TEST(FitLines, AWordWiderThanALineIsBrokenBetweenCharacters) {
    const std::string url = "https://example.org/food/pantry/hours";
    auto lines = fit_lines(url, 10, 10, kChars);
    std::string joined;
    for (const auto& line : lines) {
        EXPECT_LE(chars(line), 10.f) << line;
        joined += line;
    }
    EXPECT_EQ(joined, url) << "nothing lost when all of it fits";
    // Even a width under one character moves on, one character a line.
    EXPECT_EQ(fit_lines("abc", 0.5f, 5, kChars), (Lines{"a", "b", "c"}));
}

TEST(FitLines, NeverSplitsAUtf8Character) {
    const std::string enes = "\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1";  // seven ñ
    EXPECT_EQ(fit_lines(enes, 4, 2, kChars),
              (Lines{"\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1", "\xC3\xB1\xC3\xB1\xC3\xB1"}));
    EXPECT_EQ(fit_lines(enes + enes, 4, 2, kChars),
              (Lines{"\xC3\xB1\xC3\xB1\xC3\xB1\xC3\xB1", "\xC3\xB1\xC3\xB1\xC3\xB1\xE2\x80\xA6"}));
}

}  // namespace
}  // namespace lasr::ui
