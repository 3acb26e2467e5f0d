# Thin wrapper over CMake presets. Every target installs missing Debian
# packages first (deploy/install-deps.sh), so each works on a fresh machine.
PRESET ?= default
BUILD_DIR := build
JOBS ?= $(shell nproc)
DEMO_PACK := $(BUILD_DIR)/demo-pack
DEMO_TOUR := $(BUILD_DIR)/demo-tour

.PHONY: all deps configure build test test-asan demo demo-pack fleet-demo bench package clean

all: build

deps:
	@bash deploy/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 \
	  ctest --preset asan -j $(JOBS)

# The demo pack is signed with a demo key made once in the build tree (never
# committed): `lasr-kioskctl verify build/demo-pack --pubkey build/demo-key/demo.pub`.
demo-pack: build
	@test -f $(BUILD_DIR)/demo-key/demo.key || { mkdir -p $(BUILD_DIR)/demo-key && \
	  $(BUILD_DIR)/bin/lasr-kioskctl keygen --key $(BUILD_DIR)/demo-key/demo.key --pub $(BUILD_DIR)/demo-key/demo.pub >/dev/null; }
	@$(BUILD_DIR)/bin/lasr-kioskctl demo-pack --out $(DEMO_PACK) --key $(BUILD_DIR)/demo-key/demo.key

# With a display: the kiosk, full screen, on the demo pack (Esc or the
# window's close button quits). Without one: under Xvfb, a scripted tour
# saved as PNGs in build/demo-tour/.
demo: demo-pack
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD_DIR)/bin/lasr-kiosk --demo; \
	else \
	  rm -rf $(DEMO_TOUR); mkdir -p $(DEMO_TOUR); \
	  xvfb-run -a -s '-screen 0 1920x1080x24' \
	    $(BUILD_DIR)/bin/lasr-kiosk --demo --no-audio --script kiosk/tour/demo-tour.script --screenshot-dir $(DEMO_TOUR) \
	  && echo "demo: screenshot tour saved:" && ls -1 $(DEMO_TOUR); \
	fi

# The central side on 127.0.0.1: an LRS and nginx, three kiosks under Xvfb
# (patron, training, a broken content URL), then `lasr-kioskctl fleet`:
# build/fleet-demo/fleet.html, fleet.prom (and fleet.png with chromium).
fleet-demo: demo-pack
	@cmake --build --preset $(PRESET) --target lasr-test-lrs
	@bash deploy/central/fleet-demo.sh $(BUILD_DIR)

# Every benchmark prints "name value unit" lines (and ratios against peers
# such as plain mpv, sha256sum or curl, run in the same session).
bench: demo-pack
	@cmake --build --preset $(PRESET) --target run-bench

# The Debian package (CPack, deploy/CMakeLists.txt) in build/, checked by
# lintian: errors fail the target, warnings are printed.
package: build
	@bash deploy/install-deps.sh --package
	@rm -f $(BUILD_DIR)/lasr-kiosk_*.deb
	@cd $(BUILD_DIR) && cpack -G DEB >/dev/null
	@deb=$$(ls $(BUILD_DIR)/lasr-kiosk_*.deb); \
	  echo "package: $$deb"; dpkg-deb -f $$deb Package Version Architecture Depends; \
	  lintian --fail-on error --pedantic --display-info $$deb >$(BUILD_DIR)/lintian.txt 2>&1; rc=$$?; \
	  grep -v 'not recommended' $(BUILD_DIR)/lintian.txt | sed 's/^/lintian: /'; \
	  if [ $$rc -ne 0 ]; then echo "lintian: failed (errors above)"; exit 1; fi; \
	  echo "lintian: no errors; $$(grep -c '^W:' $(BUILD_DIR)/lintian.txt) warning(s), $$(grep -c '^[IP]:' $(BUILD_DIR)/lintian.txt) info/pedantic"

clean:
	rm -rf build build-asan build-headless
