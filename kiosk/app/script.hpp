// Scripts drive the kiosk UI from a text file, one step per line, for
// screenshot tours, end-to-end tests and benchmarks:
//
//   # comment
//   goto resources          (home | resources | course:ID | resource:ID)
//   tap course:c1-second-responders   (a widget id, tapped where it is drawn)
//   type food               (text into the focused field)
//   play c1-v1              (start a video directly)
//   wait-end                (until the playing video ends or fails)
//   wait 500                (milliseconds)
//   screenshot home-en      (saved as NAME.png in --screenshot-dir)
//   key escape              (a key: escape, enter, space, tab, up, down...)
//   quit
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/result.hpp"
#include "kiosk/app/app.hpp"

namespace lasr {

struct ScriptStep {
    enum class Kind { go_to, tap, type, play, wait_end, wait_ms, screenshot, key, quit };
    Kind kind;
    std::string arg;
    int line = 0;
};

Result<std::vector<ScriptStep>> parse_script(std::string_view text, const std::string& origin = "script");
Result<std::vector<ScriptStep>> load_script(const std::filesystem::path& path);

// Steps through a script against the app. The UI loop asks next() every
// frame and carries out what it gets: a tap at a widget, a screenshot, text.
class ScriptRunner {
public:
    struct Action {
        // wait_target: a tap's widget is not drawn yet; the loop draws
        // again (revealing the player's controls, as a touch would) and asks
        // again, until the widget is there or tap_wait_s has passed.
        enum class Kind { none, tap, wait_target, type, key, screenshot, failed } kind = Kind::none;
        std::string arg;
    };
    // Is a widget with this id drawn on screen now? (The loop's last frame.)
    using HasTarget = std::function<bool(const std::string& id)>;

    explicit ScriptRunner(std::vector<ScriptStep> steps) : steps_(std::move(steps)) {}

    // `now` is app time in seconds. Intents (goto, play, quit) go straight to
    // the app; UI actions come back for the loop to perform. A tap waits
    // for its widget to be drawn (has_target), at most tap_wait_s; without
    // has_target a tap is returned at once.
    Action next(App& app, double now, const HasTarget& has_target = {});
    bool done() const { return pc_ >= steps_.size(); }
    // In a wait step (settled): the loop need not draw for the script.
    bool waiting() const {
        return settle_frames_ == 0 && !done() &&
               (steps_[pc_].kind == ScriptStep::Kind::wait_ms || steps_[pc_].kind == ScriptStep::Kind::wait_end);
    }
    // Seconds the loop may sleep before the script needs it again.
    double idle_for(double now) const;
    // After a failed action: the step and why, for the log.
    std::string describe_current() const;

    double wait_end_timeout_s = 120;
    // How long a tap waits for its widget: a busy machine may draw the next
    // screen, or the player's controls, a few frames late.
    double tap_wait_s = 5;

private:
    std::vector<ScriptStep> steps_;
    size_t pc_ = 0;
    double step_started_ = -1;
    int settle_frames_ = 0;
};

}  // namespace lasr
