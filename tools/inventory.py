#!/usr/bin/python3
"""Inventory of Go's runtime tests and benchmarks against gort's ports.

For every Test* and Benchmark* function in the Go test files that gort covers,
the inventory gives exactly one status:

  ported  found automatically: a Catch2 TEST_CASE("TestX", ...) in tests/**/*.cpp,
          or a benchmark registered as "BenchmarkX" or "BenchmarkX/sub" in bench/*.cpp;
          a TEST_CASE tagged with a Go file's base name ([sleep_test.go]) counts
          for that file only, and one tagged with a package ([os], [net]: the
          last directory of a covered Go file) for that package's files only.
          Where two covered files share a base name (os/timeout_test.go,
          net/timeout_test.go), the package tag is required;
  n/a     listed in tests/inventory/not_applicable.tsv with the reason;
  todo    listed in tests/inventory/todo.tsv with the issue that will port it.

Data files (all under tests/inventory/):

  covered.txt         one Go test file per line, relative to the Go source root
                      (default $GORT_GOROOT/src, else /usr/lib/go-1.22/src). A line of the form
                          runtime/crash_test.go: TestSimpleDeadlock TestInitDeadlock
                      restricts that file to the names listed (the rest of the
                      file is out of scope). '#' starts a comment.
  not_applicable.tsv  file<TAB>name<TAB>reason
  todo.tsv            file<TAB>name<TAB>issue and why

Problems reported by --check (exit status 1):

  missing    a Go function in scope that is neither ported nor listed;
  stale      a listed name that Go's file no longer defines (or that is out of
             the file's scope, or whose file is not covered), or a name listed
             as n/a or todo that is also ported;
  duplicate  a name listed twice, or listed as both n/a and todo, or a Catch2
             TEST_CASE name defined twice with the same package tags;
  malformed  a data line that does not parse, an empty reason, a covered file
             that does not exist.

Modes: default prints the table grouped by file; --markdown [PATH] writes a
Markdown table; --json prints JSON; --check checks; --selftest builds a fake repo
in a temporary directory and verifies that the classification works on it;
--ctest runs --selftest and then --check (the ctest entry point).

Standard library only; run with /usr/bin/python3.
"""

import argparse
import json
import os
import re
import sys
import tempfile

DEFAULT_GOROOT = "/usr/lib/go-1.22/src"

PORTED = "ported"
NA = "n/a"
TODO = "todo"
MISSING = "missing"

# A top-level Go test or benchmark function. `go test` only treats a name as a
# test when the character after the prefix is not a lower-case letter
# (TestFoo, Test_foo, Test are tests; Testable is not).
GO_FUNC_RE = re.compile(r"^func\s+((?:Test|Benchmark)(?![a-z])\w*)\s*\(")

# Catch2 test case: TEST_CASE("Name") or TEST_CASE("Name", "[tags]").
CATCH_RE = re.compile(r'\bTEST_CASE\s*\(\s*"([^"\\]*)"\s*(?:,\s*"([^"\\]*)")?')

# A benchmark name anywhere in a bench source: a string literal "BenchmarkX"
# or "BenchmarkX/sub...", or an identifier inside BENCHMARK(...).
BENCH_STR_RE = re.compile(r'"(Benchmark\w*)(?:/[^"\\]*)?"')
BENCH_MACRO_RE = re.compile(r"\b(?:GO_)?BENCHMARK\w*\s*\(\s*(Benchmark\w*)\b")

# A tag naming a Go test file: [proc_test.go].
TAG_FILE_RE = re.compile(r"\[([\w.-]+_test\.go)\]")
# Any tag: [net].
TAG_RE = re.compile(r"\[([^\]]*)\]")


class Problem:
    def __init__(self, kind, where, message):
        self.kind = kind
        self.where = where
        self.message = message

    def __str__(self):
        return "%s: %s: %s" % (self.kind, self.where, self.message)


# ---------------------------------------------------------------------------
# Parsing


def strip_c_comments(text):
    """Remove // and /* */ comments and `#if 0` blocks from C++ source.

    String and character literals are kept intact, so a "//" inside a string
    is not taken for a comment. Newlines are kept so that line numbers of the
    remaining code do not change.
    """
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or (c == "'" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"))):
            # A quote after an identifier character is a digit separator
            # (1'000) or part of a prefix (u8'x' is rare enough to ignore).
            # Raw strings (R"(...)") are rare in tests; treat them like
            # ordinary strings up to the closing quote, which is enough here.
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    break
                j += 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            end = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        else:
            out.append(c)
            i += 1
    return strip_if0("".join(out))


def strip_if0(text):
    """Blank out `#if 0 ... #endif` regions (nesting aware)."""
    lines = text.split("\n")
    depth = 0  # > 0 while inside an #if 0 region
    for k, line in enumerate(lines):
        s = line.strip()
        if depth == 0:
            if re.match(r"#\s*if\s+0\b", s):
                depth = 1
                lines[k] = ""
            continue
        if re.match(r"#\s*if", s):
            depth += 1
        elif re.match(r"#\s*endif\b", s):
            depth -= 1
        elif depth == 1 and re.match(r"#\s*(else|elif)\b", s):
            # The #else branch of an #if 0 is live code.
            depth = 0
        lines[k] = ""
    return "\n".join(lines)


def parse_go_file(path):
    """Return [(name, line)] of top-level Test*/Benchmark* functions."""
    funcs = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = GO_FUNC_RE.match(line)
            if m:
                funcs.append((m.group(1), lineno))
    return funcs


def parse_covered(path):
    """Parse covered.txt into [(file, names-or-None, lineno)]."""
    entries = []
    problems = []
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (rel(path), lineno)
            if ":" in line:
                file, rest = line.split(":", 1)
                file = file.strip()
                names = rest.split()
                if not names:
                    problems.append(Problem("malformed", where, "'%s:' lists no names" % file))
                    continue
                entries.append((file, names, lineno))
            else:
                if len(line.split()) != 1:
                    problems.append(Problem("malformed", where, "expected one path, got %r" % line))
                    continue
                entries.append((line, None, lineno))
    return entries, problems


def parse_tsv(path):
    """Parse a file<TAB>name<TAB>reason table into [(file, name, reason, lineno)]."""
    rows = []
    problems = []
    if not os.path.exists(path):
        return rows, problems
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = "%s:%d" % (rel(path), lineno)
            parts = line.split("\t")
            if len(parts) != 3:
                problems.append(Problem("malformed", where,
                                        "expected file<TAB>name<TAB>reason, got %d field(s)" % len(parts)))
                continue
            file, name, reason = (p.strip() for p in parts)
            if not file or not name or not reason:
                problems.append(Problem("malformed", where, "empty field (every entry needs a reason)"))
                continue
            rows.append((file, name, reason, lineno))
    return rows, problems


def walk_files(top, suffix, recursive):
    if not os.path.isdir(top):
        return []
    found = []
    if recursive:
        for d, dirs, files in os.walk(top):
            dirs.sort()
            for fn in sorted(files):
                if fn.endswith(suffix):
                    found.append(os.path.join(d, fn))
    else:
        for fn in sorted(os.listdir(top)):
            p = os.path.join(top, fn)
            if fn.endswith(suffix) and os.path.isfile(p):
                found.append(p)
    return found


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def parse_catch_tests(root):
    """Return {name: [(path, line, tagged_go_files, all_tags)]} from tests/**/*.cpp."""
    tests = {}
    for path in walk_files(os.path.join(root, "tests"), ".cpp", True):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = strip_c_comments(f.read())
        for m in CATCH_RE.finditer(text):
            name, tags = m.group(1), m.group(2) or ""
            files = set(TAG_FILE_RE.findall(tags))
            tests.setdefault(name, []).append((path, line_of(text, m.start()), files, set(TAG_RE.findall(tags))))
    return tests


def parse_benchmarks(root):
    """Return {parent name: [(path, line)]} from bench/*.cpp."""
    benches = {}
    for path in walk_files(os.path.join(root, "bench"), ".cpp", False):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = strip_c_comments(f.read())
        for rx in (BENCH_STR_RE, BENCH_MACRO_RE):
            for m in rx.finditer(text):
                benches.setdefault(m.group(1), []).append((path, line_of(text, m.start())))
    return benches


# ---------------------------------------------------------------------------
# Classification


def package_of(file):
    """The package tag of a Go file: its last directory (runtime/debug/x_test.go: debug)."""
    return os.path.basename(os.path.dirname(file))

_ROOT_FOR_REL = None


def rel(path):
    if _ROOT_FOR_REL and os.path.isabs(path):
        try:
            r = os.path.relpath(path, _ROOT_FOR_REL)
            if not r.startswith(".."):
                return r
        except ValueError:
            pass
    return path


def build_inventory(root, goroot):
    """Classify every in-scope Go function. Returns (rows, problems).

    Each row is a dict: file, name, line, status, reason, where.
    """
    global _ROOT_FOR_REL
    _ROOT_FOR_REL = root
    inv = os.path.join(root, "tests", "inventory")
    problems = []

    covered_path = os.path.join(inv, "covered.txt")
    if not os.path.exists(covered_path):
        problems.append(Problem("malformed", rel(covered_path), "file not found"))
        return [], problems
    covered, p = parse_covered(covered_path)
    problems += p

    # Go functions in scope, per covered file.
    scope = {}  # file -> {name: line}
    go_all = {}  # file -> {name: line}, the whole file (for stale checks)
    order = []
    unreadable = set()  # covered files that could not be read (already reported)
    for file, only, lineno in covered:
        where = "%s:%d" % (rel(covered_path), lineno)
        if file in scope:
            problems.append(Problem("duplicate", where, "%s is listed twice" % file))
            continue
        gopath = os.path.join(goroot, file)
        if not os.path.isfile(gopath):
            problems.append(Problem("malformed", where, "%s does not exist" % gopath))
            unreadable.add(file)
            continue
        funcs = parse_go_file(gopath)
        allnames = {}
        for name, line in funcs:
            allnames.setdefault(name, line)
        go_all[file] = allnames
        if only is None:
            scope[file] = dict(allnames)
        else:
            scope[file] = {}
            seen = set()
            for name in only:
                if name in seen:
                    problems.append(Problem("duplicate", where, "%s lists %s twice" % (file, name)))
                    continue
                seen.add(name)
                if name not in allnames:
                    problems.append(Problem("stale", where,
                                            "%s is listed in scope but %s does not define it" % (name, file)))
                    continue
                scope[file][name] = allnames[name]
        order.append(file)
        if not scope[file] and only is None:
            problems.append(Problem("malformed", where,
                                    "%s defines no Test*/Benchmark* functions" % file))

    # Listed statuses.
    listed = {}  # (file, name) -> (status, reason, where)
    for status, fname in ((NA, "not_applicable.tsv"), (TODO, "todo.tsv")):
        path = os.path.join(inv, fname)
        rows, p = parse_tsv(path)
        problems += p
        for file, name, reason, lineno in rows:
            where = "%s:%d" % (rel(path), lineno)
            if file in unreadable:
                continue
            if file not in scope:
                problems.append(Problem("stale", where,
                                        "%s is not a covered file (see covered.txt)" % file))
                continue
            if name not in go_all[file]:
                problems.append(Problem("stale", where, "%s no longer defines %s" % (file, name)))
                continue
            if name not in scope[file]:
                problems.append(Problem("stale", where,
                                        "%s is outside the names covered.txt keeps from %s" % (name, file)))
                continue
            key = (file, name)
            if key in listed:
                prev = listed[key]
                problems.append(Problem("duplicate", where,
                                        "%s %s is also listed as %s at %s" % (file, name, prev[0], prev[2])))
                continue
            listed[key] = (status, reason, where)

    # Ported tests and benchmarks.
    catch = parse_catch_tests(root)
    benches = parse_benchmarks(root)
    # A package tag names the last directory of a covered Go file ([net] for
    # net/timeout_test.go); a base name two covered files share needs one.
    packages = {package_of(f) for f in order}
    bases = {}
    for f in order:
        bases[os.path.basename(f)] = bases.get(os.path.basename(f), 0) + 1
    for name, defs in sorted(catch.items()):
        by_pkg = {}
        for d in defs:
            by_pkg.setdefault(frozenset(d[3] & packages), []).append(d)
        for same in by_pkg.values():
            if len(same) > 1:
                places = ", ".join("%s:%d" % (rel(d[0]), d[1]) for d in same)
                problems.append(Problem("duplicate", rel(same[1][0]),
                                        'TEST_CASE("%s") is defined %d times: %s' % (name, len(same), places)))

    def ported_where(file, name):
        """Return (where, None) if ported, (None, hint) otherwise."""
        base = os.path.basename(file)
        if name.startswith("Benchmark"):
            defs = benches.get(name)
            if defs:
                return "%s:%d" % (rel(defs[0][0]), defs[0][1]), None
            return None, None
        pkg = package_of(file)
        hint = None
        for path, line, tagged, tags in catch.get(name, []):
            pkgs = tags & packages
            if tagged and base not in tagged:
                hint = "a TEST_CASE of this name at %s:%d is tagged %s, not [%s]" % (
                    rel(path), line, " ".join("[%s]" % t for t in sorted(tagged)), base)
            elif (pkgs or bases[base] > 1) and pkg not in pkgs:
                hint = "a TEST_CASE of this name at %s:%d is not tagged [%s]%s" % (
                    rel(path), line, pkg,
                    " (%s is the base name of more than one covered file)" % base if bases[base] > 1 else "")
            else:
                return "%s:%d" % (rel(path), line), None
        return None, hint

    rows = []
    for file in order:
        for name, line in sorted(scope[file].items(), key=lambda kv: kv[1]):
            key = (file, name)
            where, hint = ported_where(file, name)
            lst = listed.get(key)
            if where:
                if lst:
                    problems.append(Problem("stale", lst[2],
                                            "%s %s is listed as %s but is ported at %s: remove the entry"
                                            % (file, name, lst[0], where)))
                rows.append(dict(file=file, name=name, line=line, status=PORTED, reason="", where=where))
            elif lst:
                rows.append(dict(file=file, name=name, line=line, status=lst[0], reason=lst[1], where=lst[2]))
            else:
                what = "benchmark" if name.startswith("Benchmark") else "TEST_CASE"
                msg = "%s: no %s and no entry in not_applicable.tsv or todo.tsv" % (name, what)
                if hint:
                    msg += " (%s)" % hint
                problems.append(Problem("missing", "%s:%d" % (file, line), msg))
                rows.append(dict(file=file, name=name, line=line, status=MISSING,
                                 reason=hint or "not ported and not listed", where=""))
    return rows, problems


def counts(rows):
    c = {PORTED: 0, NA: 0, TODO: 0, MISSING: 0}
    for r in rows:
        c[r["status"]] += 1
    return c


def fmt_counts(c):
    total = sum(c.values())
    return "%d in scope: %d ported, %d n/a, %d todo, %d missing" % (
        total, c[PORTED], c[NA], c[TODO], c[MISSING])


# ---------------------------------------------------------------------------
# Output


def print_table(rows, out=sys.stdout):
    files = []
    for r in rows:
        if r["file"] not in files:
            files.append(r["file"])
    for file in files:
        fr = [r for r in rows if r["file"] == file]
        out.write("== %s (%s)\n" % (file, fmt_counts(counts(fr))))
        w = max(len(r["name"]) for r in fr)
        for r in fr:
            detail = r["where"] if r["status"] == PORTED else r["reason"]
            out.write("  %-*s  %-7s  %s\n" % (w, r["name"], r["status"], detail))
        out.write("\n")
    out.write("total: %s\n" % fmt_counts(counts(rows)))


def md_escape(s):
    return s.replace("|", "\\|")


def markdown(rows):
    lines = []
    lines.append("Go tests and benchmarks (go1.22.12) and their status in gort: %s."
                 % fmt_counts(counts(rows)))
    lines.append("")
    lines.append("| Go file | Name | Status | Reason or location |")
    lines.append("|---|---|---|---|")
    for r in rows:
        detail = r["where"] if r["status"] == PORTED else r["reason"]
        link = "[%s](https://github.com/golang/go/blob/go1.22.12/src/%s#L%d)" % (
            os.path.basename(r["file"]), r["file"], r["line"])
        lines.append("| %s | `%s` | %s | %s |" % (link, r["name"], r["status"], md_escape(detail)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Self-test


def selftest():
    """Check the classifier on a fake repository with known answers."""
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="gort-inventory-") as tmp:
        goroot = os.path.join(tmp, "go")
        repo = os.path.join(tmp, "repo")
        os.makedirs(os.path.join(goroot, "runtime"))
        os.makedirs(os.path.join(repo, "tests", "inventory"))
        os.makedirs(os.path.join(repo, "tests", "sub"))
        os.makedirs(os.path.join(repo, "bench"))

        def write(path, text):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)

        write(os.path.join(goroot, "runtime", "fake_test.go"),
              "package runtime_test\n"
              "func TestPorted(t *testing.T) {}\n"
              "func TestMissing(t *testing.T) {}\n"
              "func TestNA(t *testing.T) {}\n"
              "func TestTodo(t *testing.T) {}\n"
              "func TestStaleListed(t *testing.T) {}\n"
              "func TestCommentedOut(t *testing.T) {}\n"
              "func TestWrongTag(t *testing.T) {}\n"
              "func Testable(t *testing.T) {}\n"           # not a test: lower case after Test
              "func (s *S) TestMethod(t *testing.T) {}\n"  # a method, not a test
              "func BenchmarkPorted(b *testing.B) {}\n"
              "func BenchmarkSub(b *testing.B) {}\n"
              "func BenchmarkMacro(b *testing.B) {}\n"
              "func BenchmarkMissing(b *testing.B) {}\n")
        write(os.path.join(goroot, "runtime", "other_test.go"),
              "package runtime_test\n"
              "func TestInScope(t *testing.T) {}\n"
              "func TestOutOfScope(t *testing.T) {}\n")
        # Two packages' files of one base name: their TEST_CASEs need the package tag.
        for pkg in ("os", "net"):
            os.makedirs(os.path.join(goroot, pkg))
            os.makedirs(os.path.join(repo, "tests", pkg))
            write(os.path.join(goroot, pkg, "same_test.go"),
                  "package %s\nfunc TestSame(t *testing.T) {}\n" % pkg
                  + ("func TestSameUntagged(t *testing.T) {}\n" if pkg == "os" else ""))
            write(os.path.join(repo, "tests", pkg, "same_test.cpp"),
                  'TEST_CASE("TestSame", "[%s][same_test.go]") {}\n' % pkg
                  + ('TEST_CASE("TestSameUntagged", "[same_test.go]") {}\n' if pkg == "os" else ""))
        write(os.path.join(repo, "tests", "inventory", "covered.txt"),
              "# comment\nruntime/fake_test.go\nruntime/other_test.go: TestInScope\n"
              "os/same_test.go\nnet/same_test.go\n")
        write(os.path.join(repo, "tests", "inventory", "not_applicable.tsv"),
              "# file\tname\treason\n"
              "runtime/fake_test.go\tTestNA\tbecause\n"
              "runtime/fake_test.go\tTestGone\tno longer in Go's file\n"
              "runtime/other_test.go\tTestOutOfScope\tnot in the only-list\n")
        write(os.path.join(repo, "tests", "inventory", "todo.tsv"),
              "runtime/fake_test.go\tTestTodo\tlater issue\n"
              "runtime/fake_test.go\tTestStaleListed\tlisted but ported\n"
              "runtime/fake_test.go\tTestNA\tlisted twice\n")
        write(os.path.join(repo, "tests", "sub", "fake_test.cpp"),
              '#include <catch2/catch_test_macros.hpp>\n'
              'TEST_CASE("TestPorted", "[fake_test.go]") {}\n'
              'TEST_CASE( "TestStaleListed" ) {}\n'
              '// TEST_CASE("TestCommentedOut", "[fake_test.go]") {}\n'
              '/* TEST_CASE("TestCommentedOut") */\n'
              '#if 0\nTEST_CASE("TestCommentedOut") {}\n#endif\n'
              'TEST_CASE("TestWrongTag", "[elsewhere_test.go]") {}\n'
              'TEST_CASE("TestInScope", "[other_test.go][quick]") {}\n'
              'static const char *s = "// TEST_CASE(\\"TestNotReal\\")";\n')
        write(os.path.join(repo, "bench", "fake_bench.cpp"),
              'static void bm(benchmark::State &s) {}\n'
              'static int r = (benchmark::RegisterBenchmark("BenchmarkPorted", bm), 0);\n'
              'static int q = (benchmark::RegisterBenchmark("BenchmarkSub/Byte", bm), 0);\n'
              'BENCHMARK(BenchmarkMacro);\n'
              '// RegisterBenchmark("BenchmarkMissing", bm);\n')

        rows, problems = build_inventory(repo, goroot)
        status = {(r["file"].split("/")[-1], r["name"]): r["status"] for r in rows}
        msgs = [str(p) for p in problems]

        def has(kind, *words):
            return any(p.kind == kind and all(w in p.message for w in words) for p in problems)

        f = "fake_test.go"
        expect(status.get((f, "TestPorted")) == PORTED, "TestPorted should be ported")
        expect(status.get((f, "TestMissing")) == MISSING, "TestMissing should be missing")
        expect(has(MISSING, "TestMissing"), "TestMissing should be reported missing")
        expect(status.get((f, "TestNA")) == NA, "TestNA should be n/a")
        expect(status.get((f, "TestTodo")) == TODO, "TestTodo should be todo")
        expect(status.get((f, "TestCommentedOut")) == MISSING,
               "a commented-out or #if 0 TEST_CASE must not count as ported")
        expect(status.get((f, "TestWrongTag")) == MISSING,
               "a TEST_CASE tagged with another Go file must not count")
        expect(has(MISSING, "TestWrongTag", "elsewhere_test.go"), "the wrong tag should be named")
        expect((f, "Testable") not in status, "Testable is not a test function")
        expect((f, "TestMethod") not in status, "methods are not test functions")
        expect(status.get((f, "BenchmarkPorted")) == PORTED, "BenchmarkPorted should be ported")
        expect(status.get((f, "BenchmarkSub")) == PORTED, "BenchmarkSub/Byte should port BenchmarkSub")
        expect(status.get((f, "BenchmarkMacro")) == PORTED, "BENCHMARK(BenchmarkMacro) should count")
        expect(status.get((f, "BenchmarkMissing")) == MISSING, "BenchmarkMissing should be missing")
        expect(status.get(("other_test.go", "TestInScope")) == PORTED, "TestInScope should be ported")
        expect(("other_test.go", "TestOutOfScope") not in status, "TestOutOfScope is out of scope")
        expect(has("stale", "TestGone"), "TestGone should be reported stale")
        expect(has("stale", "TestOutOfScope"), "an entry outside the only-list should be stale")
        expect(has("stale", "TestStaleListed", "ported"),
               "a todo entry for a ported test should be reported stale")
        expect(has("duplicate", "TestNA"), "TestNA listed twice should be a duplicate")
        expect(status.get((f, "TestStaleListed")) == PORTED, "TestStaleListed is ported")
        by_file = {(r["file"], r["name"]): r for r in rows}
        for pkg in ("os", "net"):
            r = by_file.get(("%s/same_test.go" % pkg, "TestSame"), {})
            expect(r.get("status") == PORTED and r.get("where", "").startswith("tests/%s/" % pkg),
                   "%s TestSame should be ported by the [%s] TEST_CASE: %s" % (pkg, pkg, r))
        expect(not has("duplicate", "TestSame"), "TestSame under [os] and [net] is not a duplicate")
        expect(by_file.get(("os/same_test.go", "TestSameUntagged"), {}).get("status") == MISSING,
               "a shared base name without the package tag must not count")
        expect(has(MISSING, "TestSameUntagged", "[os]"), "the missing package tag should be named")
        expect(len(rows) == 15, "expected 15 rows in scope, got %d" % len(rows))
        n_missing = sum(1 for p in problems if p.kind == MISSING)
        expect(n_missing == 5, "expected 5 missing, got %d: %s" % (n_missing, msgs))

        # Removing the problems must give a clean check.
        write(os.path.join(repo, "tests", "inventory", "not_applicable.tsv"),
              "runtime/fake_test.go\tTestNA\tbecause\n")
        write(os.path.join(repo, "tests", "inventory", "todo.tsv"),
              "runtime/fake_test.go\tTestTodo\tlater issue\n"
              "runtime/fake_test.go\tTestMissing\tlater\n"
              "runtime/fake_test.go\tTestCommentedOut\tlater\n"
              "runtime/fake_test.go\tTestWrongTag\tlater\n"
              "runtime/fake_test.go\tBenchmarkMissing\tlater\n"
              "os/same_test.go\tTestSameUntagged\tlater\n")
        rows, problems = build_inventory(repo, goroot)
        expect(not problems, "the corrected fake repo should check clean: %s" % [str(p) for p in problems])

        # A Go test that disappears from the Go file makes its entry stale.
        with open(os.path.join(goroot, "runtime", "fake_test.go"), encoding="utf-8") as f:
            gotext = f.read()
        write(os.path.join(goroot, "runtime", "fake_test.go"),
              gotext.replace("func TestTodo(t *testing.T) {}\n", ""))
        rows, problems = build_inventory(repo, goroot)
        expect(any(p.kind == "stale" and "TestTodo" in p.message for p in problems),
               "removing TestTodo from Go should make its entry stale")

    if failures:
        for f in failures:
            print("selftest FAILED: %s" % f)
        return 1
    print("selftest: ok")
    return 0


# ---------------------------------------------------------------------------


def main(argv):
    # Never fail on output encoding (a C locale under ctest) or a closed pipe.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except AttributeError:
            pass
    try:
        import signal
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    except (ImportError, AttributeError, ValueError):
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Inventory of Go runtime tests ported to gort.")
    ap.add_argument("--root", default=os.path.dirname(here), help="gort repository (default: parent of tools/)")
    env_goroot = os.environ.get("GORT_GOROOT")  # a GOROOT, as CMake passes it to ctest
    default_src = os.path.join(env_goroot, "src") if env_goroot else DEFAULT_GOROOT
    ap.add_argument("--goroot", default=default_src,
                    help="Go source root (default: $GORT_GOROOT/src if set, else %s)" % DEFAULT_GOROOT)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report problems; exit 1 if any")
    mode.add_argument("--markdown", nargs="?", const="-", metavar="PATH",
                      help="write a Markdown table to PATH (default stdout)")
    mode.add_argument("--json", action="store_true", help="print the inventory as JSON")
    mode.add_argument("--selftest", action="store_true", help="check the tool on a fake repository")
    mode.add_argument("--ctest", action="store_true", help="--selftest, then --check")
    args = ap.parse_args(argv)

    if args.selftest:
        return selftest()
    if args.ctest:
        rc = selftest()
        if rc != 0:
            return rc

    root = os.path.abspath(args.root)
    rows, problems = build_inventory(root, args.goroot)

    if args.check or args.ctest:
        for p in problems:
            print(p)
        c = counts(rows)
        if problems:
            kinds = {}
            for p in problems:
                kinds[p.kind] = kinds.get(p.kind, 0) + 1
            print("inventory: FAILED (%s); %s" % (
                ", ".join("%d %s" % (v, k) for k, v in sorted(kinds.items())), fmt_counts(c)))
            return 1
        print("inventory: ok; %s" % fmt_counts(c))
        return 0

    if args.json:
        json.dump({"rows": rows, "counts": counts(rows),
                   "problems": [dict(kind=p.kind, where=p.where, message=p.message) for p in problems]},
                  sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif args.markdown:
        text = markdown(rows)
        if args.markdown == "-":
            sys.stdout.write(text)
        else:
            with open(args.markdown, "w", encoding="utf-8") as f:
                f.write(text)
    else:
        print_table(rows)
        if problems:
            print("\n%d problem(s); run with --check for details" % len(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
