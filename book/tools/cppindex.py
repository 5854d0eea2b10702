#!/usr/bin/python3
"""cppindex: what Doxygen knows about the C++ sources, for the book.

Two views, both written by the same Doxygen run:

  TagIndex   Doxygen's tag file: a qualified C++ name -> the page and anchor of
             its documentation under site/code/ (the book's :cpp: role).
  XmlIndex   Doxygen's XML: a qualified name -> where its declaration and
             body are in the source (file, lines), so excerpts are cut from
             the real file by name, never pasted.
"""

import os
import re
import xml.etree.ElementTree as ET


class CppError(Exception):
    pass


def _strip_anon(name):
    # runtime::anonymous_namespace{stack.cpp}::stackpoolalloc -> runtime::stackpoolalloc
    return re.sub(r"::anonymous_namespace\{[^}]*\}", "", name)


class TagIndex:
    def __init__(self, tagfile, repo=None):
        self.names = {}   # qualified name -> list of (anchorfile, anchor, kind)
        self.files = {}   # repo-relative source path -> its page, e.g. sync_2runtime_8hpp.html
        root = ET.parse(tagfile).getroot()
        for comp in root.findall("compound"):
            kind = comp.get("kind")
            cname = comp.findtext("name")
            cfile = comp.findtext("filename")
            if cfile and not cfile.endswith(".html"):
                cfile += ".html"
            if kind == "file" and repo and cfile:
                d = comp.findtext("path") or ""
                rel = os.path.relpath(os.path.join(d, cname), repo)
                if not rel.startswith(".."):
                    self.files[rel] = cfile
            if kind in ("struct", "class", "namespace", "file", "union"):
                self._add(cname, cfile, "", kind)
            for mem in comp.findall("member"):
                mname = mem.findtext("name")
                af = mem.findtext("anchorfile")
                an = mem.findtext("anchor")
                mk = mem.get("kind")
                if kind == "file":
                    # A file's page lists its globals and macros: reachable as
                    # pragmas.hpp::NOSPLIT, and by the bare name when nothing
                    # qualified has it (functions of the global namespace).
                    self._add("%s::%s" % (cname, mname), af, an, mk)
                    self._add(mname, af, an, mk)
                    continue
                self._add("%s::%s" % (cname, mname), af, an, mk)

    def _add(self, name, af, an, kind):
        for n in {name, _strip_anon(name)}:
            lst = self.names.setdefault(n, [])
            if (af, an, kind) not in lst:
                lst.append((af, an, kind))

    def lookup(self, name):
        """(page, anchor) for a qualified name such as runtime::chansend,
        runtime::hchan, runtime::waitq::dequeue or proc.cpp; raises CppError.
        Overloads share a name: the first (in Doxygen's order) is taken."""
        name = name.strip()
        if name.endswith("()"):
            name = name[:-2]
        hits = self.names.get(name)
        if not hits:
            raise CppError("unknown C++ symbol %r (not in Doxygen's tag file)" % name)
        # Prefer a namespace/class page over a file page for the same entity.
        hits = sorted(hits, key=lambda h: 1 if h[0].endswith("_8cpp.html") or h[0].endswith("_8hpp.html") else 0)
        return hits[0][0], hits[0][1]

    def href(self, name):
        page, anchor = self.lookup(name)
        return page + ("#" + anchor if anchor else "")

    def source_page(self, relpath):
        """The page of a file's source listing (proc.cpp ->
        proc_8cpp_source.html). Doxygen puts a file's folder into the page
        name only when another input file has the same base name
        (sync/runtime.hpp -> sync_2runtime_8hpp, but sync/mutex.cpp ->
        mutex_8cpp), so the name is read from the tag file, not guessed."""
        page = self.files.get(relpath)
        if page is None:
            raise CppError("no file %r in Doxygen's tag file" % relpath)
        return page[:-len(".html")] + "_source.html"


class Entity:
    """A documented C++ entity: a function, variable, typedef or struct."""

    def __init__(self, name, kind, file, line, bodyfile, bodystart, bodyend, refid):
        self.name, self.kind = name, kind
        self.file, self.line = file, line
        self.bodyfile, self.bodystart, self.bodyend = bodyfile, bodystart, bodyend
        self.refid = refid

    def __repr__(self):
        return "Entity(%s %s %s:%s body %s:%s-%s)" % (self.kind, self.name, self.file, self.line,
                                                      self.bodyfile, self.bodystart, self.bodyend)


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


class XmlIndex:
    def __init__(self, xmldir, repo):
        self.repo = repo
        self.entities = []
        self.byname = {}
        seen = set()
        for fn in sorted(os.listdir(xmldir)):
            if not fn.endswith(".xml") or fn in ("index.xml", "Doxyfile.xml"):
                continue
            root = ET.parse(os.path.join(xmldir, fn)).getroot()
            for cd in root.findall("compounddef"):
                ckind = cd.get("kind")
                cname = cd.findtext("compoundname")
                if ckind in ("struct", "class", "union"):
                    self._entity(cname, ckind, cd.find("location"), cd.get("id"), seen)
                if ckind not in ("namespace", "struct", "class", "union", "file"):
                    continue
                for md in cd.iter("memberdef"):
                    mname = md.findtext("name")
                    q = md.findtext("qualifiedname") or ("%s::%s" % (cname, mname) if ckind != "file" else mname)
                    e = self._entity(q, md.get("kind"), md.find("location"), md.get("id"), seen)
                    if ckind == "file" and e is not None and "::" not in q:
                        self.byname.setdefault("%s::%s" % (cname, mname), []).append(e)

    def _entity(self, name, kind, loc, refid, seen):
        if loc is None or refid in seen:
            return
        seen.add(refid)
        e = Entity(name, kind, loc.get("file"), _int(loc.get("line")), loc.get("bodyfile"),
                   _int(loc.get("bodystart")), _int(loc.get("bodyend")), refid)
        self.entities.append(e)
        for n in {name, _strip_anon(name)}:
            self.byname.setdefault(n, []).append(e)
        return e

    def lookup(self, name, file=None):
        """The entity named name (qualified, e.g. runtime::schedule), with
        a body in file when given; raises CppError."""
        hits = self.byname.get(name, [])
        if file:
            hits = [e for e in hits if file in (e.bodyfile, e.file)]
        with_body = [e for e in hits if e.bodystart and e.bodyend and e.bodyend >= e.bodystart]
        hits = with_body or hits
        if not hits:
            raise CppError("no C++ entity %r%s in Doxygen's XML" % (name, " in " + file if file else ""))
        return hits[0]

    def in_file(self, file):
        """Entities declared or defined in file, by line."""
        out = []
        for e in self.entities:
            if e.bodyfile == file and e.bodystart:
                out.append((e.bodystart, e))
            elif e.file == file and e.line:
                out.append((e.line, e))
        return sorted(out, key=lambda t: t[0])

    def lines(self, file):
        with open(os.path.join(self.repo, file), encoding="utf-8") as f:
            return f.read().split("\n")

    def comment_start(self, lines, line):
        """First line (1-based) of the // comment block directly above line."""
        i = line - 1
        while i > 0 and lines[i - 1].lstrip().startswith("//"):
            i -= 1
        return i + 1

    def excerpt(self, e, with_comment=True):
        """(file, first line, text) of entity e: its doc comment, declaration
        and body, cut from the source by Doxygen's line numbers."""
        if e.bodyfile and e.bodystart and e.bodyend and e.bodyend >= e.bodystart:
            file, start, end = e.bodyfile, e.bodystart, e.bodyend
            # The declaration may sit a few lines above the body (a forward
            # declaration carrying the doc comment, as in proc.cpp's mstart0).
            if e.file == e.bodyfile and e.line and e.line < start and start - e.line <= 8:
                start = e.line
        else:
            file, start, end = e.file, e.line, e.line
        lines = self.lines(file)
        if lines[start - 1].lstrip().startswith("#define"):
            # A macro ends at its last continued line.
            while end < len(lines) and lines[end - 1].rstrip().endswith("\\"):
                end += 1
        # A declaration may span lines up to its ';' when it has no body.
        elif end == start and not lines[start - 1].rstrip().endswith((";", "}")):
            while end < len(lines) and not lines[end - 1].rstrip().endswith((";", "{", "}")):
                end += 1
        # A declaration of the same function right above the definition (an
        # asm label, extern "C") belongs to the excerpt, with its comment,
        # also when it takes two or three lines (a LINKNAME on its own line).
        short = re.escape(e.name.split("::")[-1])
        while start > 1 and lines[start - 2].rstrip().endswith(";"):
            j = start - 2
            while j > start - 5 and j > 0 and not re.search(r"\b%s\s*\(" % short, lines[j]) \
                    and not lines[j - 1].rstrip().endswith((";", "{", "}")) \
                    and not lines[j - 1].lstrip().startswith("//") and lines[j - 1].strip():
                j -= 1
            if not re.search(r"\b%s\s*\(" % short, lines[j]) or lines[j].lstrip().startswith("//"):
                break
            start = j + 1
        # Templates: include the template<...> line above.
        while start > 1 and lines[start - 2].lstrip().startswith("template"):
            start -= 1
        if with_comment:
            start = self.comment_start(lines, start)
        return file, start, "\n".join(lines[start - 1:end])
