#!/usr/bin/python3
"""fidelity: how closely the port follows the pinned Go runtime, file by file.

For each Go file of src/runtime that a port file mirrors (a port file names
its Go file in its opening comment: "proc.cpp: ..., mirroring proc.go at
go1.22.12"), it reports:

  funcs      Go's functions and methods in that file (`func f` -> f,
             `func (x *T) m` -> T.m);
  ported     found in the port files that mirror it, under Go's name: a C++
             function defined there (or declared with an asm label, for the
             routines written in assembly), a Go method as a member function
             of the struct of the same name;
  elsewhere  found under Go's name, but in another port file;
  n/a        listed as not applicable in tools/fidelity_manifest.tsv, with
             the reason (cgo, race, trace, other systems, ...);
  later      listed as waiting for a later issue (the collector, ...);
  missing    none of the above;
  directives for each ported function, whether every one of Go's
             //go:nosplit, //go:systemstack, //go:nowritebarrier,
             //go:nowritebarrierrec and //go:yeswritebarrierrec has its macro
             in C++ (read from the annotate("go:...") attributes pragmas.hpp
             gives them under clang, on any declaration);
  order      ported functions defined in a port file in an order that
             disagrees with Go's: the ones outside a longest run that keeps
             Go's order.

The manifest (tools/fidelity_manifest.tsv) has one line per Go function:

  go_file<TAB>func<TAB>status<TAB>reason

status is `na` (not applicable), `later` (a later issue), or `as:NAME` when
the port spells the name differently for a documented reason (Go's `throw` is
`throw_` because throw is a C++ keyword); NAME may be `T.m`. '#' starts a
comment line.

Modes: default prints the table and the details; --summary the table only;
--markdown the table as Markdown (for the book); --json everything as JSON;
--check also prints the table, and fails (exit 1) only on a malformed
manifest line, a duplicate, or an entry naming a Go function or file that does
not exist. Missing functions never fail it: the port is partial on purpose.

Run with /usr/bin/python3 (Debian's clang.cindex, python3-clang-14).
"""

import argparse
import collections
import json
import os
import re
import shlex
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(REPO, "tools", "fidelity_manifest.tsv")
# The Go files the scheduler core ports (PORTING.md's map), reported even
# before a port file claims them; more come from the port files' headers.
SCOPE = ["proc.go", "chan.go", "select.go", "stack.go", "lock_futex.go", "runtime2.go",
         "panic.go", "traceback.go", "runtime1.go", "signal_unix.go", "os_linux.go",
         "print.go", "mwbbuf.go", "sema.go",
         # The page-level allocator (the memory allocator issue).
         "malloc.go", "mem.go", "mem_linux.go", "mranges.go", "mpallocbits.go",
         "mpagealloc.go", "mpagealloc_64bit.go", "mpagecache.go", "mgcscavenge.go",
         # The heap (the memory allocator issue).
         "mheap.go", "mcache.go", "mcentral.go", "mspanset.go", "mfixalloc.go",
         "lfstack.go", "sizeclasses.go", "mstats.go", "mbitmap.go", "tagptr_64bit.go",
         # The pacer and the GC CPU limiter (the collector issue).
         "mgcpacer.go", "mgclimit.go",
         # The collector (the collector issue).
         "mgc.go", "mgcmark.go", "mgcsweep.go", "mgcwork.go", "mcheckmark.go", "mfinal.go",
         # Timers and the poller (the timers, system calls and poller issue).
         "time.go", "netpoll.go", "netpoll_epoll.go", "timestub.go"]
DIRECTIVES = ("nosplit", "systemstack", "nowritebarrier", "nowritebarrierrec",
              "yeswritebarrierrec")


# --- Go side -------------------------------------------------------------------

GoFunc = collections.namedtuple("GoFunc", "key name recv line index directives")

_FUNC_RE = re.compile(r"^func\s+(?:\(\s*(?:\w+\s+)?\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*)?(\w+)")


def go_funcs(path):
    """The functions of a Go file, in order, with the directives above each."""
    with open(path) as f:
        lines = f.read().split("\n")
    out = []
    seen = collections.Counter()
    for i, line in enumerate(lines):
        m = _FUNC_RE.match(line)
        if not m:
            continue
        recv, name = m.group(1), m.group(2)
        key = "%s.%s" % (recv, name) if recv else name
        seen[key] += 1
        if seen[key] > 1:  # several func init() in one file
            key = "%s#%d" % (key, seen[key])
        dirs = set()
        j = i - 1
        while j >= 0 and lines[j].startswith("//"):
            dm = re.match(r"^//go:(\w+)", lines[j])
            if dm:
                dirs.add(dm.group(1))
            j -= 1
        out.append(GoFunc(key, name, recv, i + 1, len(out), frozenset(dirs)))
    return out


# --- Manifest --------------------------------------------------------------------

class Manifest:
    def __init__(self, path):
        self.path = path
        self.entries = {}   # (go_file, key) -> (status, reason, line)
        self.errors = []
        if not os.path.exists(path):
            return
        with open(path) as f:
            for n, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 4 or not all(p.strip() for p in parts):
                    self.errors.append("%s:%d: malformed (want go_file<TAB>func<TAB>status<TAB>reason): %r"
                                       % (os.path.basename(path), n, line))
                    continue
                gofile, key, status, reason = (p.strip() for p in parts)
                if status not in ("na", "later") and not re.match(r"^as:[A-Za-z_]\w*(\.\w+)?$", status):
                    self.errors.append("%s:%d: status must be na, later or as:NAME, not %r"
                                       % (os.path.basename(path), n, status))
                    continue
                if not gofile.endswith(".go"):
                    self.errors.append("%s:%d: %r is not a Go file name" % (os.path.basename(path), n, gofile))
                    continue
                k = (gofile, key)
                if k in self.entries:
                    self.errors.append("%s:%d: duplicate entry for %s %s (first on line %d)"
                                       % (os.path.basename(path), n, gofile, key, self.entries[k][2]))
                    continue
                self.entries[k] = (status, reason, n)


# --- Port side (libclang) -------------------------------------------------------------

CxxFunc = collections.namedtuple("CxxFunc", "name cls file line usr defined asm")


def header_gofile(path, goruntime):
    """The Go file a port file names in its opening comment, if any: a file
    of src/runtime by its base name (proc.go), a file of package sync as
    src/sync/mutex.go (reported as sync/mutex.go)."""
    with open(path, errors="replace") as f:
        head = "".join(f.readline() for _ in range(4))
    m = re.search(r"\bsrc/(sync/\w+\.go)\b", head)
    if m and os.path.exists(gopath(goruntime, m.group(1))):
        return m.group(1)
    for m in re.finditer(r"(?<![/\w.])(\w+\.go)\b", head):
        if os.path.exists(os.path.join(goruntime, m.group(1))):
            return m.group(1)
    return None


def gopath(goruntime, gf):
    """The path of a reported Go file: runtime's by base name, others
    (sync/mutex.go) relative to src."""
    if "/" in gf:
        return os.path.join(os.path.dirname(goruntime), gf)
    return os.path.join(goruntime, gf)


def compile_flags(build):
    """{source path: clang args} from compile_commands.json, if present."""
    flags = {}
    cc = os.path.join(build, "compile_commands.json") if build else None
    if not cc or not os.path.exists(cc):
        return flags
    with open(cc) as f:
        for e in json.load(f):
            args = e.get("arguments") or shlex.split(e["command"])
            keep = []
            i = 1
            while i < len(args):
                a = args[i]
                if a in ("-I", "-isystem", "-D", "-include") and i + 1 < len(args):
                    keep += [a, args[i + 1]]
                    i += 2
                    continue
                if a.startswith(("-I", "-D", "-std=")):
                    keep.append(a)
                i += 1
            flags[os.path.normpath(os.path.join(e.get("directory", ""), e["file"]))] = keep
    return flags


class Port:
    def __init__(self, files, build):
        import clang.cindex as ci
        self.ci = ci
        self.index = ci.Index.create()
        self.flags = compile_flags(build)
        default = ["-std=c++20", "-I" + REPO]
        if build:
            default.append("-I" + os.path.join(build, "include"))
        self.default = default
        self.funcs = collections.defaultdict(list)   # file -> [CxxFunc]
        self.annotations = collections.defaultdict(set)  # usr -> {"go:nosplit", ...}
        self.errors = []
        self.asm_symbols = set()
        self.labels = {}              # (file, line, name) -> asm label
        self.defined_labels = set()   # asm labels of C++ definitions
        for f in os.listdir(REPO):
            if f.endswith(".S"):
                with open(os.path.join(REPO, f), errors="replace") as fh:
                    for m in re.finditer(r'^\s*\.globl\s+"?([^"\s]+)"?', fh.read(), re.M):
                        self.asm_symbols.add(m.group(1))
        wanted = {os.path.abspath(f) for f in files}
        self._seen = set()
        K = ci.CursorKind
        self.kinds = {K.FUNCTION_DECL, K.CXX_METHOD, K.FUNCTION_TEMPLATE, K.CONSTRUCTOR,
                      K.DESTRUCTOR, K.CONVERSION_FUNCTION}
        # Sources first; a header then only when no source includes it.
        included = set()
        opts = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
        for f in sorted(wanted, key=lambda f: (f.endswith((".hpp", ".h")), f)):
            if f in included:
                continue
            args = self.flags.get(f, self.default)
            if f.endswith((".hpp", ".h")):
                args = ["-x", "c++-header"] + args
            try:
                tu = self.index.parse(f, args=args, options=opts)
            except ci.TranslationUnitLoadError as e:
                self.errors.append("%s: libclang cannot parse it (%s)" % (f, e))
                continue
            errs = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
            if errs:
                self.errors.append("%s: %s" % (f, errs[0]))
            for inc in tu.get_includes():
                included.add(os.path.abspath(inc.include.name))
            self._visit(tu.cursor, wanted)
        # A bodiless declaration under an asm label that a LINKNAME definition
        # elsewhere provides (package sync's runtime_Semacquire, which the
        # runtime's sync_runtime_Semacquire defines) is ported the way Go's
        # bodiless declaration is: the linker joins the two.
        for fname, fl in self.funcs.items():
            for i, cf in enumerate(fl):
                sym = self.labels.get((fname, cf.line, cf.name))
                if not cf.defined and not cf.asm and sym in self.defined_labels:
                    fl[i] = cf._replace(asm=True)

    def _visit(self, cur, wanted):
        ci = self.ci
        K = ci.CursorKind
        for c in cur.get_children():
            loc = c.location
            if loc.file is None:
                continue
            fname = os.path.abspath(loc.file.name)
            if c.kind == K.MACRO_DEFINITION:
                # A function-like macro standing for a Go function (stubs.go's
                # getcallerpc is the builtin __builtin_return_address).
                if fname in wanted and (fname, loc.line, c.spelling) not in self._seen:
                    self._seen.add((fname, loc.line, c.spelling))
                    toks = [t.spelling for t in c.get_tokens()][:2]
                    if len(toks) == 2 and toks[1] == "(":
                        self.funcs[fname].append(CxxFunc(c.spelling, None, fname, loc.line,
                                                         "macro:" + c.spelling, True, False))
                continue
            if c.kind in (K.NAMESPACE, K.STRUCT_DECL, K.CLASS_DECL, K.UNION_DECL, K.CLASS_TEMPLATE,
                          K.UNEXPOSED_DECL, K.LINKAGE_SPEC):
                if fname.startswith(REPO + os.sep) and "/build" not in fname[len(REPO):]:
                    self._visit(c, wanted)
                continue
            if c.kind not in self.kinds:
                continue
            usr = c.canonical.get_usr() or c.get_usr()
            sym = None
            for ch in c.get_children():
                if ch.kind == K.ANNOTATE_ATTR and ch.spelling.startswith("go:"):
                    self.annotations[usr].add(ch.spelling.split(" ")[0])
                elif ch.kind == K.ASM_LABEL_ATTR:
                    sym = ch.spelling
            if sym is None and c.kind == K.FUNCTION_DECL:
                sym = c.mangled_name
            # Declared in C++, defined by the assembly files.
            asm = bool(sym) and sym.lstrip("\x01") in self.asm_symbols
            if sym is not None and c.is_definition() and any(
                    ch.kind == K.ASM_LABEL_ATTR for ch in c.get_children()):
                self.defined_labels.add(sym.lstrip("\x01"))
            if fname not in wanted:
                continue
            key = (fname, loc.line, c.spelling)
            if sym is not None:
                self.labels[key] = sym.lstrip("\x01")
            if key in self._seen:
                continue
            self._seen.add(key)
            cls = None
            p = c.semantic_parent
            if c.kind != K.FUNCTION_DECL and p is not None and p.kind in (
                    K.STRUCT_DECL, K.CLASS_DECL, K.UNION_DECL, K.CLASS_TEMPLATE):
                cls = p.spelling
            self.funcs[fname].append(CxxFunc(c.spelling, cls, fname, loc.line, usr,
                                             c.is_definition(), asm))


# --- Report ---------------------------------------------------------------------------

def lis_outliers(seq):
    """Indices of seq outside one longest strictly increasing subsequence."""
    n = len(seq)
    if n == 0:
        return set()
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if seq[j] < seq[i] and best[j] + 1 > best[i]:
                best[i] = best[j] + 1
                prev[i] = j
    k = max(range(n), key=lambda i: best[i])
    keep = set()
    while k != -1:
        keep.add(k)
        k = prev[k]
    return set(range(n)) - keep


def analyse(goroot, build, manifest_path=MANIFEST):
    goruntime = os.path.join(goroot, "src", "runtime")
    port_files = sorted(os.path.join(REPO, f) for f in os.listdir(REPO)
                        if f.endswith((".cpp", ".hpp", ".h")))
    sync_dir = os.path.join(REPO, "sync")
    if os.path.isdir(sync_dir):
        port_files += sorted(os.path.join(sync_dir, f) for f in os.listdir(sync_dir)
                             if f.endswith((".cpp", ".hpp")))
    mapping = collections.defaultdict(list)
    for f in port_files:
        g = header_gofile(f, goruntime)
        if g:
            mapping[g].append(f)
    gofiles = list(SCOPE) + sorted(g for g in mapping if g not in SCOPE)
    manifest = Manifest(manifest_path)
    port = Port(port_files, build)

    # Every port function by name, for "elsewhere".
    by_name = collections.defaultdict(list)
    for fl in port.funcs.values():
        for cf in fl:
            if cf.defined or cf.asm:
                by_name[(cf.cls, cf.name)].append(cf)

    mname = os.path.basename(manifest_path)
    problems = list(manifest.errors)   # manifest problems: --check fails on these
    notes = []                         # reported, never fatal
    results = []
    gofuncs_by_file = {}
    for gf in gofiles:
        path = gopath(goruntime, gf)
        if not os.path.exists(path):
            problems.append("%s: not in %s (wrong --goroot?)" % (gf, goruntime))
            continue
        gofuncs_by_file[gf] = go_funcs(path)
    for (gf, key), (status, reason, n) in sorted(manifest.entries.items(), key=lambda kv: kv[1][2]):
        if gf not in gofuncs_by_file:
            path = gopath(goruntime, gf)
            if not os.path.exists(path):
                problems.append("%s:%d: %s does not exist in %s" % (mname, n, gf, goruntime))
                continue
            gofuncs_by_file[gf] = go_funcs(path)
            gofiles.append(gf)
        if key not in {g.key for g in gofuncs_by_file[gf]}:
            problems.append("%s:%d: %s has no func %s" % (mname, n, gf, key))

    for gf in gofiles:
        if gf not in gofuncs_by_file:
            continue
        funcs = gofuncs_by_file[gf]
        files = mapping.get(gf, [])
        here = collections.defaultdict(list)
        for f in files:
            for cf in port.funcs.get(f, []):
                if cf.defined or cf.asm:
                    here[(cf.cls, cf.name)].append(cf)
        row = {"go": gf, "port": [os.path.relpath(f, REPO) for f in files], "funcs": len(funcs),
               "ported": [], "elsewhere": [], "na": [], "later": [], "missing": [],
               "directives_ok": 0, "directives_total": 0, "directive_gaps": [],
               "out_of_order": [], "contradictions": []}
        matched = {}   # go key -> CxxFunc (in this file's port)
        for g in funcs:
            ent = manifest.entries.get((gf, g.key))
            cxx_cls, cxx_name = g.recv, g.name
            if ent and ent[0].startswith("as:"):
                spelled = ent[0][3:]
                if "." in spelled:
                    cxx_cls, cxx_name = spelled.split(".", 1)
                else:
                    cxx_cls, cxx_name = None, spelled
            found = here.get((cxx_cls, cxx_name))
            if ent and ent[0] in ("na", "later"):
                row[ent[0]].append((g.key, ent[1]))
                if found:
                    row["contradictions"].append("%s is listed as %s but ported at %s:%d"
                                                 % (g.key, ent[0], os.path.relpath(found[0].file, REPO),
                                                    found[0].line))
                continue
            if found:
                row["ported"].append(g.key)
                matched[g.key] = found
            else:
                other = by_name.get((cxx_cls, cxx_name))
                if other:
                    row["elsewhere"].append((g.key, "%s:%d" % (os.path.relpath(other[0].file, REPO),
                                                               other[0].line)))
                    matched[g.key] = other
                else:
                    row["missing"].append(g.key)
        # Directives.
        for g in funcs:
            if g.key not in matched:
                continue
            want = sorted(d for d in g.directives if d in DIRECTIVES)
            if not want:
                continue
            have = set()
            for cf in matched[g.key]:
                have |= port.annotations.get(cf.usr, set())
            for d in want:
                row["directives_total"] += 1
                if "go:" + d in have:
                    row["directives_ok"] += 1
                else:
                    cf = matched[g.key][0]
                    row["directive_gaps"].append("%s: //go:%s (Go %s:%d) has no %s at %s:%d" % (
                        g.key, d, gf, g.line, d.upper(), os.path.relpath(cf.file, REPO), cf.line))
        # Order, per port file: definitions in file order against Go's order.
        index = {g.key: g for g in funcs}
        for f in files:
            seq = []
            for cf in sorted(port.funcs.get(f, []), key=lambda c: c.line):
                if not (cf.defined or cf.asm):
                    continue
                for k, lst in matched.items():
                    if cf in lst and k in index:
                        seq.append((index[k].index, k, cf))
                        break
            # One entry per Go function (the first definition).
            seen = set()
            seq = [s for s in seq if not (s[1] in seen or seen.add(s[1]))]
            out = lis_outliers([s[0] for s in seq])
            for i in sorted(out):
                _, k, cf = seq[i]
                row["out_of_order"].append("%s (%s:%d; Go %s:%d)" % (
                    k, os.path.relpath(f, REPO), cf.line, gf, index[k].line))
        results.append(row)
    return results, problems, notes + port.errors


def print_table(results, out=sys.stdout, markdown=False):
    cols = ["Go file", "port", "funcs", "ported", "elsewhere", "n/a", "later", "missing",
            "directives", "out of order"]
    rows = []
    tot = collections.Counter()
    for r in results:
        d = "%d/%d" % (r["directives_ok"], r["directives_total"])
        rows.append([r["go"], " ".join(r["port"]) or "-", r["funcs"], len(r["ported"]),
                     len(r["elsewhere"]), len(r["na"]), len(r["later"]), len(r["missing"]), d,
                     len(r["out_of_order"])])
        for k, v in (("funcs", r["funcs"]), ("ported", len(r["ported"])),
                     ("elsewhere", len(r["elsewhere"])), ("na", len(r["na"])),
                     ("later", len(r["later"])), ("missing", len(r["missing"])),
                     ("dok", r["directives_ok"]), ("dtot", r["directives_total"]),
                     ("ooo", len(r["out_of_order"]))):
            tot[k] += v
    rows.append(["total", "", tot["funcs"], tot["ported"], tot["elsewhere"], tot["na"], tot["later"],
                 tot["missing"], "%d/%d" % (tot["dok"], tot["dtot"]), tot["ooo"]])
    if markdown:
        print("| " + " | ".join(cols) + " |", file=out)
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(cols))) + "|", file=out)
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |", file=out)
        return
    widths = [max(len(str(x)) for x in [c] + [r[i] for r in rows]) for i, c in enumerate(cols)]
    fmt = "  ".join("%%-%ds" % w if i < 2 else "%%%ds" % w for i, w in enumerate(widths))
    print(fmt % tuple(cols), file=out)
    for r in rows:
        print(fmt % tuple(r), file=out)


def print_details(results, out=sys.stdout):
    for r in results:
        print("\n== %s (%s)" % (r["go"], " ".join(r["port"]) or "no port file"), file=out)
        if r["missing"]:
            print("  missing (%d): %s" % (len(r["missing"]), " ".join(r["missing"])), file=out)
        for k, where in r["elsewhere"]:
            print("  elsewhere: %s at %s" % (k, where), file=out)
        for g in r["directive_gaps"]:
            print("  directive: %s" % g, file=out)
        for o in r["out_of_order"]:
            print("  out of order: %s" % o, file=out)
        for c in r["contradictions"]:
            print("  manifest: %s" % c, file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare the port with the pinned Go runtime, file by file.")
    ap.add_argument("--goroot", default=os.environ.get("GORT_GOROOT", "/usr/lib/go-1.22"))
    ap.add_argument("-p", dest="build", default=os.path.join(REPO, "build"),
                    help="build directory (its compile_commands.json gives the flags)")
    ap.add_argument("--manifest", default=MANIFEST, help="the manifest (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="fail on manifest errors only")
    ap.add_argument("--summary", action="store_true", help="print the table only")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results, problems, warnings = analyse(args.goroot, args.build, args.manifest)
    if args.json:
        print(json.dumps({"files": results, "problems": problems, "warnings": warnings}, indent=1))
    elif args.markdown:
        print_table(results, markdown=True)
    else:
        print_table(results)
        if not args.summary and not args.check:
            print_details(results)
    for p in warnings:
        print("fidelity: warning: %s" % p, file=sys.stderr)
    for p in problems:
        print("fidelity: %s" % p, file=sys.stderr)
    if args.check:
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
