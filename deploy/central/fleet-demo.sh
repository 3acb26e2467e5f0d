#!/usr/bin/env bash
# The central side, on this machine only (127.0.0.1): an xAPI LRS and nginx
# serving the signed demo pack, three real kiosks (under Xvfb) that sync to
# them for about half a minute (a patron kiosk, a training screen, and one
# whose content URL is wrong), then `lasr-kioskctl fleet`, which writes the
# fleet page and the Prometheus file to build/fleet-demo/.
#
#   make fleet-demo          (builds what it needs first)
#   deploy/central/fleet-demo.sh [BUILD_DIR]
#
# The LRS is the tests' scripted LRS (build/bin/lasr-test-lrs, built with the
# tests): a real HTTP server with the xAPI 1.0.3 statements resource (POST,
# and GET with since/until/verb/limit/ascending and `more` links). In
# production it is Ralph (deploy/central/ralph/); nothing here differs for
# the kiosks or for fleet but the URL.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out="$build/fleet-demo"
bin="$build/bin"
for exe in lasr-kiosk lasr-kioskctl lasr-test-lrs; do
    [ -x "$bin/$exe" ] || { echo "fleet-demo: $bin/$exe is missing (make build)" >&2; exit 2; }
done
[ -f "$build/demo-pack/manifest.json" ] || { echo "fleet-demo: no demo pack (make demo-pack)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "fleet-demo: nginx is not installed (deploy/install-deps.sh)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "fleet-demo: xvfb-run is not installed" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/www" "$out/nginx/logs" "$out/nginx/tmp"
cp -r "$build/demo-pack" "$out/www/demo-library"

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -f "$out/nginx/nginx.pid" ]; then kill "$(cat "$out/nginx/nginx.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
}
trap cleanup EXIT

# The LRS (user kiosk-7 for everything here; see docs/it-staff.md for the
# separate write and read users of a real LRS).
"$bin/lasr-test-lrs" kiosk-7 s3cret >"$out/lrs.out" 2>"$out/lrs.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "url=" "$out/lrs.out" 2>/dev/null && break; sleep 0.1; done
lrs_url=$(sed -n 's/^lasr-test-lrs url=//p' "$out/lrs.out")
[ -n "$lrs_url" ] || { echo "fleet-demo: the LRS did not start: $(cat "$out/lrs.log")" >&2; exit 1; }
printf 'kiosk-7:s3cret\n' >"$out/lrs.cred"
chmod 600 "$out/lrs.cred"

# nginx with the production snippet (deploy/central/nginx/lasr-packs.conf).
port=""
for p in $(seq 18480 18580); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "fleet-demo: no free port for nginx" >&2; exit 1; }
cat >"$out/nginx/nginx.conf" <<EOF
daemon on;
pid $out/nginx/nginx.pid;
error_log $out/nginx/logs/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
    types { application/json json; video/mp4 mp4; text/vtt vtt; image/jpeg jpg; image/png png; text/plain txt; }
    access_log $out/nginx/logs/access.log;
    client_body_temp_path $out/nginx/tmp/body;
    proxy_temp_path $out/nginx/tmp/proxy;
    fastcgi_temp_path $out/nginx/tmp/fastcgi;
    uwsgi_temp_path $out/nginx/tmp/uwsgi;
    scgi_temp_path $out/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $out/www;
        include $here/nginx/lasr-packs.conf;
    }
}
EOF
nginx -p "$out/nginx" -c "$out/nginx/nginx.conf"
content="http://127.0.0.1:$port"
echo "fleet-demo: LRS $lrs_url, packs $content/demo-library/"
curl -sSI "$content/demo-library/manifest.json" | grep -i -E '^(HTTP|cache-control|etag)' | sed 's/^/fleet-demo:   /' || true

pubkey=$(sed -n 2p "$build/demo-key/demo.pub")

# Three kiosks: id, branch, mode, content URL, script.
kiosk() {
    local id=$1 branch=$2 mode=$3 url=$4 script=$5
    local d="$out/kiosks/$id"
    mkdir -p "$d"
    cat >"$d/kiosk.toml" <<EOF
[kiosk]
id = "$id"
library_id = "demo-library"
branch = "$branch"
mode = "$mode"
data_dir = "$d/data"
[display]
fullscreen = false
[player]
audio = false
[content]
server_url = "$url"
poll_interval_s = 10
public_key = "$pubkey"
[usage]
home_page = "https://demo-library.example.org"
lrs_url = "$lrs_url"
lrs_credentials_file = "$out/lrs.cred"
trust_rtc = true
sync_interval_s = 5
heartbeat_interval_s = 10
[screen]
on_hours = ["daily 00:00-24:00"]   # the demo pack's screen hours may be closed now
power_on = []                      # no display to switch here
power_off = []
EOF
    printf '%b' "$script" >"$d/run.script"
    LASR_LOG=info xvfb-run -a -s '-screen 0 960x540x24' \
        "$bin/lasr-kiosk" --config "$d/kiosk.toml" --windowed 960x540 --no-audio \
        --script "$d/run.script" --screenshot-dir "$d/shots" >"$d/kiosk.log" 2>&1 &
    pids+=($!)
    echo "fleet-demo: kiosk $id ($mode, $branch) started"
}
kiosk main-lobby main-street patron "$content/demo-library/" \
    'wait 10000\nplay c1-v1\nwait-end\ngoto resources\ngoto resource:us-988-lifeline\nwait 40000\nquit\n'
kiosk staff-room main-street training "$content/demo-library/" 'wait 65000\nquit\n'
kiosk oak-park-lobby oak-park patron "$content/no-such-library/" 'wait 65000\nquit\n'

# The fleet view while they run: after 50 s each has sent a few heartbeats
# (every 10 s here) and its usage (every 5 s), and the patron kiosk's video
# has played to its end.
sleep 50
set +e
"$bin/lasr-kioskctl" fleet --lrs "$lrs_url" --credentials "$out/lrs.cred" --cache "$out/fleet-cache.sqlite3" \
    --html "$out/fleet.html" --prom "$out/fleet.prom" 2>"$out/fleet.log" | tee "$out/fleet.txt"
rc=${PIPESTATUS[0]}
set -e
echo "fleet-demo: fleet exit code $rc (1: a kiosk is silent or failing)"
[ "$rc" -le 1 ] || { cat "$out/fleet.log" >&2; exit 1; }

# Let the kiosks finish (at most 60 s more).
for k in 1 2 3; do
    p=${pids[$k]}
    for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill "$p" 2>/dev/null || true
done

# A picture of the page, when a headless browser is at hand.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1500,1000 \
        --screenshot="$out/fleet.png" "file://$out/fleet.html" >/dev/null 2>&1 || true
fi
echo "fleet-demo: wrote $out/fleet.html, $out/fleet.prom${browser:+, $out/fleet.png}"
