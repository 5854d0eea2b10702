#!/usr/bin/python3
"""checklinks: every link of the built site resolves (ctest book_links).

  /usr/bin/python3 book/tools/checklinks.py SITE      check SITE (build/site)
  /usr/bin/python3 book/tools/checklinks.py --selftest
  /usr/bin/python3 book/tools/checklinks.py --ctest SITE   both (ctest)

For every href and src in every HTML page under SITE (the book and the
Doxygen code browser alike):

  - a relative link names a file that exists, and its #fragment is an id or
    name in that file;
  - a link into the Go repository is pinned at the port's Go tag and, for a
    line link (#L123), carries a title naming the symbol; the line must be the
    one that declares that symbol in the local Go source (golinks.py), and a
    file link must name a file that exists locally;
  - any other external link must start with one of ALLOWED (the design
    documents the book cites, and the theme's and Doxygen's credits); they are
    not fetched (the machines have no network).

Exit status 1 when anything fails, with one line per problem.
"""

import html.parser
import os
import re
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golinks  # noqa: E402

ALLOWED = (
    "https://github.com/golang/proposal/",
    "https://go.dev/",
    "https://golang.org/",
    "https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw",  # scalable scheduler design
    "https://www.sphinx-doc.org/",
    "https://sphinx-doc.org/",
    "https://github.com/pradyunsg/furo",
    "https://pradyunsg.me",
    "https://www.doxygen.org/",
    "https://www.doxygen.nl/",
    "https://gcc.gnu.org/",
    "https://sourceware.org/",
    "https://clangd.llvm.org/",
    "https://mermaid.js.org/",
)
GO_REPO = "https://github.com/golang/go/"


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # (attr, url, title, line)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("id", "name"):
            if a.get(k) and (k == "id" or tag in ("a", "map")):
                self.ids.add(a[k])
        for k in ("href", "src"):
            if a.get(k) is not None and tag not in ("base",):
                if k == "href" and tag not in ("a", "link", "area"):
                    continue
                self.links.append((k, a[k], a.get("title"), self.getpos()[0]))


class Site:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.pages = {}

    def page(self, path):
        if path not in self.pages:
            p = Page()
            with open(path, encoding="utf-8", errors="replace") as f:
                p.feed(f.read())
            self.pages[path] = p
        return self.pages[path]


def check_go(url, title):
    parsed = urllib.parse.urlsplit(url)
    if parsed.fragment:
        return golinks.check_link(url, title)
    m = re.match(r"^https://github\.com/golang/go/blob/([^/]+)/src/(.+)$", url)
    if not m:
        return "Go link is not a pinned blob link: %s" % url
    if m.group(1) != golinks.TAG:
        return "Go link at %s, not the pinned %s: %s" % (m.group(1), golinks.TAG, url)
    if not os.path.exists(os.path.join(golinks.GOROOT, "src", m.group(2))):
        return "Go link to a file that the local %s tree does not have: %s" % (golinks.TAG, url)
    return None


def check(root):
    site = Site(root)
    problems = []
    nlinks = ngo = next_ = 0
    files = []
    for d, _, fs in os.walk(site.root):
        for fn in fs:
            if fn.endswith(".html"):
                files.append(os.path.join(d, fn))
    files.sort()
    if not files:
        return ["no HTML pages under %s" % root], 0, 0, 0, 0
    for path in files:
        rel = os.path.relpath(path, site.root)
        for attr, url, title, line in site.page(path).links:
            url = url.strip()
            if not url or url.startswith(("javascript:", "mailto:", "data:")):
                continue
            nlinks += 1
            where = "%s:%d" % (rel, line)
            if url.startswith(GO_REPO):
                ngo += 1
                err = check_go(url, title)
                if err:
                    problems.append("%s: %s" % (where, err))
                continue
            if re.match(r"^[a-z]+://", url) or url.startswith("//"):
                next_ += 1
                if not url.startswith(ALLOWED):
                    problems.append("%s: external link outside the allowed list: %s" % (where, url))
                continue
            parts = urllib.parse.urlsplit(url)
            target = path
            if parts.path:
                target = os.path.normpath(os.path.join(os.path.dirname(path), urllib.parse.unquote(parts.path)))
                if not target.startswith(site.root + os.sep) and target != site.root:
                    problems.append("%s: link leaves the site: %s" % (where, url))
                    continue
                if os.path.isdir(target):
                    target = os.path.join(target, "index.html")
                if not os.path.exists(target):
                    problems.append("%s: broken link: %s" % (where, url))
                    continue
            frag = urllib.parse.unquote(parts.fragment)
            if frag and target.endswith(".html"):
                if frag not in site.page(target).ids:
                    problems.append("%s: no anchor #%s in %s" % (where, frag, os.path.relpath(target, site.root)))
    return problems, len(files), nlinks, ngo, next_


def selftest():
    """The checker must catch each kind of bad link."""
    decl, good = golinks.resolve("chan.go", "chansend")
    bad_line = good.replace("#L%d" % decl.line, "#L%d" % (decl.line + 1))
    t = golinks.title("chan.go", "chansend")
    cases = {
        "ok": '<a id="x" href="#x">x</a><a href="%s" title="%s">g</a>' % (good, t),
        "missing file": '<a href="nope.html">x</a>',
        "missing anchor": '<a href="ok.html#nowhere">x</a>',
        "Go line off by one": '<a href="%s" title="%s">g</a>' % (bad_line, t),
        "Go link without title": '<a href="%s">g</a>' % good,
        "Go link not pinned": '<a href="%s" title="%s">g</a>' % (good.replace(golinks.TAG, "master"), t),
        "external": '<a href="https://example.com/">x</a>',
    }
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for name, body in cases.items():
            sub = os.path.join(d, re.sub(r"\W+", "_", name))
            os.makedirs(sub)
            with open(os.path.join(sub, "ok.html"), "w") as f:
                f.write("<html><body>%s</body></html>" % cases["ok"])
            with open(os.path.join(sub, "page.html"), "w") as f:
                f.write("<html><body>%s</body></html>" % body)
            problems = check(sub)[0]
            expect_ok = name == "ok"
            if bool(problems) == expect_ok:
                print("selftest FAIL: %s: %s" % (name, problems or "no problem found"))
                failed += 1
            else:
                print("selftest ok: %s%s" % (name, "" if expect_ok else " -> " + problems[0].split(": ", 1)[1]))
    return 1 if failed else 0


def main(argv):
    if argv == ["--selftest"]:
        return selftest()
    if len(argv) == 2 and argv[0] == "--ctest":
        # ctest: first prove the lookups and the checker catch what they
        # must, then check the site.
        if golinks.selftest() != 0 or selftest() != 0:
            return 1
        argv = argv[1:]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems, npages, nlinks, ngo, next_ = check(argv[0])
    for p in problems:
        print(p)
    print("checked %d pages, %d links (%d to Go at %s, checked against the local source; %d other external)"
          % (npages, nlinks, ngo, golinks.TAG, next_))
    print("%d passed, %d failed" % (nlinks - len(problems), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
