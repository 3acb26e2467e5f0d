// Content-authoring benchmarks (make bench):
//   hsds_import_rows_per_s      services per second imported from a generated
//                               HSDS 1.x package of 10,000 services (with their
//                               organizations, locations, phones, addresses,
//                               five schedule rows each, languages, taxonomy)
//   transcode_realtime_factor   seconds of video per second of encoding, a
//                               1080p60 clip with sound to the h264 profile
//                               (1080p30, loudness-normalised); above 1.0 is
//                               faster than real time. LASR_BENCH_TRANSCODE_S
//                               sets the clip's length (default 10 s).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "kiosk/ctl/resource_import.hpp"
#include "kiosk/ctl/transcode.hpp"
#include "tests/support/fixtures.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double secs_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void write_package(const fs::path& dir, int services) {
    std::ostringstream orgs, svc, locs, sal, phones, addrs, sched, langs, tax, stax;
    orgs << "id,name,description,url\r\n";
    svc << "id,organization_id,name,description,url,status\r\n";
    locs << "id,organization_id,name\r\n";
    sal << "id,service_id,location_id\r\n";
    phones << "id,location_id,service_id,organization_id,service_at_location_id,number,extension,type,language\r\n";
    addrs << "id,location_id,attention,address_1,address_2,city,state_province,postal_code,country\r\n";
    sched << "id,service_id,location_id,service_at_location_id,weekday,opens_at,closes_at\r\n";
    langs << "id,service_id,location_id,language\r\n";
    tax << "id,name,parent_id,parent_name,vocabulary\r\n";
    stax << "id,service_id,taxonomy_id,taxonomy_detail\r\n";
    const char* terms[] = {"Food", "Housing", "Health", "Legal", "Work", "Emergency", "Care", "Goods", "Transit", "Money"};
    for (int t = 0; t < 10; ++t) tax << "t" << t << "," << terms[t] << ",,,Open Eligibility\r\n";
    for (int o = 0; o < services / 10; ++o)
        orgs << "o" << o << ",\"Organization " << o << ", Inc.\",\"Serving the county since " << 1950 + o % 70
             << ".\",https://org" << o << ".example.org\r\n";
    for (int s = 0; s < services; ++s) {
        svc << "s" << s << ",o" << s / 10 << ",Service " << s << ",\"Help with food, rent and bills.\nCall first.\","
            << "https://svc" << s << ".example.org," << (s % 50 == 0 ? "inactive" : "active") << "\r\n";
        locs << "l" << s << ",o" << s / 10 << ",Branch " << s << "\r\n";
        sal << "x" << s << ",s" << s << ",l" << s << "\r\n";
        phones << "p" << s << ",,s" << s << ",,,(555) 01" << s % 10 << "-" << 1000 + s % 9000 << ",,voice,\"en,es\"\r\n";
        addrs << "a" << s << ",l" << s << ",,\"" << s << " Main St, Suite 2\",,Springfield,IL,627" << s % 100 << ",US\r\n";
        for (int d = 1; d <= 5; ++d) sched << "h" << s << "-" << d << ",s" << s << ",,," << d << ",09:00,17:00\r\n";
        langs << "g" << s << ",s" << s << ",,es\r\n";
        stax << "y" << s << ",s" << s << ",t" << s % 10 << ",\r\n";
    }
    lasr::test::write_file(dir / "organizations.csv", orgs.str());
    lasr::test::write_file(dir / "services.csv", svc.str());
    lasr::test::write_file(dir / "locations.csv", locs.str());
    lasr::test::write_file(dir / "services_at_location.csv", sal.str());
    lasr::test::write_file(dir / "phones.csv", phones.str());
    lasr::test::write_file(dir / "physical_addresses.csv", addrs.str());
    lasr::test::write_file(dir / "regular_schedules.csv", sched.str());
    lasr::test::write_file(dir / "languages.csv", langs.str());
    lasr::test::write_file(dir / "taxonomy.csv", tax.str());
    lasr::test::write_file(dir / "services_taxonomy.csv", stax.str());
}

void bench_import(const lasr::test::TempDir& tmp) {
    const int services = 10000;
    write_package(tmp / "hsds", services);
    double best = 1e9;
    size_t imported = 0;
    for (int run = 0; run < 3; ++run) {
        auto t0 = Clock::now();
        auto im = lasr::ctl::import_resources(tmp / "hsds");
        double s = secs_since(t0);
        if (!im) {
            std::fprintf(stderr, "bench: %s\n", im.error().describe().c_str());
            return;
        }
        imported = im->resources.size();
        best = std::min(best, s);
    }
    std::printf("hsds_import_services %d services (%zu imported)\n", services, imported);
    std::printf("hsds_import_seconds %.3f s\n", best);
    std::printf("hsds_import_rows_per_s %.0f rows/s\n", services / best);
}

void bench_transcode(const lasr::test::TempDir& tmp) {
    const char* env = std::getenv("LASR_BENCH_TRANSCODE_S");
    double seconds = env ? std::atof(env) : 10.0;
    if (!(seconds > 0)) seconds = 10.0;
    fs::path src = tmp / "src.mp4";
    std::string dur = std::to_string(seconds);
    int rc = lasr::test::run({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                              "testsrc2=size=1920x1080:rate=60:duration=" + dur, "-f", "lavfi", "-i",
                              "sine=frequency=440:duration=" + dur, "-c:v", "libx264", "-preset", "ultrafast", "-c:a",
                              "aac", "-shortest", src.string()});
    if (rc != 0) {
        std::fprintf(stderr, "bench: ffmpeg could not make the source clip\n");
        return;
    }
    auto info = lasr::ctl::probe_video(src);
    if (!info) {
        std::fprintf(stderr, "bench: %s\n", info.error().describe().c_str());
        return;
    }
    lasr::ctl::TranscodeOptions opt;
    opt.profile = lasr::ctl::VideoProfile::h264;
    opt.cache_dir = tmp / "cache";
    std::ostringstream progress;
    auto t = lasr::ctl::transcode_video(src, *info, opt, "bench", progress);
    if (!t) {
        std::fprintf(stderr, "bench: %s\n", t.error().describe().c_str());
        return;
    }
    std::printf("transcode_source 1920x1080 60 fps h264+aac %.1f s\n", info->duration_s);
    std::printf("transcode_seconds %.2f s\n", t->seconds);
    std::printf("transcode_realtime_factor %.2f x\n", info->duration_s / t->seconds);
}

}  // namespace

int main() {
    lasr::test::TempDir tmp;
    bench_import(tmp);
    bench_transcode(tmp);
    return 0;
}
