#!/usr/bin/python3
"""gosrccheck: every ported function names its Go counterpart, and its
documentation links back to the book.

Three checks, run by build.py (the book build fails on any):

  markers       every \\gosrc{file.go,symbol} in the runtime sources resolves
                to exactly one declaration in the pinned Go source;
  doc comments  every function defined in a ported .cpp file with a ///
                doc comment carries a \\gosrc marker (read with Doxygen's
                XML, which knows where each function is).
  book links    the code -> book links, read back from Doxygen's XML: every
                entity whose comment links to its Go counterpart also links
                to its side-by-side entry, and to each chapter section that
                cites it with :cpp: (the first four), and to no section
                that cites something else; runtime and package sync alike.
                A miss means the \\gosrc filter (gosrc.py) keyed the entity
                under another name than the chapters do.

book/gosrc_exceptions.tsv lists what is allowed to differ, one line each,
kind<TAB>file<TAB>name<TAB>reason:

  file        name '*': a .cpp file that ports no Go file (the compiler's part,
              a static check); its functions are not checked.
  port        a function that is the port's own, with no Go counterpart.
  todo        a function that has a Go counterpart but whose comment lacks
              \\gosrc, or (name 'file.go,symbol') a marker that does not
              resolve: reported on every build as work for the runtime's
              authors, not a failure.

A line that no longer matches anything is itself an error (stale), so the
list cannot rot.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golinks  # noqa: E402
import gosrc  # noqa: E402

REPO = golinks.REPO
EXCEPTIONS = os.path.join(REPO, "book", "gosrc_exceptions.tsv")
KINDS = ("file", "port", "todo")


class Exceptions:
    def __init__(self, path=EXCEPTIONS):
        self.path = path
        self.rows = []  # (lineno, kind, file, name, reason)
        self.problems = []
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                parts = line.split("\t")
                if len(parts) != 4 or parts[0] not in KINDS or not parts[3].strip():
                    self.problems.append("%s:%d: malformed (want kind<TAB>file<TAB>name<TAB>reason, kind one of %s)"
                                         % (os.path.relpath(path, REPO), n, ", ".join(KINDS)))
                    continue
                self.rows.append((n, parts[0], parts[1], parts[2], parts[3]))
        self.used = set()

    def match(self, kind, file, name):
        for row in self.rows:
            n, k, f, nm, _ = row
            if f == file and (nm == name or (k == "file" and nm == "*")) and (kind is None or k == kind or k == "file"):
                self.used.add(n)
                return row
        return None

    def files(self):
        out = set()
        for n, k, f, nm, _ in self.rows:
            if k == "file" and os.path.exists(os.path.join(REPO, f)):
                self.used.add(n)
                out.add(f)
        return out

    def stale(self):
        return ["%s:%d: stale exception (%s %s %s): it matches nothing; remove the line"
                % (os.path.relpath(self.path, REPO), n, k, f, nm)
                for n, k, f, nm, _ in self.rows if n not in self.used]


def check_markers(exc):
    """Errors and notices for the \\gosrc markers."""
    errors, notices = [], []
    for mk in gosrc.all_markers():
        try:
            golinks.resolve(mk.gofile, mk.symbol)
        except golinks.GoLinkError as e:
            row = exc.match("todo", mk.cppfile, mk.key)
            if row:
                notices.append("%s:%d: \\gosrc{%s} does not resolve (%s) [todo: %s]" % (mk.cppfile, mk.line, mk.key, e, row[4]))
            else:
                errors.append("%s:%d: \\gosrc{%s}: %s" % (mk.cppfile, mk.line, mk.key, e))
    return errors, notices


def ported_cpp_files(exc):
    skip = exc.files()
    return [f for f in gosrc.runtime_sources() if f.endswith(".cpp") and f not in skip]


def doc_comment(lines, line):
    """The /// block directly above 1-based line (skipping template<> and
    attribute-only lines), or None."""
    i = line - 1
    while i > 0 and re.match(r"^\s*(template\s*<.*>|extern \"C\" \{)\s*$", lines[i - 1]):
        i -= 1
    j = i
    while j > 0 and lines[j - 1].lstrip().startswith("///"):
        j -= 1
    if j == i:
        return None
    return "\n".join(lines[j:i])


def check_doc_comments(xml, exc):
    """Errors and notices: functions in ported .cpp files with a /// doc
    comment but no \\gosrc. xml is a cppindex.XmlIndex."""
    errors, notices = [], []
    files = ported_cpp_files(exc)
    for f in files:
        lines = xml.lines(f)
        for _, e in xml.in_file(f):
            if e.kind != "function":
                continue
            at = e.bodystart if e.bodyfile == f and e.bodystart else e.line
            short = e.name.split("::")[-1]
            # An exception stays in use while its function exists, whatever
            # its comment looks like today.
            row = exc.match(None, f, short)
            doc = doc_comment(lines, at)
            if doc is not None and "\\gosrc{" in doc and row is not None and row[1] != "file":
                # It names its Go counterpart now: the exception is obsolete.
                exc.used.discard(row[0])
            if doc is None or "\\gosrc{" in doc:
                continue
            if row and row[1] == "port":
                continue
            if row and row[1] == "todo":
                notices.append("%s:%d: %s has a doc comment without \\gosrc [todo: %s]" % (f, at, e.name, row[4]))
                continue
            errors.append("%s:%d: %s has a doc comment but no \\gosrc{file.go,symbol} "
                          "(add one, or list it in book/gosrc_exceptions.tsv with the reason)" % (f, at, e.name))
    return errors, notices


def _xml_entities(xmldir):
    """{gosrc.bookname(qualified name): [(where, Go link?, [urls of its
    Book: paragraph])]} for every documented entity in Doxygen's XML."""
    import xml.etree.ElementTree as ET
    out, seen = {}, set()

    def add(name, el):
        if el.get("id") in seen:
            return
        seen.add(el.get("id"))
        go, book = False, []
        for part in ("briefdescription", "detaileddescription"):
            d = el.find(part)
            if d is None:
                continue
            for ss in d.iter("simplesect"):
                title = (ss.findtext("title") or "").strip()
                urls = [u.get("url") for u in ss.iter("ulink")]
                if title == "Go:" and any(u.startswith(golinks.URL_PREFIX) for u in urls):
                    go = True
                elif title == "Book:":
                    book += urls
        loc = el.find("location")
        where = "%s:%s" % (loc.get("file"), loc.get("line")) if loc is not None else name
        where = os.path.relpath(where, REPO) if os.path.isabs(where) else where
        out.setdefault(gosrc.bookname(name), []).append((where, go, book))

    for fn in sorted(os.listdir(xmldir)):
        if not fn.endswith(".xml") or fn in ("index.xml", "Doxyfile.xml"):
            continue
        for cd in ET.parse(os.path.join(xmldir, fn)).getroot().findall("compounddef"):
            ckind, cname = cd.get("kind"), cd.findtext("compoundname")
            if ckind in ("struct", "class", "union"):
                add(cname, cd)
            if ckind not in ("namespace", "struct", "class", "union", "file"):
                continue
            for md in cd.iter("memberdef"):
                mname = md.findtext("name")
                add(md.findtext("qualifiedname") or ("%s::%s" % (cname, mname) if ckind != "file" else mname), md)
    return out


def check_book_links(xmldir, mentions):
    """Errors: entities whose code-browser documentation lacks a link back
    to the book. mentions is gen.mentions() ({name: [(doc, section, title)]},
    the same dict the \\gosrc filter was given)."""
    errors = []
    ents = _xml_entities(xmldir)
    for name, lst in sorted(ents.items()):
        for where, go, book in lst:
            if go and not any(u.startswith("../sidebyside/") for u in book):
                errors.append("%s: %s links to Go but not to its side-by-side entry" % (where, name))
            cited = {"../%s.html#%s" % (doc, sec) for doc, sec, _ in mentions.get(name, [])}
            for u in book:
                if u.startswith("../chapters/") and u not in cited:
                    errors.append("%s: %s links to %s, which does not cite it"
                                  % (where, name, u[3:]))
    for name, refs in sorted(mentions.items()):
        for where, go, book in ents.get(name, []):
            if not go:
                continue  # not a ported entity: the port's own, or a file
            for doc, sec, _ in refs[:4]:
                if "../%s.html#%s" % (doc, sec) not in book:
                    errors.append("%s: %s is cited in %s#%s, but its code-browser page does not link there "
                                  "(the \\gosrc filter's name for it differs; see gosrc.scopes)" % (where, name, doc, sec))
    return errors


def main():
    exc = Exceptions()
    errors, notices = check_markers(exc)
    for n in notices:
        print("notice: " + n)
    for e in exc.problems + errors:
        print("error: " + e, file=sys.stderr)
    return 1 if errors or exc.problems else 0


if __name__ == "__main__":
    sys.exit(main())
