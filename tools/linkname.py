#!/usr/bin/python3
"""linkname: check the back channel between the runtime and the packages
that borrow functions from it (sync, runtime/debug).

Package sync may not include the runtime, yet Mutex, RWMutex, WaitGroup and
Cond must park and ready goroutines; package runtime/debug must reach the
collector's knobs (FreeOSMemory, SetGCPercent, SetMemoryLimit). As in Go,
such a package and the runtime meet only at the symbol level: the package
declares bodiless functions under symbols of its own, such as
"sync.runtime_Semacquire" (GOSYMBOL, pragmas.hpp), and the runtime defines a
function of its own name under the same symbol (LINKNAME, Go's
//go:linkname). PACKAGES lists the packages that do this, each with its
folder, its symbol prefix and its main declaration header:

  sync           sync/   "sync."               sync/runtime.hpp
  runtime/debug  debug/  "runtime..z2fdebug."  debug/stubs.hpp
  runtime/metrics  metrics/  "runtime..z2fmetrics."  metrics/sample.hpp
  time           time/   "time."               time/sleep.hpp
  internal/poll  internal/poll/  "internal..z2fpoll."  internal/poll/fd_poll_runtime.hpp

(A Go compiler's symbol for runtime/debug's setGCPercent is
"runtime/debug.setGCPercent"; GNU as refuses the '/' in a label, so the port
spells the package path as gccgo does, "/" as "..z2f".) This tool reads
both ends of each package's channel, in the sources and in the object
files, and checks, package by package, that they meet. For a package P with
prefix "P.":

  nm       every symbol "P.X" found in the objects is defined exactly once,
           as a global symbol, in an object of the runtime package (a file at
           the repository root, not in a package's folder), and referenced
           (U) only from objects of package P;
  sources  every GOSYMBOL("P.X") declaration of package P (the C++ files of
           its folder, not of its subfolders: for sync mostly
           sync/runtime.hpp, as Go keeps them in runtime.go, while throw and
           fatal sit in mutex.hpp, as in Go's mutex.go; for runtime/debug
           debug/stubs.hpp, Go's stubs.go) has a LINKNAME("P.X") definition
           in the runtime's sources and a definition in the objects; every
           LINKNAME("P....") of the runtime is declared, once, in package P.

Usage:

  linkname.py [--check] [--rst PATH] [--objroot DIR] OBJECT...
  linkname.py --selftest [--check OBJECT...]

OBJECTs are the gort library's object files (ctest passes
$<TARGET_OBJECTS:gort>; an argument holding a ';'-separated list is split).
Not libgort.a: an archive keeps only its members' base names, so
sync/mutex.cpp.o and a mutex.cpp.o at the root could not be told apart. Each
object's package is read from its path under the object root, which is the
CMakeFiles/<target>.dir folder the paths contain (or --objroot).

Output: per package, a table (symbol, where it is declared, where it is
defined, where it is referenced from) and a summary line; then the problems,
worded as Go's toolchain words them where it has a word ("relocation target
sync.X not defined", "duplicated definition of symbol sync.X, from A and
B", "missing function body"). --check exits 1 when there is a problem.
--rst PATH writes, per package, a sentence and the table, then the raw nm
lines, as reStructuredText for the book (book/tools/gen.py includes it in the
linkname chapter, book/chapters/08-linkname.rst); its cells use the book's
:cpp: and :go: roles, so the book build also checks that every name in it
resolves. --selftest runs the checks on made-up sources and nm lines, for
each package, one broken rule at a time.

Exit status: 0 no problem (or no --check), 1 problems found with --check,
2 the tool could not do its job (nm failed, no objects, nothing to check for
some package of PACKAGES).
Standard library only; run with /usr/bin/python3.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME = ""  # the runtime package is the repository root


class Package:
    """A package that borrows functions from the runtime through the back
    channel."""

    def __init__(self, name, folder, prefix, header):
        self.name = name      # Go's import path: runtime/debug
        self.folder = folder  # its sources, relative to the repository: debug
        self.prefix = prefix  # the start of its symbols: runtime..z2fdebug.
        self.header = header  # where most of its declarations live: debug/stubs.hpp

    @property
    def pattern(self):
        """How the book and the summary name its symbols: sync.*"""
        return self.prefix + "*"


PACKAGES = [
    Package("sync", "sync", "sync.", "sync/runtime.hpp"),
    # gccgo's spelling of "runtime/debug.": GNU as refuses a '/' in a label.
    Package("runtime/debug", "debug", "runtime..z2fdebug.", "debug/stubs.hpp"),
    # Package runtime/metrics: Read's runtime_readMetrics (sample.go) and the
    # names its description test compares with (description_test.go).
    Package("runtime/metrics", "metrics", "runtime..z2fmetrics.", "metrics/sample.hpp"),
    # Package time: Sleep and the timer calls (sleep.go), now and
    # runtimeNano (time.go).
    Package("time", "time", "time.", "time/sleep.hpp"),
    # Package internal/poll: the descriptor calls (fd_poll_runtime.go) and
    # fdMutex's semaphore (fd_mutex.go); gccgo's spelling again.
    Package("internal/poll", "internal/poll", "internal..z2fpoll.", "internal/poll/fd_poll_runtime.hpp"),
]
SYNC = PACKAGES[0]


def package_name(folder):
    """Go's name of the package whose sources are in folder ("debug" is
    runtime/debug); the folder itself for a package not in PACKAGES."""
    for p in PACKAGES:
        if p.folder == folder:
            return p.name
    return folder


# --- Sources ---------------------------------------------------------------------


def blank_comments(text):
    """text with comments, and preprocessor lines, replaced by spaces; string
    and character literals are kept and every offset and newline stays where
    it was, so positions in the result are positions in text."""
    out = list(text)
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c not in " \t\n":
            at_line_start = False
            if c == "#":
                # A preprocessor line, with its backslash continuations.
                while i < n:
                    if text[i] == "\n" and (i == 0 or text[i - 1] != "\\"):
                        break
                    if text[i] != "\n":
                        out[i] = " "
                    i += 1
                continue
        if c == "\n":
            at_line_start = True
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for k in range(i, end):
                if text[k] != "\n":
                    out[k] = " "
            i = end
        elif c in "\"'":
            k = i + 1
            while k < n and text[k] != c and text[k] != "\n":
                k += 2 if text[k] == "\\" else 1
            i = k + 1
        else:
            i += 1
    return "".join(out)


class Decl:
    """One GOSYMBOL or LINKNAME use: the C++ function it is attached to."""

    def __init__(self, macro, symbol, file, line, name, qualname, gosrc):
        self.macro = macro        # GOSYMBOL or LINKNAME
        self.symbol = symbol      # sync.runtime_Semacquire
        self.file = file          # repo-relative: sync/runtime.hpp
        self.line = line          # 1-based line of the macro
        self.name = name          # runtime_Semacquire
        self.qualname = qualname  # gort::sync::runtime_Semacquire
        self.gosrc = gosrc        # (go file, symbol) of the \gosrc above, or None

    @property
    def where(self):
        return "%s:%d" % (self.file, self.line)


TOKEN_RE = re.compile(r"\bnamespace\s+([A-Za-z_][\w:]*)?\s*\{|[{};]|\b(GOSYMBOL|LINKNAME)\s*\(\s*\"([^\"]*)\"\s*\)")
GOSRC_RE = re.compile(r"\\gosrc\{([^,{}]+),([^,{}]+)\}")


def scan_source(text, rel, prefix=SYNC.prefix):
    """The GOSYMBOL and LINKNAME uses in one file's text whose symbol starts
    with prefix (a string, or a tuple of them), with the name and namespace
    of the function each one marks."""
    code = blank_comments(text)
    lines = text.split("\n")
    out = []
    stack = []  # one entry per open brace: a namespace name, or None
    stmt_start = 0
    for m in TOKEN_RE.finditer(code):
        tok = m.group(0)
        if tok.startswith("namespace"):
            stack.append(m.group(1) or "")
            stmt_start = m.end()
        elif tok == "{":
            stack.append(None)
            stmt_start = m.end()
        elif tok == "}":
            if stack:
                stack.pop()
            stmt_start = m.end()
        elif tok == ";":
            stmt_start = m.end()
        else:
            macro, sym = m.group(2), m.group(3)
            if not sym.startswith(prefix):
                continue
            stmt = code[stmt_start:m.start()]
            stmt = re.sub(r"\[\[.*?\]\]", " ", stmt, flags=re.S)
            head = stmt.split("(", 1)[0]
            ids = re.findall(r"[A-Za-z_~]\w*(?:::[A-Za-z_~]\w*)*", head)
            name = ids[-1] if ids else "?"
            ns = [s for s in stack if s]
            qual = "::".join(ns + [name]) if ns else name
            line = code.count("\n", 0, m.start()) + 1
            # The statement's first line, and the // comment block above it.
            first = stmt_start + (len(code[stmt_start:m.start()]) - len(code[stmt_start:m.start()].lstrip()))
            j = code.count("\n", 0, first)  # 0-based line of the statement
            gosrc = None
            k = j - 1
            while k >= 0 and lines[k].lstrip().startswith("//"):
                g = GOSRC_RE.findall(lines[k])
                if g and gosrc is None:
                    gosrc = (g[-1][0].strip(), g[-1][1].strip())
                k -= 1
            out.append(Decl(macro, sym, rel, line, name, qual, gosrc))
    return out


def runtime_files(repo):
    """The runtime package's sources: the root's C++ files, and internal/."""
    out = []
    for n in sorted(os.listdir(repo)):
        if n.endswith((".cpp", ".hpp", ".h")) and os.path.isfile(os.path.join(repo, n)):
            out.append(n)
    for root, dirs, files in os.walk(os.path.join(repo, "internal")):
        dirs.sort()
        for n in sorted(files):
            if n.endswith((".cpp", ".hpp", ".h")):
                out.append(os.path.relpath(os.path.join(root, n), repo))
    return out


def package_files(repo, pkg=SYNC):
    """Package pkg's sources: the C++ files of its folder (not of its
    subfolders, which are other packages: sync/atomic)."""
    d = os.path.join(repo, pkg.folder)
    if not os.path.isdir(d):
        return []
    # The header first, so that its declarations come first in the table.
    names = sorted(n for n in os.listdir(d) if n.endswith((".cpp", ".hpp", ".h")))
    names.sort(key=lambda n: pkg.folder + "/" + n != pkg.header)
    return [pkg.folder + "/" + n for n in names]


def runtime_gosrc(repo):
    """{Go symbol: [(go file, symbol)]} of every \\gosrc marker in the
    runtime's sources, for a LINKNAME declaration without one of its own
    (mgcpacer.hpp declares setGCPercent; mgcpacer.cpp marks its body)."""
    out = {}
    for rel in runtime_files(repo):
        with open(os.path.join(repo, rel), encoding="utf-8") as f:
            for gofile, sym in GOSRC_RE.findall(f.read()):
                key = (gofile.strip(), sym.strip())
                if key not in out.setdefault(key[1], []):
                    out[key[1]].append(key)
    return out


def read_sources(repo, pkg=SYNC):
    """(GOSYMBOL decls of package pkg, LINKNAME decls of the runtime with
    pkg's prefix)."""
    declared = []
    for rel in package_files(repo, pkg):
        with open(os.path.join(repo, rel), encoding="utf-8") as f:
            declared += [d for d in scan_source(f.read(), rel, pkg.prefix) if d.macro == "GOSYMBOL"]
    defined = []
    for rel in runtime_files(repo):
        with open(os.path.join(repo, rel), encoding="utf-8") as f:
            defined += [d for d in scan_source(f.read(), rel, pkg.prefix) if d.macro == "LINKNAME"]
    if any(d.gosrc is None for d in defined):
        markers = runtime_gosrc(repo)
        for d in defined:
            if d.gosrc is None and len(markers.get(d.name, [])) == 1:
                d.gosrc = markers[d.name][0]
    return declared, defined


# --- Objects ---------------------------------------------------------------------


NM_RE = re.compile(r"^(.*?):([0-9a-fA-F]*)\s+([A-Za-z?-])\s+(\S+)$")


def object_root(objs):
    """The folder the objects' paths are relative to: CMake's
    CMakeFiles/<target>.dir, or else their common folder."""
    roots = set()
    for o in objs:
        m = re.match(r"^(.*/CMakeFiles/[^/]+\.dir)/", os.path.abspath(o))
        roots.add(m.group(1) if m else None)
    if len(roots) == 1 and None not in roots:
        return roots.pop()
    return os.path.commonpath([os.path.dirname(os.path.abspath(o)) for o in objs])


def run_nm(objs, root):
    """nm -A on the objects, run from root with relative paths so each line
    names the object as sync/mutex.cpp.o. Returns the output lines."""
    rels = [os.path.relpath(os.path.abspath(o), root) for o in objs]
    res = subprocess.run(["nm", "-A"] + rels, cwd=root, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("nm failed: %s" % res.stderr.strip())
    return res.stdout.splitlines()


def parse_nm(lines, prefix=SYNC.prefix):
    """[(object, type, symbol, line)] for the symbols starting with prefix
    (a string, or a tuple of them)."""
    out = []
    for line in lines:
        m = NM_RE.match(line)
        if m and m.group(4).startswith(prefix):
            out.append((m.group(1), m.group(3), m.group(4), line))
    return out


def package_of(obj):
    """The package an object belongs to: the folder of its source ("" for the
    runtime at the root, "sync", "debug", ...)."""
    src = obj[:-2] if obj.endswith(".o") else obj
    return os.path.dirname(src).replace(os.sep, "/")


def is_undefined(typ):
    return typ == "U"


def is_global_definition(typ):
    return typ.isupper() and typ != "U"


# --- The check -------------------------------------------------------------------


class Row:
    def __init__(self, symbol):
        self.symbol = symbol
        self.declared = []   # GOSYMBOL decls in the header
        self.linknames = []  # LINKNAME decls in the runtime
        self.defs = []       # (object, type)
        self.refs = []       # objects


def check(declared, linknames, nmrows, pkg=SYNC):
    """(rows by symbol, problems) of package pkg's channel. Pure: the
    selftest calls it on made-up inputs."""
    rows = {}

    def row(sym):
        if sym not in rows:
            rows[sym] = Row(sym)
        return rows[sym]

    for d in declared:
        row(d.symbol).declared.append(d)
    for d in linknames:
        row(d.symbol).linknames.append(d)
    for obj, typ, sym, _ in nmrows:
        r = row(sym)
        if is_undefined(typ):
            if obj not in r.refs:
                r.refs.append(obj)
        else:
            r.defs.append((obj, typ))

    problems = []
    for sym in sorted(rows):
        r = rows[sym]
        gdefs = [(o, t) for o, t in r.defs if is_global_definition(t)]
        # nm: the definitions.
        if len(gdefs) > 1:
            problems.append("duplicated definition of symbol %s, from %s and %s" % (sym, gdefs[0][0], gdefs[1][0]))
        for o, t in r.defs:
            if not is_global_definition(t):
                problems.append("%s: %s is a local symbol (nm type %s): no reference from another object "
                                "can reach it (a static function, or an anonymous namespace?)" % (o, sym, t))
            if package_of(o) != RUNTIME:
                problems.append("%s: %s is defined in package %s: only the runtime may define it (LINKNAME); "
                                "package %s only declares it (GOSYMBOL)"
                                % (o, sym, package_name(package_of(o)), pkg.name))
        # nm: the references.
        for o in r.refs:
            if not gdefs:
                problems.append("%s: relocation target %s not defined" % (o, sym))
            if package_of(o) != pkg.folder:
                where = "the runtime" if package_of(o) == RUNTIME else "package %s" % package_name(package_of(o))
                problems.append("%s: %s refers to %s: only package %s calls through this symbol "
                                "(the runtime calls its own function by its own name)" % (o, where, sym, pkg.name))
        # Sources: the declaration in the header.
        if len(r.declared) > 1:
            problems.append("%s: %s declared again (first at %s)" % (r.declared[1].where, sym, r.declared[0].where))
        if r.declared and not r.linknames:
            problems.append("%s: %s: missing function body: no LINKNAME(\"%s\") in the runtime defines it"
                            % (r.declared[0].where, r.declared[0].name, sym))
        elif r.declared and not gdefs and not r.refs:
            # (With references, "relocation target not defined" said it.)
            problems.append("%s: %s: no object defines %s (LINKNAME at %s)"
                            % (r.declared[0].where, r.declared[0].name, sym, r.linknames[0].where))
        # Sources: the runtime's LINKNAME.
        if r.linknames and not r.declared:
            d = r.linknames[0]
            problems.append("%s: //go:linkname %s %s: package %s declares no function with GOSYMBOL(\"%s\")"
                            % (d.where, d.name, sym, pkg.name, sym))
        if r.linknames and r.declared and not gdefs and r.refs:
            pass  # reported above as "relocation target not defined"
        # nm: a definition that no LINKNAME of the sources explains.
        if gdefs and not r.linknames:
            problems.append("%s: defines %s, which no LINKNAME in the runtime's sources names"
                            % (gdefs[0][0], sym))
        # nm: a reference to a symbol the header does not declare.
        if r.refs and not r.declared and not (gdefs and r.linknames):
            problems.append("%s: refers to %s, which package %s does not declare" % (r.refs[0], sym, pkg.name))
    return rows, problems


# --- Output ----------------------------------------------------------------------


class Result:
    """One package's check: what the sources and nm say, and the problems."""

    def __init__(self, pkg, declared, linknames, nmrows):
        self.pkg = pkg
        self.declared = declared    # its GOSYMBOL decls
        self.linknames = linknames  # the runtime's LINKNAME decls with its prefix
        self.nmrows = nmrows        # parse_nm's rows with its prefix
        self.rows, self.problems = check(declared, linknames, nmrows, pkg)

    @property
    def nref(self):
        return sum(len(r.refs) for r in self.rows.values())

    def files(self):
        """The files with its GOSYMBOL declarations, its main header first."""
        return sorted({d.file for r in self.rows.values() for d in r.declared},
                      key=lambda f: (f != self.pkg.header, f))

    def summary(self):
        objs = {o for o, _, _, _ in self.nmrows if package_of(o) == self.pkg.folder}
        return ("%d %s symbols (%d GOSYMBOL in package %s, %d LINKNAME in the runtime), %d references "
                "from %d object%s: %s" % (
                    len(self.rows), self.pkg.pattern, len(self.declared), self.pkg.name, len(self.linknames),
                    self.nref, len(objs), "" if len(objs) == 1 else "s",
                    "ok" if not self.problems else "%d problems" % len(self.problems)))


def table(rows):
    head = ("symbol", "declared in (GOSYMBOL)", "defined in (nm; LINKNAME)", "referenced from (nm)")
    body = []
    for sym in sorted(rows):
        r = rows[sym]
        dec = ", ".join("%s %s" % (d.where, d.name) for d in r.declared) or "-"
        d = ", ".join("%s (%s)" % (o, t) for o, t in r.defs) or "-"
        if r.linknames:
            d += "; %s %s" % (r.linknames[0].where, r.linknames[0].name)
        body.append((sym, dec, d, ", ".join(r.refs) or "-"))
    widths = [max(len(x[k]) for x in [head] + body) for k in range(3)]
    fmt = "%%-%ds  %%-%ds  %%-%ds  %%s" % tuple(widths)
    return "\n".join(fmt % x for x in [head] + body)


def rst_escape(s):
    return re.sub(r"([*`|_\\])", r"\\\1", s)


def rst(results, nmlines, objs_shown, mangled=None):
    """The book's include: per package a sentence and the table, then the nm
    lines they were read from."""
    def cpp(d):
        return ":cpp:`%s <%s>`" % (d.name, d.qualname)

    def go(d):
        return "Go: :go:`%s %s <%s:%s>`" % (d.gosrc[0], d.gosrc[1], d.gosrc[0], d.gosrc[1]) if d.gosrc else None

    def cell(decls, nmpart):
        """A line block: the C++ function and where, its Go counterpart,
        and what nm says about this end."""
        lines = []
        for d in decls:
            lines.append("%s ``%s``" % (cpp(d), d.where))
            if go(d):
                lines.append(go(d))
        if not decls:
            lines.append("(none)")
        lines.append(nmpart)
        return "\n       ".join("| " + l for l in lines)

    out = [".. Generated by tools/linkname.py --rst from the sources and nm on this build's objects; "
           "do not edit.\n"]
    for i, res in enumerate(results):
        pkg, rows = res.pkg, res.rows
        out.append("%s ``%s`` (folder ``%s/``), ``tools/linkname.py`` finds %d symbols spelled ``%s``: %d "
                   "declared with ``GOSYMBOL`` in the package (%s), %d defined with ``LINKNAME`` in the "
                   "runtime, %d references from the package's objects. %s\n" % (
                       "At this build, for package" if i == 0 else "For package", pkg.name, pkg.folder,
                       len(rows), pkg.pattern, sum(1 for r in rows.values() if r.declared),
                       ", ".join("``%s``" % f for f in res.files()) or "none",
                       sum(1 for r in rows.values() if r.linknames), res.nref,
                       "Every rule holds." if not res.problems else "**%d problems** (below)." % len(res.problems)))
        out += [".. list-table::\n   :header-rows: 1\n   :widths: 26 37 37\n   :class: inventory linkname\n",
                "   * - Symbol\n     - Package %s declares it (GOSYMBOL), nm: referenced from\n"
                "     - The runtime defines it (LINKNAME), nm: defined in" % pkg.name]
        for sym in sorted(rows):
            r = rows[sym]
            refs = "nm: ``U`` in " + ", ".join("``%s``" % o for o in r.refs) if r.refs else "nm: no reference"
            defs = "nm: " + ", ".join("``%s`` in ``%s``" % (t, o) for o, t in r.defs) if r.defs else "nm: no definition"
            out.append("   * - ``%s``\n     - %s\n     - %s" % (sym, cell(r.declared, refs), cell(r.linknames, defs)))
        out.append("")
        if res.problems:
            out.append("Problems found in package ``%s``'s channel (the ctest ``linkname_sync`` fails on them):\n"
                       % pkg.name)
            out += ["- %s" % rst_escape(p) for p in res.problems]
            out.append("")
    out.append("The ``nm`` lines the tables were read from, exactly as printed (run in "
               "``CMakeFiles/gort.dir`` of the build folder; ``T`` is a defined function, ``U`` a "
               "reference the linker must resolve):\n")
    cmd = "$ nm -A %s | grep -E ' (%s)'" % (" ".join(objs_shown), "|".join(re.escape(r.pkg.prefix) for r in results))
    out.append(".. code-block:: text\n\n   %s\n%s\n" % (cmd, "\n".join("   " + l for l in nmlines)))
    if mangled:
        obj, raw, demangled = mangled
        out.append("For contrast, the functions that ``%s`` defines under C++'s own names: the symbols as "
                   "the compiler mangled them, then as ``nm -C`` spells them back:\n" % obj)
        out.append(".. code-block:: text\n\n   $ nm %s | grep ' T '\n%s\n   $ nm -C %s | grep ' T '\n%s\n" % (
            obj, "\n".join("   " + l for l in raw), obj, "\n".join("   " + l for l in demangled)))
    return "\n".join(out) + "\n"


def mangled_example(objs, root, want="sync/mutex.cpp.o"):
    """(object, nm lines, nm -C lines) of the global functions one object of
    package sync defines under their C++ (mangled) names, or None."""
    rels = [os.path.relpath(os.path.abspath(o), root) for o in objs]
    if want not in rels:
        return None
    out = []
    for flags in ([], ["-C"]):
        res = subprocess.run(["nm"] + flags + [want], cwd=root, capture_output=True, text=True)
        if res.returncode != 0:
            return None
        out.append([l for l in res.stdout.splitlines() if re.match(r"^[0-9a-fA-F]+ T ", l)])
    return (want, out[0], out[1]) if out[0] else None


# --- Selftest --------------------------------------------------------------------


SELFTEST_HEADER = """\
// package sync's side
#pragma once
#define GOSYMBOL(sym) __asm__(sym)
namespace gort::sync {
/// \\gosrc{sync/runtime.go,runtime_Semacquire}
void runtime_Semacquire(uint32_t* s) GOSYMBOL("sync.runtime_Semacquire");
/// Two lines, and the runtime's apostrophe. \\gosrc{sync/runtime.go,runtime_Semrelease}
void runtime_Semrelease(uint32_t* s, bool handoff, int skipframes)
    GOSYMBOL("sync.runtime_Semrelease");
/* GOSYMBOL("sync.in_a_comment") is not a declaration */
}  // namespace gort::sync
"""

# Go declares throw in mutex.go, not runtime.go: another file of package sync.
SELFTEST_MUTEX = """\
#pragma once
namespace gort::sync {
struct Mutex { int32_t state; uint32_t sema; };
[[noreturn]] void throw_(const char* s) GOSYMBOL("sync.throw");
}  // namespace gort::sync
"""

SELFTEST_RUNTIME = """\
#define LINKNAME(sym) __asm__(sym)
namespace runtime {
/// \\gosrc{sema.go,sync_runtime_Semacquire}
void sync_runtime_Semacquire(uint32* addr) LINKNAME("sync.runtime_Semacquire");
void sync_runtime_Semacquire(uint32* addr) { semacquire(addr); }
struct s { int x; };
void sync_runtime_Semrelease(uint32* addr, bool handoff, int skipframes)
    LINKNAME("sync.runtime_Semrelease");
[[noreturn]] void sync_throw(const char* s) LINKNAME("sync.throw");
void poll_runtime_Semacquire(uint32* addr) LINKNAME("internal/poll.runtime_Semacquire");
}  // namespace runtime
"""

SELFTEST_NM = """\
sema.cpp.o:00000000000004e0 T sync.runtime_Semacquire
sema.cpp.o:0000000000000960 T sync.runtime_Semrelease
panic.cpp.o:0000000000000490 T sync.throw
sema.cpp.o:                 U runtime.semacquire
sync/waitgroup.cpp.o:                 U sync.runtime_Semacquire
sync/waitgroup.cpp.o:                 U sync.runtime_Semrelease
sync/mutex.cpp.o:                 U sync.throw
"""


# Package runtime/debug: its stubs, and the runtime's two ends of it. setGCPercent
# is marked LINKNAME on a declaration in a header without a \gosrc of its own
# (mgcpacer.hpp): the Go link comes from the \gosrc on its body.
SELFTEST_DEBUG_FILES = {
    "debug/stubs.hpp": """\
#pragma once
namespace gort::debug {
/// \\gosrc{debug/stubs.go,freeOSMemory}
void freeOSMemory() GOSYMBOL("runtime..z2fdebug.freeOSMemory");
int32_t setGCPercent(int32_t percent) GOSYMBOL("runtime..z2fdebug.setGCPercent");
void notMine() GOSYMBOL("sync.runtime_doSpin");
}  // namespace gort::debug
""",
    "mgcpacer.hpp": """\
namespace runtime {
// runtime/debug's SetGCPercent.
int32 setGCPercent(int32 in) LINKNAME("runtime..z2fdebug.setGCPercent");
}  // namespace runtime
""",
    "mgcpacer.cpp": """\
namespace runtime {
/// \\gosrc{mgcpacer.go,gcControllerState.setGCPercent}
int32 gcControllerState::setGCPercent(int32 in) { return in; }
/// \\gosrc{mgcpacer.go,setGCPercent}
int32 setGCPercent(int32 in) { return gcController.setGCPercent(in); }
}  // namespace runtime
""",
    "mheap.cpp": """\
namespace runtime {
/// \\gosrc{mheap.go,runtime_debug_freeOSMemory}
void runtime_debug_freeOSMemory() LINKNAME("runtime..z2fdebug.freeOSMemory");
void runtime_debug_freeOSMemory() { GC(); }
}  // namespace runtime
""",
}

SELFTEST_DEBUG_NM = """\
mgcpacer.cpp.o:0000000000000a10 T runtime..z2fdebug.setGCPercent
mheap.cpp.o:0000000000001c40 T runtime..z2fdebug.freeOSMemory
debug/garbage.cpp.o:                 U runtime..z2fdebug.freeOSMemory
debug/garbage.cpp.o:                 U runtime..z2fdebug.setGCPercent
"""


def selftest():
    """The checks on made-up sources and nm lines, for package sync and then
    for runtime/debug: first all good, then each rule broken once; each case
    names the message it must produce."""
    failures = []
    # A symbol must belong to one package only.
    for p in PACKAGES:
        for q in PACKAGES:
            if p is not q and q.prefix.startswith(p.prefix):
                failures.append("PACKAGES: %s's prefix %r starts %s's %r" % (p.name, p.prefix, q.name, q.prefix))
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "sync", "atomic"))
        os.makedirs(os.path.join(tmp, "debug"))

        def run(nm, header=SELFTEST_HEADER, mutex=SELFTEST_MUTEX, runtime=SELFTEST_RUNTIME, pkg=SYNC, debug=None):
            """Both packages' files are always there: each package's check
            must see only its own symbols."""
            files = [(SYNC.header, header), ("sync/mutex.hpp", mutex), ("sema.cpp", runtime),
                     # another package: its GOSYMBOLs are not sync's
                     ("sync/atomic/type.hpp", 'void f() GOSYMBOL("sync.runtime_Semacquire");\n')]
            files += sorted({**SELFTEST_DEBUG_FILES, **(debug or {})}.items())
            for rel, text in files:
                with open(os.path.join(tmp, rel), "w") as f:
                    f.write(text)
            declared, linknames = read_sources(tmp, pkg)
            return declared, linknames, check(declared, linknames, parse_nm(nm.splitlines(), pkg.prefix), pkg)

        def broken(cases, pkg=SYNC):
            """Each case: (name, run's arguments, the start of the problem it must produce)."""
            for name, kw, want in cases:
                _, _, (_, problems) = run(pkg=pkg, **kw)
                if not any(p.startswith(want) for p in problems):
                    failures.append("%s: want a problem starting %r, got %s" % (name, want, problems))
                else:
                    print("linkname selftest ok: %s -> %s" % (name, want))

        declared, linknames, (rows, problems) = run(SELFTEST_NM + SELFTEST_DEBUG_NM)
        got = {(d.symbol, d.file, d.qualname, d.line, d.gosrc) for d in declared}
        want = {("sync.runtime_Semacquire", SYNC.header, "gort::sync::runtime_Semacquire", 6,
                 ("sync/runtime.go", "runtime_Semacquire")),
                ("sync.runtime_Semrelease", SYNC.header, "gort::sync::runtime_Semrelease", 9,
                 ("sync/runtime.go", "runtime_Semrelease")),
                ("sync.throw", "sync/mutex.hpp", "gort::sync::throw_", 4, None)}
        if got != want:
            failures.append("sync parse: got %s" % sorted(got))
        got = {(d.symbol, d.qualname, d.line) for d in linknames}
        want = {("sync.runtime_Semacquire", "runtime::sync_runtime_Semacquire", 4),
                ("sync.runtime_Semrelease", "runtime::sync_runtime_Semrelease", 8),
                ("sync.throw", "runtime::sync_throw", 9)}
        if got != want:
            failures.append("runtime parse: got %s" % sorted(got))
        if problems:
            failures.append("good input: unexpected problems %s" % problems)
        if sorted(rows) != ["sync.runtime_Semacquire", "sync.runtime_Semrelease", "sync.throw"]:
            failures.append("good input: rows %s" % sorted(rows))
        else:
            print("linkname selftest ok: good input -> 3 symbols, no problem")

        nm_without = lambda sym: "\n".join(l for l in SELFTEST_NM.splitlines() if not l.endswith(" T " + sym))
        cases = [
            ("undefined", dict(nm=nm_without("sync.runtime_Semrelease")),
             "sync/waitgroup.cpp.o: relocation target sync.runtime_Semrelease not defined"),
            ("duplicate", dict(nm=SELFTEST_NM + "proc.cpp.o:0000000000000010 T sync.throw\n"),
             "duplicated definition of symbol sync.throw, from panic.cpp.o and proc.cpp.o"),
            ("defined in sync", dict(nm=SELFTEST_NM.replace("panic.cpp.o:0000000000000490 T sync.throw",
                                                            "sync/mutex.cpp.o:0000000000000490 T sync.throw")),
             "sync/mutex.cpp.o: sync.throw is defined in package sync"),
            ("local definition", dict(nm=SELFTEST_NM.replace("T sync.throw", "t sync.throw")),
             "panic.cpp.o: sync.throw is a local symbol"),
            ("referenced from the runtime", dict(nm=SELFTEST_NM + "proc.cpp.o:                 U sync.throw\n"),
             "proc.cpp.o: the runtime refers to sync.throw"),
            ("declared, no LINKNAME", dict(nm=SELFTEST_NM, runtime=SELFTEST_RUNTIME.replace(
                'LINKNAME("sync.throw")', "")),
             "sync/mutex.hpp:4: throw_: missing function body"),
            ("LINKNAME, not declared", dict(nm=SELFTEST_NM, mutex=SELFTEST_MUTEX.replace(' GOSYMBOL("sync.throw")', "")),
             "sema.cpp:9: //go:linkname sync_throw sync.throw: package sync declares no function"),
            ("declared twice", dict(nm=SELFTEST_NM, header=SELFTEST_HEADER.replace(
                "}  // namespace", 'void again() GOSYMBOL("sync.throw");\n}  // namespace')),
             "sync/mutex.hpp:4: sync.throw declared again (first at sync/runtime.hpp:11)"),
            ("definition without LINKNAME", dict(nm=SELFTEST_NM + "asm_amd64.S.o:0000000000000000 T sync.fromasm\n"),
             "asm_amd64.S.o: defines sync.fromasm, which no LINKNAME"),
            ("LINKNAME, no object", dict(nm="\n".join(l for l in SELFTEST_NM.splitlines() if "sync.throw" not in l)),
             "sync/mutex.hpp:4: throw_: no object defines sync.throw"),
        ]
        broken(cases)

        # Package runtime/debug: the same rules under its own prefix.
        debug = PACKAGES[1]
        declared, linknames, (rows, problems) = run(SELFTEST_DEBUG_NM + SELFTEST_NM, pkg=debug)
        got = {(d.symbol, d.file, d.qualname, d.line, d.gosrc) for d in declared}
        want = {("runtime..z2fdebug.freeOSMemory", debug.header, "gort::debug::freeOSMemory", 4,
                 ("debug/stubs.go", "freeOSMemory")),
                ("runtime..z2fdebug.setGCPercent", debug.header, "gort::debug::setGCPercent", 5, None)}
        if got != want:
            failures.append("runtime/debug parse: got %s" % sorted(got))
        got = {(d.symbol, d.file, d.qualname, d.line, d.gosrc) for d in linknames}
        want = {("runtime..z2fdebug.freeOSMemory", "mheap.cpp", "runtime::runtime_debug_freeOSMemory", 3,
                 ("mheap.go", "runtime_debug_freeOSMemory")),
                ("runtime..z2fdebug.setGCPercent", "mgcpacer.hpp", "runtime::setGCPercent", 3,
                 ("mgcpacer.go", "setGCPercent"))}
        if got != want:
            failures.append("runtime/debug's runtime parse: got %s" % sorted(got))
        if problems:
            failures.append("runtime/debug, good input: unexpected problems %s" % problems)
        if sorted(rows) != ["runtime..z2fdebug.freeOSMemory", "runtime..z2fdebug.setGCPercent"]:
            failures.append("runtime/debug, good input: rows %s" % sorted(rows))
        else:
            print("linkname selftest ok: runtime/debug, good input -> 2 symbols, no problem")

        cases = [
            ("runtime/debug: referenced from sync",
             dict(nm=SELFTEST_DEBUG_NM + "sync/mutex.cpp.o:                 U runtime..z2fdebug.setGCPercent\n"),
             "sync/mutex.cpp.o: package sync refers to runtime..z2fdebug.setGCPercent: only package "
             "runtime/debug calls"),
            ("runtime/debug: defined in runtime/debug",
             dict(nm=SELFTEST_DEBUG_NM.replace("mheap.cpp.o:0000000000001c40 T",
                                               "debug/garbage.cpp.o:0000000000001c40 T")),
             "debug/garbage.cpp.o: runtime..z2fdebug.freeOSMemory is defined in package runtime/debug"),
            ("runtime/debug: declared, no LINKNAME",
             dict(nm=SELFTEST_DEBUG_NM, debug={"mgcpacer.hpp": SELFTEST_DEBUG_FILES["mgcpacer.hpp"].replace(
                 ' LINKNAME("runtime..z2fdebug.setGCPercent")', "")}),
             "debug/stubs.hpp:5: setGCPercent: missing function body"),
            ("runtime/debug: undefined",
             dict(nm="\n".join(l for l in SELFTEST_DEBUG_NM.splitlines() if not l.startswith("mheap.cpp.o:"))),
             "debug/garbage.cpp.o: relocation target runtime..z2fdebug.freeOSMemory not defined"),
        ]
        broken(cases, debug)

    for f in failures:
        print("linkname selftest FAIL: %s" % f)
    if failures:
        return 1
    print("linkname selftest: ok")
    return 0


# --- Driver ----------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description="check the linkname back channel between the runtime and sync, "
                                             "runtime/debug (nm)")
    ap.add_argument("objects", nargs="*", help="the gort library's object files ($<TARGET_OBJECTS:gort>)")
    ap.add_argument("--check", action="store_true", help="exit 1 on any problem")
    ap.add_argument("--rst", metavar="PATH", help="write the tables and nm lines as reStructuredText")
    ap.add_argument("--objroot", help="the folder object paths are relative to (default: CMakeFiles/gort.dir)")
    ap.add_argument("--repo", default=REPO, help="the source tree (default: this repository)")
    ap.add_argument("--selftest", action="store_true", help="check the checks on made-up input")
    ap.add_argument("-q", "--quiet", action="store_true", help="no tables, only problems and the summaries")
    args = ap.parse_args(argv)

    status = 0
    if args.selftest:
        status = selftest()
        if not args.objects:
            return status

    objs = [o for a in args.objects for o in a.split(";") if o]
    if not objs:
        print("linkname: no object files given (want the gort library's objects)", file=sys.stderr)
        return 2
    archives = [o for o in objs if o.endswith(".a")]
    if archives:
        print("linkname: %s is an archive: its members keep only their base names, so sync/mutex.cpp.o "
              "would pass for a runtime object; give the object files ($<TARGET_OBJECTS:gort>)"
              % archives[0], file=sys.stderr)
        return 2
    missing = [o for o in objs if not os.path.isfile(o)]
    if missing:
        print("linkname: no such object: %s" % ", ".join(missing), file=sys.stderr)
        return 2
    root = os.path.abspath(args.objroot) if args.objroot else object_root(objs)
    try:
        nmlines = run_nm(objs, root)
        sources = [read_sources(args.repo, pkg) for pkg in PACKAGES]
    except (OSError, RuntimeError) as e:
        print("linkname: %s" % e, file=sys.stderr)
        return 2
    results = []
    for pkg, (declared, linknames) in zip(PACKAGES, sources):
        nmrows = parse_nm(nmlines, pkg.prefix)
        if not nmrows and not declared:
            print("linkname: nothing to check: no %s symbol in %d objects and no GOSYMBOL in package %s"
                  % (pkg.pattern, len(objs), pkg.name), file=sys.stderr)
            return 2
        results.append(Result(pkg, declared, linknames, nmrows))

    problems = []
    for res in results:
        if not args.quiet:
            print("package %s (symbols %s; declarations in %s):" % (res.pkg.name, res.pkg.pattern, res.pkg.folder))
            print(table(res.rows))
            print()
        for p in res.problems:
            print(p, file=sys.stderr if args.check else sys.stdout)
        problems += res.problems
    for res in results:
        print("linkname: %s" % res.summary())
    print("linkname: %d packages, %d objects read: %s"
          % (len(results), len(objs), "ok" if not problems else "%d problems" % len(problems)))
    if args.rst:
        # The nm lines of every package, in nm's order, and the objects they name.
        raw = parse_nm(nmlines, tuple(pkg.prefix for pkg in PACKAGES))
        shown = []
        for obj, _, _, _ in raw:
            if obj not in shown:
                shown.append(obj)
        text = rst(results, [r[3] for r in raw], shown, mangled_example(objs, root))
        os.makedirs(os.path.dirname(os.path.abspath(args.rst)), exist_ok=True)
        old = None
        if os.path.exists(args.rst):
            with open(args.rst, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            with open(args.rst, "w", encoding="utf-8") as f:
                f.write(text)
    if args.check and problems:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
