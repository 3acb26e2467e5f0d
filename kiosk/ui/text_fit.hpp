// Text cut to fit a box: the lines a list row shows of a long description
// or name. No ImGui here: text is measured through a callback, so the
// breaking is tested with any measure and drawn with the real font.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lasr::ui {

// Width of a run of UTF-8 text, in the caller's units.
using MeasureText = std::function<float(std::string_view)>;

// Breaks `text` into lines no wider than `width`: at spaces, at each '\n',
// and between characters inside a word wider than a line (never inside a
// UTF-8 sequence). At most `max_lines` (at least 1) are returned; when text
// is left over, the last line ends in "…", words or characters trimmed
// until it fits. Empty text gives no lines.
std::vector<std::string> fit_lines(std::string_view text, float width, int max_lines, const MeasureText& measure);

}  // namespace lasr::ui
