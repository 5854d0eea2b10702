# Sphinx configuration of gort's book. book/tools/build.py runs Sphinx on a
# copy of book/ plus the generated pages, with -W -n, and passes the paths
# below through the environment.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ext"))

project = "gort"
author = "the gort authors"
copyright = "the gort authors; Go source excerpts: the Go Authors (BSD-style licence)"
_goversion = os.environ.get("GORT_GOVERSION", "go1.22.12")
release = _goversion
version = _goversion

extensions = ["sphinxcontrib.mermaid", "breathe", "gortbook"]

root_doc = "index"
exclude_patterns = ["_build", "node_modules", "README.md", "**/README.md"]
templates_path = []
nitpicky = True
highlight_language = "cpp"
pygments_style = "friendly"
pygments_dark_style = "monokai"

html_theme = "furo"
html_title = "gort: the Go runtime, read in C++"
html_static_path = ["_static"] + ([os.environ["GORT_MERMAID_DIR"]] if os.environ.get("GORT_MERMAID_DIR") else [])
html_css_files = ["book.css"]
html_js_files = [("mermaid.min.js", {"priority": 400}),  # before mermaid_init_js (500)
                 "book.js"]                             # wide diagrams: open over the window
html_show_sourcelink = False
html_copy_source = True      # the search page's snippets are cut from these copies
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": True,
}

# Mermaid from the npm package, served from _static (no CDN): see build.py.
mermaid_version = ""
# Each diagram is drawn at its own size (useMaxWidth false), never shrunk to
# the column: a wide one scrolls sideways in its block (book.css), so its text
# stays as large as Mermaid set it. book_browser measures it.
# Sequence diagrams get narrower actor boxes and gaps than Mermaid's (150 and
# 50 px), so that more of them fit the 736 px column unscrolled.
_natural = "{useMaxWidth: false}"
_sequence = "{useMaxWidth: false, actorMargin: 24, width: 120}"
mermaid_init_js = ("mermaid.initialize({startOnLoad: true, theme: 'neutral', securityLevel: 'strict', "
                   "flowchart: %s, sequence: %s, state: %s});" % (_natural, _sequence, _natural))

gort_repo = os.environ.get("GORT_REPO", "")
gort_tools = os.environ.get("GORT_BOOK_TOOLS", "")
gort_tagfile = os.environ.get("GORT_TAGFILE", "")
gort_xmldir = os.environ.get("GORT_XMLDIR", "")
# A digest of the book's own code: when the extension or the generators
# change, Sphinx rereads every page instead of trusting its cache.
gort_code_digest = os.environ.get("GORT_CODE_DIGEST", "")

# The Reference part: Breathe renders the runtime's structures and the user
# surface from the XML of the same Doxygen run as the code browser. A C++ name
# in a declaration that the Reference does not itself declare is linked to its
# code-browser page (gortbook's missing-reference handler); what is left is
# outside the port (the C++ standard library, the compiler's builtins) and
# listed with its reason in book/nitpick-ignore.tsv.
breathe_projects = {"gort": gort_xmldir} if gort_xmldir else {}
breathe_default_project = "gort"
breathe_domain_by_extension = {"hpp": "cpp", "cpp": "cpp", "h": "cpp"}
breathe_show_include = False
breathe_show_define_initializer = True
nitpick_ignore = []
nitpick_ignore_regex = []
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "nitpick-ignore.tsv"), encoding="utf-8") as _f:
    for _line in _f:
        if not _line.strip() or _line.startswith("#"):
            continue
        _kind, _target, _why = _line.rstrip("\n").split("\t", 2)
        if not _why.strip():
            raise ValueError("nitpick-ignore.tsv: %s has no reason" % _target)
        (nitpick_ignore_regex if _kind.endswith("/regex") else nitpick_ignore).append(
            (_kind.split("/")[0], _target))
