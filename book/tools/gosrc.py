#!/usr/bin/python3
"""gosrc: the runtime's \\gosrc{file.go,symbol} markers.

Each ported function's doc comment names its Go counterpart with
\\gosrc{file.go,symbol}. This module finds the markers in the C++ sources,
resolves them in the pinned Go tree (golinks), assigns each the anchor of its
side-by-side entry in the book, and is Doxygen's INPUT_FILTER:

  gosrc.py --filter [--mentions FILE] SOURCE

prints SOURCE with every resolvable \\gosrc{f,s} rewritten to
\\gosrc{runtime/f,s,LINE} (a three-argument Doxygen alias that renders the
pinned link) followed by \\gobook{...} links to the side-by-side page and to
the chapters that discuss the function (found by its qualified name, from
scopes(), against the chapters' :cpp: roles; gosrccheck.check_book_links
checks the result in Doxygen's XML). Line count is preserved, so Doxygen's
line numbers stay those of the real file. Unresolvable markers are left as
they are; the check (book/tools/gosrccheck.py) has already reported them.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golinks  # noqa: E402

REPO = golinks.REPO
GOSRC_RE = re.compile(r"\\gosrc\{([^,{}]+),([^,{}]+)\}")


class Marker:
    def __init__(self, cppfile, line, gofile, symbol):
        self.cppfile = cppfile  # repo-relative, e.g. chan.cpp
        self.line = line        # 1-based
        self.gofile = gofile
        self.symbol = symbol
        self.anchor = None
        self.page = None
        self.cppname = None     # the C++ entity the comment documents (heuristic)
        self.qualname = None    # cppname qualified by its namespaces and classes,
                                # spelled as the chapters' :cpp: roles (see bookname)

    @property
    def key(self):
        return "%s,%s" % (self.gofile, self.symbol)


def page_of(cppfile):
    """The side-by-side page (docname) for a C++ file: one page per stem, so
    chan.hpp and chan.cpp share sidebyside/chan. A file of another package
    keeps its folder in the name (sync/mutex.cpp: sidebyside/sync-mutex), so
    that sync/runtime.hpp and sync/rwmutex.cpp do not land on the pages of
    the runtime's runtime.hpp or of Go's runtime/rwmutex.go."""
    stem = os.path.splitext(cppfile)[0].replace(os.sep, "/").replace("/", "-")
    return "sidebyside/" + stem


def gofile_of(cppfile):
    """The Go file a C++ file mirrors, as \\gosrc spells it (chan.go,
    sync/mutex.go), or None when the pinned tree has no file of that name."""
    base = os.path.splitext(cppfile)[0].replace(os.sep, "/")
    sub = "runtime/" if "/" not in base else ""
    if os.path.exists(os.path.join(golinks.GOROOT, "src", sub + base + ".go")):
        return base + ".go"
    return None


def anchor_id(symbol):
    return "go-" + re.sub(r"[^A-Za-z0-9]+", "-", symbol)


DECL_NAME_RE = re.compile(r"([A-Za-z_~][\w]*(?:::[A-Za-z_~]\w*)*)\s*(?:\(|=|\{|;|$)")


def _entity_name(lines, i):
    """The name declared by the code that follows a doc comment ending at
    line i (0-based, exclusive): the last qualified identifier before the
    first '(' (a function), '=' (a constant) or '{' (a struct). A heuristic
    used only for the chapter links."""
    text = ""
    for j in range(i, min(i + 6, len(lines))):
        s = lines[j].strip()
        if s.startswith("//") or not s:
            if text:
                break
            continue
        text += " " + s
        if re.search(r"[({=;]", s):
            break
    text = re.sub(r"\btemplate\s*<[^>]*>", " ", text)
    text = re.sub(r'extern\s+"C"', " ", text)
    m = re.search(r"^(.*?)[({=;]", text)
    if not m:
        return None
    head = m.group(1).strip()
    if head.startswith(("struct ", "class ")) or " struct " in head or " class " in head:
        words = head.replace(":", " ").split()
        for k, w in enumerate(words):
            if w in ("struct", "class") and k + 1 < len(words):
                return words[k + 1]
    ids = re.findall(r"[A-Za-z_~]\w*(?:::[A-Za-z_~]\w*)*", head)
    if not ids:
        return None
    return ids[-1]


SCOPE_RE = re.compile(r"^\s*(?:template\s*<[^>]*>\s*)?(namespace|struct|class|union)\b\s*"
                      r"((?:[A-Za-z_]\w*)(?:::[A-Za-z_]\w*)*)?\s*(?:final\b)?\s*(?::[^{;]*)?(\{|$)")


def _code_only(line, in_comment):
    """line without comments, string and character literals; and whether a
    /* comment is still open at its end."""
    out, i, n = [], 0, len(line)
    while i < n:
        if in_comment:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out), True
            i, in_comment = j + 2, False
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_comment, i = True, i + 2
            continue
        if c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out), in_comment


def scopes(lines):
    """For each line (0-based), the named scopes open at its start: the
    namespaces, structs and classes enclosing it, outermost first
    (anonymous namespaces, extern "C" and function bodies add no name).
    A brace count over the code with comments and literals removed: enough
    for the runtime's sources, and checked against Doxygen by
    gosrccheck.check_book_links."""
    out = []
    stack = []        # one entry per open brace: a name, or None
    pending = None    # a struct/class/namespace head whose { is on a later line
    in_comment = False
    for line in lines:
        out.append([s for s in stack if s])
        code, in_comment = _code_only(line, in_comment)
        m = SCOPE_RE.match(code)
        if m and not code.rstrip().endswith(";"):
            pending = m.group(2) or None
            head = True
        else:
            head = False
        for c in code:
            if c == "{":
                if pending is not None or head:
                    stack.append(pending)
                    pending, head = None, False
                else:
                    stack.append(None)
            elif c == "}":
                if stack:
                    stack.pop()
            elif c == ";" and not head:
                pending = None
    return out


def bookname(name):
    """A C++ name as the chapters' mentions are keyed (gen.mentions): the
    runtime's namespace and anonymous namespaces dropped, no ()."""
    name = re.sub(r"::anonymous_namespace\{[^}]*\}", "", (name or "").strip())
    if name.endswith("()"):
        name = name[:-2]
    if name.startswith("runtime::"):
        name = name[len("runtime::"):]
    return name


def scan(cppfile):
    """The \\gosrc markers of one repo-relative file, in order."""
    path = os.path.join(REPO, cppfile)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out = []
    scope = None
    for i, line in enumerate(lines):
        for m in GOSRC_RE.finditer(line):
            mk = Marker(cppfile, i + 1, m.group(1).strip(), m.group(2).strip())
            # the comment block ends at the first non-comment line
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("//"):
                j += 1
            mk.cppname = _entity_name(lines, j)
            if mk.cppname:
                scope = scope or scopes(lines)
                q = "::".join(scope[min(j, len(scope) - 1)] + [mk.cppname]) if not mk.cppname.startswith("runtime::") \
                    else mk.cppname
                mk.qualname = bookname(q)
            out.append(mk)
    return out


def runtime_sources():
    """The repo-relative C++ files of the runtime package (what Doxygen reads)."""
    out = []
    for d in ("", "sync", "sync/atomic", "internal/atomic", "debug", "metrics", "time", "errors", "io",
              "internal/poll", "os", "net"):
        full = os.path.join(REPO, d)
        if not os.path.isdir(full):
            continue
        for n in sorted(os.listdir(full)):
            if n.endswith((".cpp", ".hpp", ".h")):
                out.append(os.path.join(d, n) if d else n)
    return out


def assign_anchors(markers):
    """Set page and anchor on each marker. Markers of one Go symbol on one
    page (a declaration in chan.hpp and its definition in chan.cpp) share an
    entry and so an anchor; different symbols whose ids collide get -2, -3."""
    byid = {}
    bykey = {}
    for mk in markers:
        mk.page = page_of(mk.cppfile)
        if (mk.page, mk.key) in bykey:
            mk.anchor = bykey[(mk.page, mk.key)]
            continue
        a = anchor_id(mk.symbol)
        n = byid.get((mk.page, a), 0) + 1
        byid[(mk.page, a)] = n
        mk.anchor = a if n == 1 else "%s-%d" % (a, n)
        bykey[(mk.page, mk.key)] = mk.anchor
    return markers


def all_markers(files=None):
    """Every marker of the runtime sources, anchors assigned in a fixed order
    (headers before .cpp files of the same stem, then file order)."""
    files = files or runtime_sources()
    files = sorted(files, key=lambda f: (page_of(f), 0 if f.endswith((".hpp", ".h")) else 1, f))
    markers = []
    for f in files:
        markers.extend(scan(f))
    return assign_anchors(markers)


def filter_file(path, mentions):
    rel = os.path.relpath(os.path.abspath(path), REPO)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    markers = {}
    if not rel.startswith(".."):
        for mk in all_markers():
            if mk.cppfile == rel:
                markers[(mk.line, mk.key)] = mk
    lines = text.split("\n")
    for i, line in enumerate(lines):
        def sub(m):
            mk = markers.get((i + 1, "%s,%s" % (m.group(1).strip(), m.group(2).strip())))
            try:
                d, _ = golinks.resolve(m.group(1).strip(), m.group(2).strip())
            except golinks.GoLinkError:
                return m.group(0)
            gf = golinks.gofile(m.group(1).strip())
            out = "\\gosrc{%s,%s,%d}" % (gf.relpath, m.group(2).strip(), d.line)
            if mk is not None:
                out += " \\gobook{%s.html#%s,Side by side with Go}" % (mk.page, mk.anchor)
                for doc, sec, title in mentions.get(mk.qualname or "", [])[:4]:
                    out += " \\gochap{%s.html#%s,%s}" % (doc, sec, title.replace(",", "\\,"))
            return out
        lines[i] = GOSRC_RE.sub(sub, line)
    sys.stdout.write("\n".join(lines))


def main(argv):
    if len(argv) >= 2 and argv[0] == "--filter":
        mentions = {}
        args = argv[1:]
        if args[0] == "--mentions":
            mfile = args[1]
            args = args[2:]
            if os.path.exists(mfile):
                with open(mfile) as f:
                    mentions = json.load(f)
        filter_file(args[0], mentions)
        return 0
    if argv and argv[0] == "--list":
        for mk in all_markers():
            try:
                u = golinks.url(mk.gofile, mk.symbol)
            except golinks.GoLinkError as e:
                u = "ERROR " + str(e)
            print("%s:%d\t%s\t%s\t%s#%s\t%s" % (mk.cppfile, mk.line, mk.key, mk.qualname, mk.page, mk.anchor, u))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


_PLAIN_RE = re.compile(r"\\gosrc\{\s*([^,}]+?)\s*,\s*([^}]+?)\s*\}")


def plain_markers(text):
    """Code shown in the book (excerpts, side-by-side columns) with each
    \\gosrc{chan.go,chansend} marker, which Doxygen turns into a link, read as
    the words it stands for: "Go: chan.go chansend". The code's head links the
    same declaration; lines stay where they are."""
    return _PLAIN_RE.sub(r"Go: \1 \2", text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

