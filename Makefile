# naba: `make run` serves the demo site, `make test` runs every test.
# Both install what is missing first (Debian 12 packages, npm packages).

BUILD      ?= build
TEST_BUILD ?= build-test
DB         ?= naba.db
PORT       ?= 8080
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Packages to build and run naba, and the extra ones its tests use.
RUN_PKGS  := gcc make pkg-config meson ninja-build python3 \
             libmicrohttpd-dev libsqlite3-dev libjansson-dev libicu-dev \
             libstemmer-dev libsodium-dev zlib1g-dev libbrotli-dev libxml2-dev \
             libgumbo-dev libxxhash-dev gettext \
             libcmark-gfm-dev libcmark-gfm-extensions-dev libgit2-dev
TEST_PKGS := libcmocka-dev libcurl4-openssl-dev clang-format chromium \
             nginx-light wrk curl default-jre-headless libxml2-utils \
             python3-feedparser
# What bench/*.sh use: load generators and nginx to compare with, the
# Arabic word list the generated corpora come from, the sqlite3 shell, and
# the search engines bench/search_quality.sh compares naba with.
BENCH_PKGS := wrk nginx-light curl bc hunspell-ar sqlite3 chromium \
              python3-xapian postgresql-15 python3-psycopg2
FONT_FILES := $(foreach s,arabic latin,$(foreach w,400 700,noto-naskh-arabic-$(s)-$(w)-normal.woff2))
FONT_DIR   := themes/default/static/fonts

.PHONY: run build deps test-deps bench-deps npm fonts editor test format check-format bench bench-quality fuzz clean

run: deps build fonts editor
	@[ -f "$(DB)" ] || ./$(BUILD)/naba init --db "$(DB)" --demo
	./$(BUILD)/naba serve --db "$(DB)" --port $(PORT)

# Installs only what is missing, so it is quick once everything is there.
deps:
	@missing=$$(for p in $(RUN_PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error

test-deps:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(TEST_PKGS)"

bench-deps:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Dtests=false

build: $(BUILD)/build.ninja
	ninja -C $(BUILD) naba bench/search_bench

fonts:
	@mkdir -p $(FONT_DIR)
	@for f in $(FONT_FILES); do \
	  cmp -s node_modules/@fontsource/noto-naskh-arabic/files/$$f $(FONT_DIR)/$$f || \
	  cp node_modules/@fontsource/noto-naskh-arabic/files/$$f $(FONT_DIR)/$$f; done
	@cp node_modules/@fontsource/noto-naskh-arabic/LICENSE $(FONT_DIR)/OFL.txt

# The newsroom's editor: Tiptap bundled from node_modules by esbuild (no
# build server). Rebuilt only when its sources or the pinned packages
# change; naba serves it under the name of its content.
EDITOR_JS  := themes/admin/editor.js
editor: $(EDITOR_JS)
$(EDITOR_JS): tools/build-editor.mjs $(wildcard themes/admin/editor/*) package-lock.json
	node tools/build-editor.mjs

$(TEST_BUILD)/build.ninja:
	meson setup $(TEST_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dfault=true

# Every test: formatting, unit (cmocka), fuzz replays, HTTP (real server,
# libcurl) and browser (chromium) tests, all under ASan and UBSan.
test: test-deps fonts editor $(TEST_BUILD)/build.ninja
	ninja -C $(TEST_BUILD)
	tests/run.sh $(TEST_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

bench: bench-deps build fonts editor
	bench/article.sh

# Known-item search on real news (the ANT corpus) beside Xapian, PostgreSQL
# and Lucene's Arabic analyzer; about 3 minutes.
bench-quality: bench-deps $(BUILD)/build.ninja
	ninja -C $(BUILD) naba
	bench/search_quality.sh

# Set up once; later runs only build (ninja reruns meson by itself when a
# meson.build changed). A folder without build.ninja is a setup that
# failed half-way: nothing in it is worth keeping.
build-fuzz/build.ninja:
	rm -rf build-fuzz
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false --buildtype=debugoptimized

fuzz: build-fuzz/build.ninja
	ninja -C build-fuzz

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-fuzz
