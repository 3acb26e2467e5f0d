// Partner directory at scale: 10,000 resources. Prints
//   directory_search_ms_p95   per keystroke, typing queries letter by letter
//   directory_scroll_frame_ms_p95   CPU time of a frame while a finger drags
//                                   the list (and the same with 100 entries)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kiosk/app/app.hpp"
#include "kiosk/app/directory.hpp"
#include "kiosk/ui/headless_ui.hpp"
#include "tests/ui/synthetic_pack.hpp"

using namespace lasr;

namespace {

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double scroll_p95(int resources) {
    test::TempDir dir;
    test::write_synthetic_pack(dir / "pack", 5, resources);
    Config config;
    config.kiosk.data_dir = dir / "data";
    PlayerOptions o;
    o.headless = true;
    o.audio = false;
    auto player = std::move(*Player::create(o));
    App app(config, std::move(*ContentPack::open(dir / "pack")), *player, nullptr);
    app.dispatch({Intent::Kind::open_resources}, 0);
    ui::HeadlessUi ui(1920, 1080);
    ui.frame(app);
    std::vector<double> all;
    for (int pass = 0; pass < 10; ++pass) {
        auto ms = ui.drag(app, 600, 700, -400, 40);
        all.insert(all.end(), ms.begin(), ms.end());
    }
    return percentile(all, 0.95);
}

}  // namespace

int main() {
    test::TempDir dir;
    test::write_synthetic_pack(dir / "pack", 1, 10000);
    auto pack = ContentPack::open(dir / "pack");
    if (!pack) {
        std::fprintf(stderr, "%s\n", pack.error().describe().c_str());
        return 1;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto d = Directory::build((*pack)->catalog());
    double build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!d) return 1;
    std::vector<double> per_key;
    size_t hits = 0;
    for (std::string q : {"food pantry", "clinic", "housing help", "legal aid", "senior center", "servicios", "555-0142"}) {
        for (size_t n = 1; n <= q.size(); ++n) {
            auto k0 = std::chrono::steady_clock::now();
            auto r = (*d)->search(q.substr(0, n), "");
            per_key.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - k0).count());
            hits += r ? r->size() : 0;
        }
    }
    std::printf("directory_index_build_ms_10000 %.1f ms\n", build_ms);
    std::printf("directory_search_ms_p50 %.3f ms\n", percentile(per_key, 0.5));
    std::printf("directory_search_ms_p95 %.3f ms\n", percentile(per_key, 0.95));
    std::printf("directory_search_keystrokes %zu count\n", per_key.size());
    double big = scroll_p95(10000), small = scroll_p95(100);
    std::printf("directory_scroll_frame_ms_p95 %.3f ms\n", big);
    std::printf("directory_scroll_frame_ms_p95_100_entries %.3f ms\n", small);
    std::printf("directory_scroll_frame_ratio_10000_vs_100 %.2f ratio\n", small > 0 ? big / small : 0);
    return hits > 0 ? 0 : 1;
}
