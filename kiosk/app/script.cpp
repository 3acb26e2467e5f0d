#include "kiosk/app/script.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "config/log.hpp"

namespace lasr {

namespace {

// Frames to draw after a step before the next one, so that what a step
// changed is on screen (ImGui lays out a new screen over a frame or two).
constexpr int kSettleFrames = 3;

std::string trim(std::string s) {
    auto issp = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && issp(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && issp(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

}  // namespace

Result<std::vector<ScriptStep>> parse_script(std::string_view text, const std::string& origin) {
    std::vector<ScriptStep> steps;
    std::istringstream in{std::string(text)};
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        auto sp = line.find(' ');
        std::string cmd = line.substr(0, sp);
        std::string arg = sp == std::string::npos ? "" : trim(line.substr(sp + 1));
        auto bad = [&](const std::string& why) {
            return make_error(Domain::ui, Errc::parse, origin + ":" + std::to_string(n) + ": " + why);
        };
        ScriptStep st{ScriptStep::Kind::quit, arg, n};
        if (cmd == "goto") st.kind = ScriptStep::Kind::go_to;
        else if (cmd == "tap") st.kind = ScriptStep::Kind::tap;
        else if (cmd == "type") st.kind = ScriptStep::Kind::type;
        else if (cmd == "play") st.kind = ScriptStep::Kind::play;
        else if (cmd == "wait-end") st.kind = ScriptStep::Kind::wait_end;
        else if (cmd == "wait") st.kind = ScriptStep::Kind::wait_ms;
        else if (cmd == "screenshot") st.kind = ScriptStep::Kind::screenshot;
        else if (cmd == "key") st.kind = ScriptStep::Kind::key;
        else if (cmd == "quit") st.kind = ScriptStep::Kind::quit;
        else return bad("unknown step \"" + cmd + "\"");
        bool needs_arg = st.kind != ScriptStep::Kind::wait_end && st.kind != ScriptStep::Kind::quit;
        if (needs_arg && arg.empty()) return bad(cmd + " needs an argument");
        if (st.kind == ScriptStep::Kind::wait_ms) {
            char* end = nullptr;
            long ms = std::strtol(arg.c_str(), &end, 10);
            if (*end != '\0' || ms < 0 || ms > 600000) return bad("wait takes milliseconds from 0 to 600000");
        }
        if (st.kind == ScriptStep::Kind::screenshot) {
            for (char c : arg)
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                    return bad("screenshot names use letters, digits, '-' and '_'");
        }
        if (st.kind == ScriptStep::Kind::go_to) {
            auto colon = arg.find(':');
            auto screen = screen_from_string(arg.substr(0, colon));
            if (!screen || *screen == Screen::player) return bad("goto takes home, resources, course:ID or resource:ID");
        }
        steps.push_back(std::move(st));
    }
    return steps;
}

Result<std::vector<ScriptStep>> load_script(const std::filesystem::path& path) {
    std::ifstream f(path);
    if (!f) return make_error(Domain::ui, Errc::not_found, "cannot read script " + path.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    return parse_script(ss.str(), path.string());
}

std::string ScriptRunner::describe_current() const {
    if (pc_ >= steps_.size()) return "end of script";
    return "line " + std::to_string(steps_[pc_].line) + " (" + steps_[pc_].arg + ")";
}

double ScriptRunner::idle_for(double now) const {
    if (done()) return 1e9;
    if (settle_frames_ > 0) return 0;
    const ScriptStep& st = steps_[pc_];
    if (st.kind == ScriptStep::Kind::wait_ms && step_started_ >= 0)
        return std::max(0.0, step_started_ + std::stod(st.arg) / 1000.0 - now);
    if (st.kind == ScriptStep::Kind::wait_end) return 0.1;
    if (st.kind == ScriptStep::Kind::tap && step_started_ >= 0) return 0.02;  // waiting for its widget
    return 0;
}

ScriptRunner::Action ScriptRunner::next(App& app, double now, const HasTarget& has_target) {
    if (settle_frames_ > 0) {
        --settle_frames_;
        return {};
    }
    if (done()) return {};
    const ScriptStep& st = steps_[pc_];
    if (step_started_ < 0) step_started_ = now;
    auto advance = [&]() {
        ++pc_;
        step_started_ = -1;
        settle_frames_ = kSettleFrames;
    };
    Action act;
    switch (st.kind) {
        case ScriptStep::Kind::go_to: {
            auto colon = st.arg.find(':');
            Screen s = *screen_from_string(st.arg.substr(0, colon));
            std::string id = colon == std::string::npos ? "" : st.arg.substr(colon + 1);
            if (s == Screen::home) app.dispatch({Intent::Kind::go_home, ""}, now);
            else if (s == Screen::resources) app.dispatch({Intent::Kind::open_resources, ""}, now);
            else if (s == Screen::course) app.dispatch({Intent::Kind::open_course, id}, now);
            else if (s == Screen::resource) app.dispatch({Intent::Kind::open_resource, id}, now);
            advance();
            break;
        }
        case ScriptStep::Kind::play:
            app.dispatch({Intent::Kind::play_video, st.arg}, now);
            advance();
            break;
        case ScriptStep::Kind::tap:
            if (!has_target || has_target(st.arg)) {
                act = {Action::Kind::tap, st.arg};
                advance();
            } else if (now - step_started_ < tap_wait_s) {
                act = {Action::Kind::wait_target, st.arg};
            } else {
                char waited[32];
                std::snprintf(waited, sizeof waited, "%.1f", now - step_started_);
                act = {Action::Kind::failed, "nothing to tap with id " + st.arg + " on screen " +
                                                 std::string(to_string(app.state().screen)) + " after " + waited + " s"};
            }
            break;
        case ScriptStep::Kind::type:
            act = {Action::Kind::type, st.arg};
            advance();
            break;
        case ScriptStep::Kind::key:
            act = {Action::Kind::key, st.arg};
            advance();
            break;
        case ScriptStep::Kind::screenshot:
            act = {Action::Kind::screenshot, st.arg};
            advance();
            break;
        case ScriptStep::Kind::wait_ms:
            if (now - step_started_ >= std::stod(st.arg) / 1000.0) advance();
            break;
        case ScriptStep::Kind::wait_end:
            // Done once nothing is playing (also when it ended before this step).
            if (app.state().video_id.empty() && app.state().screen != Screen::player) advance();
            else if (now - step_started_ > wait_end_timeout_s) act = {Action::Kind::failed, "wait-end timed out"};
            break;
        case ScriptStep::Kind::quit:
            app.dispatch({Intent::Kind::quit, ""}, now);
            advance();
            break;
    }
    return act;
}

}  // namespace lasr
