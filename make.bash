#!/usr/bin/env bash
# make.bash: set up and build gort, as Go's src/make.bash builds Go.
#
#   ./make.bash
#
# 1. Checks that the Debian packages gort needs are installed. When some are
#    missing: as root it adds bookworm-backports to apt's sources if absent
#    and installs them; otherwise it prints the commands to run and exits 1.
# 2. Configures the build directory with CMake (Ninja when installed, else
#    Unix Makefiles) and builds everything.
#
# Environment:
#   GORT_BUILD   build directory (default: build). Use one per compiler, e.g.
#                GORT_BUILD=build-clang CXX=clang++ ./make.bash
#   GORT_JOBS    parallel build jobs (default: nproc)
#   CXX          C++ compiler, read by CMake when it first configures a build dir
#   CMAKE_GENERATOR  CMake generator (default: Ninja if installed)
#   GORT_SANITIZE  address, undefined, address,undefined or thread: a
#                sanitizer build (no book) in build-<name>/ unless GORT_BUILD
#                says otherwise, e.g. GORT_SANITIZE=thread ./make.bash
#
# Run it again at any time: it only installs what is missing and only
# rebuilds what changed. ./run.bash then runs the tests.
set -euo pipefail

cd "$(dirname "$0")"
SANITIZE="${GORT_SANITIZE:-}"
if [ -n "$SANITIZE" ]; then
	BUILD="${GORT_BUILD:-build-${SANITIZE//,/-}}"
else
	BUILD="${GORT_BUILD:-build}"
fi
JOBS="${GORT_JOBS:-$(nproc)}"

# ---------------------------------------------------------------------------
# The Debian packages gort needs: one per line, "name suite [min-version]".
# suite is the apt target release to install from. Add new needs here.
DEPS="
build-essential  bookworm
cmake            bookworm
g++              bookworm
clang-14         bookworm
clang            bookworm
binutils         bookworm
gdb              bookworm
valgrind         bookworm
python3          bookworm
python3-clang-14 bookworm
libclang-14-dev  bookworm
libclang-rt-14-dev bookworm
libbenchmark-dev bookworm
libgc-dev        bookworm
catch2           bookworm-backports 3
golang-1.22-go   bookworm-backports 1.22.12
golang-1.22-src  bookworm-backports 1.22.12
doxygen          bookworm
graphviz         bookworm
python3-sphinx   bookworm
furo             bookworm
python3-sphinxcontrib-mermaid bookworm
python3-breathe  bookworm
python3-matplotlib bookworm
chromium         bookworm
"
# The book also needs npm (Mermaid comes from the npm registry). A machine
# whose nodejs comes from elsewhere usually has npm already; else Debian's.
command -v npm >/dev/null || DEPS+="npm bookworm
"
BACKPORTS_FILE=/etc/apt/sources.list.d/backports.sources

say() { printf 'make.bash: %s\n' "$*" >&2; }

# missing_deps prints "name suite" for each package not installed (or
# installed at a version below its minimum).
missing_deps() {
	local name suite min status version
	while read -r name suite min; do
		[ -n "$name" ] || continue
		status=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$name" 2>/dev/null || true)
		version=${status#* }
		version=${version# }
		if [ "${status:0:2}" != "ii" ]; then
			echo "$name $suite"
		elif [ -n "$min" ] && ! dpkg --compare-versions "$version" ge "$min"; then
			echo "$name $suite"
		fi
	done <<<"$DEPS"
}

# has_backports: is bookworm-backports in apt's (enabled) sources?
has_backports() {
	grep -qs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources
}

write_backports() {
	cat >"$BACKPORTS_FILE" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

install_deps() {
	local missing main=() bp=() name suite
	missing=$(missing_deps)
	[ -n "$missing" ] || return 0
	while read -r name suite; do
		if [ "$suite" = bookworm-backports ]; then bp+=("$name"); else main+=("$name"); fi
	done <<<"$missing"

	local cmds=()
	if [ ${#bp[@]} -gt 0 ] && ! has_backports; then
		cmds+=("write $BACKPORTS_FILE (bookworm-backports, main)")
	fi
	cmds+=("apt-get update")
	[ ${#main[@]} -eq 0 ] || cmds+=("apt-get install -y ${main[*]}")
	[ ${#bp[@]} -eq 0 ] || cmds+=("apt-get install -y -t bookworm-backports ${bp[*]}")

	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: ${main[*]} ${bp[*]}"
		say "run as root (or with sudo), then run ./make.bash again:"
		if [ ${#bp[@]} -gt 0 ] && ! has_backports; then
			cat >&2 <<EOF
  cat > $BACKPORTS_FILE <<'END'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
END
EOF
		fi
		echo "  apt-get update" >&2
		[ ${#main[@]} -eq 0 ] || echo "  DEBIAN_FRONTEND=noninteractive apt-get install -y ${main[*]}" >&2
		[ ${#bp[@]} -eq 0 ] || echo "  DEBIAN_FRONTEND=noninteractive apt-get install -y -t bookworm-backports ${bp[*]}" >&2
		exit 1
	fi

	say "installing: ${main[*]} ${bp[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [ ${#bp[@]} -gt 0 ] && ! has_backports; then
		say "adding bookworm-backports ($BACKPORTS_FILE)"
		write_backports
	fi
	apt-get update -q
	[ ${#main[@]} -eq 0 ] || apt-get install -y -q "${main[@]}"
	[ ${#bp[@]} -eq 0 ] || apt-get install -y -q -t bookworm-backports "${bp[@]}"

	missing=$(missing_deps)
	if [ -n "$missing" ]; then
		say "still missing after apt-get install:"
		echo "$missing" >&2
		exit 1
	fi
}

# ---------------------------------------------------------------------------
# 1. Packages.
codename=""
if [ -r /etc/os-release ]; then
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
fi
if command -v dpkg-query >/dev/null && [ "$codename" = bookworm ]; then
	install_deps
else
	say "not Debian 12 (bookworm): skipping the package check; needs CMake >= 3.25,"
	say "g++ 12 or clang 14, Catch2 3, Google Benchmark, and Go's source for tools"
fi

# The pinned Go release (cmake/GOVERSION) and the installed Go source.
goversion=$(head -n1 cmake/GOVERSION)
goroot=/usr/lib/go-1.22
if [ -r "$goroot/VERSION" ] && [ "$(head -n1 "$goroot/VERSION")" != "$goversion" ]; then
	say "warning: gort ports $goversion but $goroot is $(head -n1 "$goroot/VERSION")"
fi

# ---------------------------------------------------------------------------
# 2. Configure. An existing build directory keeps its generator and compiler.
cmake_args=(-S . -B "$BUILD" --log-level=WARNING)
if [ -n "$SANITIZE" ]; then
	# Sanitized programs are for the tests; the book comes from build/.
	cmake_args+=(-DGORT_SANITIZE="$SANITIZE" -DGORT_BOOK=OFF)
fi
if [ ! -f "$BUILD/CMakeCache.txt" ] && [ -z "${CMAKE_GENERATOR:-}" ]; then
	if command -v ninja >/dev/null; then
		cmake_args+=(-G Ninja)
	else
		cmake_args+=(-G "Unix Makefiles")
	fi
fi
cmake "${cmake_args[@]}"

# 3. Build everything.
cmake --build "$BUILD" -j "$JOBS"

# ---------------------------------------------------------------------------
# 4. Where things are.
show() { [ -e "$BUILD/$1" ] && printf '  %-22s %s\n' "$2" "$BUILD/$1"; return 0; }
echo "---"
echo "Built gort (runtime of $goversion) with $(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt") in $BUILD/:"
show libgort.a "library"
show tests/gort_test "tests"
show tests/testprog "crash-test programs"
show bench/gort_bench "benchmarks"
show bench/million "million"
show compile_commands.json "compile commands"
show site/index.html "book"
show site/code/index.html "code browser"
echo "Run ./run.bash to test."
