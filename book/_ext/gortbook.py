"""gortbook: the Sphinx side of gort's book.

Roles
  :cpp:`runtime::chansend`          link to the Doxygen page of a C++ entity
  :cpp:`text <runtime::chansend>`   (read from Doxygen's tag file; an unknown
                                    name is an error)
  :go:`chan.go:chansend`            link to the Go declaration at the pinned
  :go:`text <chan.go:chansend>`     tag, line found in the local source
  :gofile:`chan.go`                 link to a whole Go file at the pinned tag
  :sbs:`chan.go:chansend`           link to a side-by-side entry

Directives
  .. excerpt:: proc.cpp runtime::schedule
     :nocomment:                   cut a C++ entity (doc comment, declaration,
     :lines: 1-12                  body) from the real source by name, with
                                    links to its Doxygen page and source line;
                                    :lines: narrows to a range *within* it, and
     :from: checkTimers(           so do :from:/:to: (from the first line
     :to: goto top                 containing a text to the next containing
                                    another)
  .. asm:: runtime.gogo             cut one routine from asm_amd64.S, from
     :from: pushq                   its comment to its .size line (:lines:
     :to: callq                     N-M, or :from:/:to: a line containing a
                                    text, narrow it to a range within it)
  .. goexcerpt:: chan.go chansend   cut a Go declaration from the pinned source

Every lookup failure is reported as a Sphinx warning, which -W turns into a
failed build.

The Reference part (reference/*.rst) is Breathe's rendering of Doxygen's
XML into Sphinx's C++ domain; this extension links the names it does not
declare to the code browser, points :cpp: at its entries, and adds to each
entry the line that defines it.
"""

import os
import re
import sys

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util import logging

HERE = os.path.dirname(os.path.abspath(__file__))
logger = logging.getLogger(__name__)

_state = {}


def _tools(app):
    tools = app.config.gort_tools
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import cppindex  # noqa: F401
    import golinks  # noqa: F401
    import gosrc  # noqa: F401
    return sys.modules["cppindex"], sys.modules["golinks"], sys.modules["gosrc"]


def builder_inited(app):
    cppindex, golinks, gosrc = _tools(app)
    _state["tag"] = cppindex.TagIndex(app.config.gort_tagfile, app.config.gort_repo)
    _state["xml"] = cppindex.XmlIndex(app.config.gort_xmldir, app.config.gort_repo)
    _state["golinks"] = golinks
    _state["gosrc"] = gosrc
    _state["markers"] = gosrc.all_markers()


def _root(env):
    """Relative path from the current document to the site root."""
    return "../" * env.docname.count("/")


_TARGET_RE = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)


def _split(text):
    m = _TARGET_RE.match(text)
    if m:
        return m.group(1), m.group(2).strip()
    return None, text.strip()


def _ref(uri, text, title=None, literal=True, classes=()):
    ref = nodes.reference("", "", refuri=uri, classes=list(classes))
    if title:
        ref["reftitle"] = title
    ref += nodes.literal(text, text) if literal else nodes.Text(text)
    return ref


def _problem(inliner, lineno, rawtext, msg):
    msg_node = inliner.reporter.error(msg, line=lineno)
    prb = inliner.problematic(rawtext, rawtext, msg_node)
    return [prb], [msg_node]


def cpp_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    env = inliner.document.settings.env
    label, target = _split(text)
    try:
        href = _state["tag"].href(target)
    except Exception as e:  # CppError
        return _problem(inliner, lineno, rawtext, str(e))
    shown = label or (target[len("runtime::"):] if target.startswith("runtime::") else target)
    return [_ref(_root(env) + "code/" + href, shown, title="C++: " + target, classes=["cpp-link"])], []


def go_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    label, target = _split(text)
    if ":" not in target:
        return _problem(inliner, lineno, rawtext, "go role wants file.go:symbol, got %r" % target)
    gofile, symbol = target.split(":", 1)
    golinks = _state["golinks"]
    try:
        uri = golinks.url(gofile, symbol)
    except golinks.GoLinkError as e:
        return _problem(inliner, lineno, rawtext, str(e))
    return [_ref(uri, label or symbol, title=golinks.title(gofile, symbol), classes=["go-link"])], []


def gofile_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    label, target = _split(text)
    golinks = _state["golinks"]
    try:
        gf = golinks.gofile(target)
    except golinks.GoLinkError as e:
        return _problem(inliner, lineno, rawtext, str(e))
    return [_ref(golinks.URL_PREFIX + gf.relpath, label or target, title="%s %s" % (golinks.TAG, gf.relpath),
                 classes=["go-link"])], []


def sbs_role(name, rawtext, text, lineno, inliner, options={}, content=[]):
    env = inliner.document.settings.env
    label, target = _split(text)
    key = target.replace(":", ",", 1)
    for mk in _state["markers"]:
        if mk.key == key:
            return [_ref(_root(env) + mk.page + ".html#" + mk.anchor, label or "side by side", literal=False,
                         classes=["sbs-link"])], []
    return _problem(inliner, lineno, rawtext, "no \\gosrc{%s} in the runtime sources, so no side-by-side entry" % key)


def _lexes(language, text):
    try:
        from pygments.lexers import get_lexer_by_name
        from pygments.token import Error
        return not any(tok is Error for tok, _ in get_lexer_by_name(language).get_tokens(text))
    except Exception:
        return False


def _code_block(text, language, start):
    text = text.expandtabs(4)
    if language not in ("none", "text") and not _lexes(language, text):
        language = "none"
    lb = nodes.literal_block(text, text)
    lb["language"] = language
    lb["linenos"] = True
    lb["highlight_args"] = {"linenostart": start}
    return lb


def _doxy_source_href(root, file, line):
    # Doxygen's source page: proc.cpp -> proc_8cpp_source.html#l01002; the
    # tag file knows the name (sync/runtime.hpp -> sync_2runtime_8hpp_source,
    # where the base name is not unique; sync/mutex.cpp -> mutex_8cpp_source).
    page = _state["tag"].source_page(file)
    return "%scode/%s#l%05d" % (root, page, line)


def _parse_lines(spec, total):
    a, _, b = spec.partition("-")
    a = int(a) if a else 1
    b = int(b) if b else total
    if not (1 <= a <= b <= total):
        raise ValueError("lines %s outside 1-%d" % (spec, total))
    return a, b


def _cut_from_to(options, lines):
    """The (first, last) 0-based indexes of the lines from the first that
    contains options' :from: through the first after it that contains :to:
    (text, not line numbers, so that the cut follows the code when lines
    move); None when a text is not found."""
    a = 0
    if "from" in options:
        a = next((i for i, l in enumerate(lines) if options["from"] in l), None)
    b = len(lines) - 1
    if a is not None and "to" in options:
        b = next((i for i in range(a, len(lines)) if options["to"] in lines[i]), None)
    if a is None or b is None:
        return None
    return a, b


class ExcerptDirective(Directive):
    required_arguments = 2
    option_spec = {"nocomment": directives.flag, "lines": directives.unchanged, "caption": directives.unchanged,
                   "from": directives.unchanged, "to": directives.unchanged}

    def run(self):
        env = self.state.document.settings.env
        file, name = self.arguments
        xml = _state["xml"]
        try:
            e = xml.lookup(name, file)
            src, start, text = xml.excerpt(e, with_comment="nocomment" not in self.options)
        except Exception as ex:
            return [self.state.document.reporter.warning("excerpt: %s" % ex, line=self.lineno)]
        env.note_dependency(os.path.join(env.config.gort_repo, src))
        lines = text.split("\n")
        if "lines" in self.options:
            try:
                a, b = _parse_lines(self.options["lines"], len(lines))
            except ValueError as ex:
                return [self.state.document.reporter.warning("excerpt %s: %s" % (name, ex), line=self.lineno)]
            lines = lines[a - 1:b]
            start += a - 1
            text = "\n".join(lines)
        if "from" in self.options or "to" in self.options:
            cut = _cut_from_to(self.options, lines)
            if cut is None:
                return [self.state.document.reporter.warning(
                    "excerpt %s: no line with %r (then %r)" % (name, self.options.get("from"), self.options.get("to")),
                    line=self.lineno)]
            lines = lines[cut[0]:cut[1] + 1]
            start += cut[0]
            text = "\n".join(lines)
        root = _root(env)
        head = nodes.paragraph(classes=["excerpt-head"])
        head += nodes.Text(self.options.get("caption", "") + (" — " if "caption" in self.options else ""))
        try:
            srchref = _doxy_source_href(root, src, start)
        except Exception as ex:
            return [self.state.document.reporter.warning("excerpt: %s" % ex, line=self.lineno)]
        head += _ref(srchref, "%s:%d" % (src, start), title="source line", literal=False)
        head += nodes.Text(" · ")
        try:
            head += _ref(root + "code/" + _state["tag"].href(name), name, title="C++: " + name)
        except Exception as ex:
            return [self.state.document.reporter.warning("excerpt: %s" % ex, line=self.lineno)]
        short = name.split("::")[-1]
        for mk in _state["markers"]:
            if mk.cppfile == src and mk.cppname in (short, re.sub(r"^(runtime|gort::\w+)::", "", name)):
                head += nodes.Text(" · ")
                head += _ref(root + mk.page + ".html#" + mk.anchor, "side by side with Go", literal=False)
                try:
                    uri = _state["golinks"].url(mk.gofile, mk.symbol)
                    head += nodes.Text(" · Go: ")
                    head += _ref(uri, "%s %s" % (mk.gofile, mk.symbol),
                                 title=_state["golinks"].title(mk.gofile, mk.symbol))
                except Exception:
                    pass
                break
        wrap = nodes.container(classes=["excerpt"])
        wrap += head
        wrap += _code_block(_state["gosrc"].plain_markers(text), "cpp", start)
        return [wrap]


ASM_FILE = "asm_amd64.S"


def asm_labels(lines):
    """The routines of asm_amd64.S (its lines), in order: each .globl
    outside a macro's body whose next line types it @function (not the
    data words the file exports), and each routine a macro defines where
    the file invokes it, MACRO("label", ...)."""
    macros = {m.group(1) for m in (re.match(r"#define\s+(\w+)\(", l) for l in lines) if m}
    out = []
    for i, l in enumerate(lines):
        if i > 0 and lines[i - 1].rstrip().endswith("\\"):
            continue  # the body of a #define
        m = re.match(r'\s*\.globl\s+"?([\w.]+)"?', l) or re.match(r'(\w+)\("([\w.]+)"', l)
        if m and m.lastindex == 1 and "@function" not in (lines[i + 1] if i + 1 < len(lines) else ""):
            continue  # a data word (.quad), not a routine
        if m and (m.lastindex == 1 or m.group(1) in macros):
            out.append(m.group(m.lastindex))
    return out


def asm_routine(repo, label, asm_file=ASM_FILE):
    """(start, text) of one routine of asm_file (asm_amd64.S unless told):
    the /* */ comment above its .globl line through its .size line; for a
    routine a macro defines, the comment above the macro's invocation and
    the invocation."""
    with open(os.path.join(repo, asm_file), encoding="utf-8") as f:
        lines = f.read().split("\n")
    q = label if label.startswith("__") else '"%s"' % label
    try:
        g = next(i for i, l in enumerate(lines) if l.strip() == ".globl %s" % q)
        end = next(i for i in range(g, len(lines)) if lines[i].strip().startswith(".size %s" % q))
    except StopIteration:
        g = next((i for i, l in enumerate(lines) if re.match(r"\w+\(%s[,)]" % re.escape(q), l)), None)
        if g is None:
            raise KeyError("no routine %s in %s" % (label, asm_file))
        end = g
    start = g
    if start > 0 and lines[start - 1].rstrip().endswith("*/"):
        start -= 1
        while start > 0 and not lines[start].lstrip().startswith("/*"):
            start -= 1
    return start + 1, "\n".join(lines[start:end + 1])


class AsmDirective(Directive):
    required_arguments = 1
    option_spec = {"caption": directives.unchanged, "lines": directives.unchanged, "from": directives.unchanged,
                   "to": directives.unchanged, "file": directives.unchanged}

    def run(self):
        env = self.state.document.settings.env
        label = self.arguments[0]
        asm_file = self.options.get("file", ASM_FILE)
        try:
            start, text = asm_routine(env.config.gort_repo, label, asm_file)
        except KeyError as ex:
            return [self.state.document.reporter.warning("asm: %s" % ex, line=self.lineno)]
        env.note_dependency(os.path.join(env.config.gort_repo, asm_file))
        if "lines" in self.options:
            lines = text.split("\n")
            try:
                a, b = _parse_lines(self.options["lines"], len(lines))
            except ValueError as ex:
                return [self.state.document.reporter.warning("asm %s: %s" % (label, ex), line=self.lineno)]
            text = "\n".join(lines[a - 1:b])
            start += a - 1
        if "from" in self.options or "to" in self.options:
            lines = text.split("\n")
            cut = _cut_from_to(self.options, lines)
            if cut is None:
                return [self.state.document.reporter.warning(
                    "asm %s: no line with %r (then %r)" % (label, self.options.get("from"), self.options.get("to")),
                    line=self.lineno)]
            text = "\n".join(lines[cut[0]:cut[1] + 1])
            start += cut[0]
        head = nodes.paragraph(classes=["excerpt-head"])
        head += nodes.Text("%s, lines %d-%d" % (asm_file, start, start + text.count("\n")))
        goname = label.split(".", 1)[-1] if label.startswith("runtime.") else label.strip("_")
        if label == "__morestack":
            goname = "morestack"
        gofile = asm_file[:-len(".S")] + ".s"  # asm_amd64.S: Go's asm_amd64.s
        try:
            uri = _state["golinks"].url(gofile, goname)
            head += nodes.Text(" · Go: ")
            head += _ref(uri, gofile + " " + goname, title=_state["golinks"].title(gofile, goname))
        except Exception:
            pass
        wrap = nodes.container(classes=["excerpt"])
        wrap += head
        wrap += _code_block(text, "none", start)
        return [wrap]


class GoExcerptDirective(Directive):
    required_arguments = 2
    option_spec = {"nocomment": directives.flag}

    def run(self):
        gofile, symbol = self.arguments
        golinks = _state["golinks"]
        try:
            d, uri = golinks.resolve(gofile, symbol)
            gf = golinks.gofile(gofile)
        except golinks.GoLinkError as ex:
            return [self.state.document.reporter.warning("goexcerpt: %s" % ex, line=self.lineno)]
        start = d.line if "nocomment" in self.options else d.start
        text = "\n".join(gf.lines[start - 1:d.end])
        head = nodes.paragraph(classes=["excerpt-head"])
        head += nodes.Text("Go %s: " % golinks.TAG)
        head += _ref(uri, "%s %s" % (gf.relpath, symbol), title=golinks.title(gofile, symbol))
        wrap = nodes.container(classes=["excerpt", "excerpt-go"])
        wrap += head
        wrap += _code_block(text, "none" if gofile.endswith(".s") else "go", start)
        return [wrap]


# ---------------------------------------------------------------------------
# The Reference part (Breathe) and the C++ domain.

# Where a name used in a declaration may live, tried in this order when the
# Reference does not declare it: Breathe writes names as the source spells
# them (uintptr, atomic::Uint32), relative to the declaring scope.
_SCOPES = ("", "runtime::", "runtime::atomic::", "runtime::sys::", "gort::", "gort::sync::")


def _code_page(name):
    """The code browser's page of a C++ name as Breathe spells it inside a
    declaration, or None."""
    bare = re.sub(r"<.*>$", "", name.strip()).lstrip(":")
    for scope in _SCOPES:
        try:
            return _state["tag"].href(scope + bare)
        except Exception:  # CppError: try the next scope
            continue
    return None


def missing_reference(app, env, node, contnode):
    """Links what the Reference does not declare to the code browser: a C++
    name in a declaration (runtime::uintptr, runtime::atomic::Uint32), and a
    Doxygen compound that a doc comment names (chan.cpp, a struct), which
    Breathe turns into a label of its id. Anything else stays unresolved and
    -n reports it, unless book/nitpick-ignore.tsv gives a reason."""
    domain, target = node.get("refdomain"), node.get("reftarget", "")
    root = "../" * node.get("refdoc", env.docname).count("/")
    href = None
    if domain == "cpp":
        href = _code_page(target)
    elif domain == "std" and node.get("reftype") == "ref" and re.match(r"^[A-Za-z0-9_]+$", target):
        # A compound's id is its page (chan_8cpp); a member's is its
        # compound's id, "_1", and the anchor (namespaceruntime_1a87cb...).
        m = re.match(r"^(.*)_1([a-z][0-9a-f]{32,})$", target)
        page, anchor = (m.group(1), "#" + m.group(2)) if m else (target, "")
        if os.path.exists(os.path.join(app.config.gort_xmldir, page + ".xml")):
            href = page + ".html" + anchor
    if href is None:
        return None
    ref = nodes.reference("", "", refuri=root + "code/" + href, reftitle="C++: " + target,
                          internal=False, classes=["cpp-link"])
    ref += contnode
    return ref


def _declared(env):
    """{qualified C++ name: (docname, anchor)} of what the Reference
    declares (Sphinx's C++ domain), first declaration of each name."""
    out = {}
    for sym in env.get_domain("cpp").data["root_symbol"].get_all_symbols():
        decl = sym.declaration
        if decl is None or not sym.docname:
            continue
        if sym.parent is not None and sym.parent.declaration is decl:
            continue  # a function's or template's parameter: its entry is the parent's
        try:
            name = str(sym.get_full_nested_name())
        except Exception:  # an anonymous entity
            continue
        out.setdefault(re.sub(r"<[^<>]*>", "", name), (sym.docname, decl.get_newest_id()))
    return out


def doctree_resolved(app, doctree, docname):
    """:cpp: links go to the Reference's entry when it has one (else they
    keep the code browser's page); in the Reference, the links Doxygen puts
    side by side in a "Book:" paragraph get separators, and each entry says
    where it is defined."""
    env = app.env
    decls = _declared(env)
    for ref in doctree.findall(nodes.reference):
        title = ref.get("reftitle", "")
        if "cpp-link" not in ref.get("classes", []) or not title.startswith("C++: "):
            continue
        hit = decls.get(title[len("C++: "):].strip())
        if hit:
            ref["refuri"] = app.builder.get_relative_uri(docname, hit[0]) + "#" + hit[1]
    if not docname.startswith("reference/"):
        return
    # A Go link from a doc comment (the \gosrc alias) reads "runtime/chan.go:
    # hchan"; Breathe drops the title the code browser's link carries, which
    # the link checker reads back, so it is put back from the text.
    golinks = _state["golinks"]
    for ref in doctree.findall(nodes.reference):
        if golinks.URL_RE.match(ref.get("refuri", "")) and not ref.get("reftitle"):
            ref["reftitle"] = "%s %s" % (golinks.TAG, ref.astext().strip())
    for para in doctree.findall(nodes.paragraph):
        kids = list(para.children)
        for a, b in zip(kids, kids[1:]):
            if isinstance(a, nodes.reference) and isinstance(b, nodes.reference):
                para.insert(para.index(b), nodes.Text(" · "))
    from sphinx import addnodes
    names = {v[1]: k for k, v in decls.items() if v[0] == docname}
    root = "../" * docname.count("/")
    for sig in doctree.findall(addnodes.desc_signature):
        name = next((names[i] for i in sig.get("ids", []) if i in names), None)
        if name is None:
            continue
        try:
            e = _state["xml"].lookup(name)
            where = (e.bodyfile, e.bodystart) if e.bodyfile and e.bodystart else (e.file, e.line)
            href = _doxy_source_href(root, where[0], where[1])
        except Exception:  # CppError: a name Doxygen's XML spells otherwise
            continue
        line = nodes.paragraph(classes=["ref-defined"])
        line += nodes.Text("Defined in ")
        line += _ref(href, "%s:%d" % where, title="the source, in the code browser")
        content = sig.parent.next_node(addnodes.desc_content)
        if content is not None:
            content.insert(0, line)


def setup(app):
    app.add_config_value("gort_repo", "", "env")
    app.add_config_value("gort_tools", "", "env")
    app.add_config_value("gort_tagfile", "", "env")
    app.add_config_value("gort_xmldir", "", "env")
    app.add_config_value("gort_code_digest", "", "env")
    app.connect("builder-inited", builder_inited)
    app.connect("missing-reference", missing_reference)
    app.connect("doctree-resolved", doctree_resolved)
    app.add_role("cpp", cpp_role)
    app.add_role("go", go_role)
    app.add_role("gofile", gofile_role)
    app.add_role("sbs", sbs_role)
    app.add_directive("excerpt", ExcerptDirective)
    app.add_directive("asm", AsmDirective)
    app.add_directive("goexcerpt", GoExcerptDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
