#!/usr/bin/python3
"""golinks: find a Go runtime symbol's declaration in the pinned Go source.

Every link from the book or the code to Go's source goes through this module:
a symbol (a function, a method, a type, a var or a const, or an assembly
TEXT symbol) is looked up by name in the local go1.22.12 tree and the link is
built from the line found, so no line number is ever typed by hand.

Symbol syntax, as written in `\\gosrc{file,symbol}` and the book's roles:

  name          the package-level func, type, var or const named `name`;
                if there is none, the method `name` when exactly one receiver
                type has it; in a .s file, the TEXT symbol runtime·name (or
                name<> for a file-local one).
  Recv.name     the method `name` whose receiver type is Recv.

Package init functions (`func init()`) are never link targets: a file may have
several and nothing refers to them. A plain name that matches more than one
declaration is an error; write Recv.name.

A file is looked up under src/runtime/ first, then under src/ (for sync/...).
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def go_version():
    with open(os.path.join(REPO, "cmake", "GOVERSION")) as f:
        return f.readline().strip()


GOROOT = os.environ.get("GORT_GOROOT", "/usr/lib/go-1.22")
TAG = go_version()
URL_PREFIX = "https://github.com/golang/go/blob/%s/src/" % TAG


class GoLinkError(Exception):
    pass


class Decl:
    """One top-level declaration: kind is func, method, type, var, const or
    text (assembly). line is 1-based (the line that declares the name);
    start is the first line of its doc comment; end its last line."""

    def __init__(self, kind, name, recv, line, start, end):
        self.kind, self.name, self.recv = kind, name, recv
        self.line, self.start, self.end = line, start, end

    @property
    def qualname(self):
        return "%s.%s" % (self.recv, self.name) if self.recv else self.name

    def __repr__(self):
        return "Decl(%s %s @%d)" % (self.kind, self.qualname, self.line)


FUNC_RE = re.compile(r"^func\s+(\w+)\s*[\[(]")
METHOD_RE = re.compile(r"^func\s+\(\s*(?:\w+\s+)?\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*(\w+)\s*[\[(]")
TYPE_RE = re.compile(r"^type\s+(\w+)\b")
VARCONST_RE = re.compile(r"^(var|const)\s+(\w+)\b")
GROUP_RE = re.compile(r"^(var|const|type)\s*\(\s*(//.*)?$")
GROUP_ITEM_RE = re.compile(r"^\t(\w+)\b")
TEXT_RE = re.compile(r"^TEXT\s+(?:runtime)?\u00b7?(\w+)(?:<\w*>)?\(SB\)")
TEXT_LOCAL_RE = re.compile(r"^TEXT\s+\w+<>\(SB\)")


def _doc_start(lines, i):
    """First line (0-based) of the // comment block directly above line i."""
    j = i
    while j > 0 and lines[j - 1].lstrip().startswith("//"):
        j -= 1
    return j


def _block_end(lines, i):
    """Last line (0-based) of a declaration starting at line i: the first
    later line that is exactly '}' (gofmt), or i for a one-line form."""
    line = lines[i].split("//")[0].rstrip()
    if not line.endswith("{") and not line.endswith("("):
        return i
    closer = "}" if line.endswith("{") else ")"
    for j in range(i + 1, len(lines)):
        if lines[j].rstrip() == closer:
            return j
    return i


def _asm_end(lines, i):
    """Last line of an assembly TEXT body: up to the next TEXT/DATA/GLOBL or
    the comment block that precedes it, trailing blank lines dropped."""
    j = i + 1
    while j < len(lines) and not re.match(r"^(TEXT|DATA|GLOBL)\b", lines[j]):
        j += 1
    j = _doc_start(lines, j) if j < len(lines) else j
    j -= 1
    while j > i and not lines[j].strip():
        j -= 1
    return j


class GoFile:
    def __init__(self, relpath, path):
        self.relpath = relpath  # path under src/, e.g. runtime/chan.go
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().split("\n")
        self.decls = self._scan()

    def _scan(self):
        lines, decls = self.lines, []
        asm = self.path.endswith(".s")
        group = None
        for i, line in enumerate(lines):
            if asm:
                m = TEXT_RE.match(line)
                if m:
                    # A file-local symbol (TEXT gogo<>(SB)) is named gogo<>,
                    # apart from the package symbol runtime·gogo.
                    name = m.group(1) + ("<>" if re.match(r"^TEXT\s+\w+<>\(SB\)", line) else "")
                    decls.append(Decl("text", name, None, i + 1, _doc_start(lines, i) + 1, _asm_end(lines, i) + 1))
                continue
            if group:
                if line.startswith(")"):
                    group = None
                    continue
                m = GROUP_ITEM_RE.match(line)
                if m and not line.lstrip().startswith("//"):
                    end = _block_end(lines, i) if group == "type" else i
                    decls.append(Decl(group, m.group(1), None, i + 1, _doc_start(lines, i) + 1, end + 1))
                continue
            m = GROUP_RE.match(line)
            if m:
                group = m.group(1)
                continue
            m = METHOD_RE.match(line)
            if m:
                decls.append(Decl("method", m.group(2), m.group(1), i + 1, _doc_start(lines, i) + 1, _block_end(lines, i) + 1))
                continue
            m = FUNC_RE.match(line)
            if m:
                decls.append(Decl("func", m.group(1), None, i + 1, _doc_start(lines, i) + 1, _block_end(lines, i) + 1))
                continue
            m = TYPE_RE.match(line)
            if m:
                decls.append(Decl("type", m.group(1), None, i + 1, _doc_start(lines, i) + 1, _block_end(lines, i) + 1))
                continue
            m = VARCONST_RE.match(line)
            if m:
                decls.append(Decl(m.group(1), m.group(2), None, i + 1, _doc_start(lines, i) + 1, _block_end(lines, i) + 1))
        return decls

    def lookup(self, symbol):
        """The one Decl for symbol, or GoLinkError."""
        if "." in symbol:
            recv, name = symbol.split(".", 1)
            found = [d for d in self.decls if d.kind == "method" and d.recv == recv and d.name == name]
        else:
            named = [d for d in self.decls if d.name == symbol and not (d.kind == "func" and d.name == "init")]
            # A package-level name wins over methods of that name (Go's own
            # reading of runtime.Stack); a method matches only when no
            # package-level declaration has the name.
            found = [d for d in named if d.kind != "method"] or named
            if not found and self.path.endswith(".s"):
                # No package symbol of that name: the file-local one.
                found = [d for d in self.decls if d.name == symbol + "<>"]
        if not found:
            raise GoLinkError("%s: no declaration of %s in %s" % (self.relpath, symbol, self.path))
        if len(found) > 1:
            raise GoLinkError("%s: %s is ambiguous (%s); write Recv.name" % (
                self.relpath, symbol, ", ".join("%s at line %d" % (d.qualname, d.line) for d in found)))
        return found[0]

    def text(self, decl):
        return "\n".join(self.lines[decl.start - 1:decl.end])


_files = {}


def gofile(name):
    """The GoFile for a name as written in \\gosrc: chan.go, asm_amd64.s,
    sync/mutex.go."""
    if name in _files:
        return _files[name]
    if "/" in name and ".." in name.split("/"):
        raise GoLinkError("bad Go file name %r" % name)
    for rel in ("runtime/" + name, name):
        path = os.path.join(GOROOT, "src", rel)
        if os.path.isfile(path):
            _files[name] = GoFile(rel, path)
            return _files[name]
    raise GoLinkError("no Go source file %s under %s/src/runtime or %s/src" % (name, GOROOT, GOROOT))


def resolve(file, symbol):
    """(Decl, url) for symbol in file; raises GoLinkError."""
    gf = gofile(file)
    d = gf.lookup(symbol)
    return d, "%s%s#L%d" % (URL_PREFIX, gf.relpath, d.line)


def url(file, symbol):
    return resolve(file, symbol)[1]


def title(file, symbol):
    """The title every Go link carries; the link checker reads it back."""
    return "%s %s: %s" % (TAG, gofile(file).relpath, symbol)


TITLE_RE = re.compile(r"^(go[\d.]+) (\S+): (\S+)$")
URL_RE = re.compile(r"^https://github\.com/golang/go/blob/([^/]+)/src/(.+)#L(\d+)$")


def check_link(href, title_text):
    """For the link checker: None if href is a pinned Go link whose line
    declares the symbol named in title_text, else an error message."""
    m = URL_RE.match(href)
    if not m:
        return "not a pinned Go source link: %s" % href
    tag, rel, line = m.group(1), m.group(2), int(m.group(3))
    if tag != TAG:
        return "Go link at %s, not the pinned %s: %s" % (tag, TAG, href)
    t = TITLE_RE.match(title_text or "")
    if not t:
        return "Go link without a symbol title (%r): %s" % (title_text, href)
    if t.group(1) != TAG or t.group(2) != rel:
        return "Go link title %r does not match %s" % (title_text, href)
    name = rel[len("runtime/"):] if rel.startswith("runtime/") else rel
    try:
        d = gofile(name).lookup(t.group(3))
    except GoLinkError as e:
        return str(e)
    if d.line != line:
        return "%s: line %d does not declare %s (it is declared at line %d)" % (rel, line, t.group(3), d.line)
    return None


def selftest():
    """Lookups on the real pinned tree whose answers are known by kind; each
    line is checked by reading the declaration back."""
    ok = True

    def expect(file, sym, pattern):
        nonlocal ok
        try:
            d, _ = resolve(file, sym)
            line = gofile(file).lines[d.line - 1]
            good = re.search(pattern, line) is not None
        except GoLinkError as e:
            good, line = False, "error: %s" % e
        print("golinks selftest %s: %s %s -> %s" % ("ok" if good else "FAIL", file, sym, line.strip()))
        ok = ok and good

    def expect_error(file, sym, why):
        nonlocal ok
        try:
            resolve(file, sym)
            print("golinks selftest FAIL: %s %s resolved, expected %s" % (file, sym, why))
            ok = False
        except GoLinkError:
            print("golinks selftest ok: %s %s -> error (%s)" % (file, sym, why))

    expect("chan.go", "chansend", r"^func chansend\(")
    expect("chan.go", "hchan", r"^type hchan struct")
    expect("chan.go", "waitq.dequeue", r"^func \(q \*waitq\) dequeue\(")
    expect("proc.go", "init", r"^func \(pp \*p\) init\(")       # init funcs are skipped
    expect("proc.go", "forcePreemptNS", r"^const forcePreemptNS")
    expect("mprof.go", "Stack", r"^func Stack\(")                # package func over methods
    expect("asm_amd64.s", "gogo", r"^TEXT runtime\u00b7gogo\(SB\)")
    expect("asm_amd64.s", "gogo<>", r"^TEXT gogo<>\(SB\)")
    expect("sync/runtime.go", "runtime_Semacquire", r"^func runtime_Semacquire\(")
    expect_error("chan.go", "chanlen", "not declared")
    expect_error("chan.go", "nosuch.chansend", "no such receiver")
    expect_error("nosuchfile.go", "x", "no such file")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        sys.exit(selftest())
    # golinks.py FILE SYMBOL...: print the link for each symbol.
    if len(sys.argv) < 3:
        print("usage: golinks.py FILE SYMBOL...", file=sys.stderr)
        sys.exit(2)
    status = 0
    for sym in sys.argv[2:]:
        try:
            d, u = resolve(sys.argv[1], sym)
            print("%s\t%s\t%s" % (sym, d.kind, u))
        except GoLinkError as e:
            print("error: %s" % e, file=sys.stderr)
            status = 1
    sys.exit(status)
