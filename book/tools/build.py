#!/usr/bin/python3
"""build: build gort's book and code browser into one site.

  /usr/bin/python3 book/tools/build.py --build BUILD [--lib libgort.a]
                                       [--mermaid DIR] [--site DIR]
                                       [--test-results DIR] [--test-cpus 1,2,4]

Steps (each one fails the build on a problem):

  1. check the \\gosrc markers: each resolves in the pinned Go source;
  2. copy book/ to BUILD/book/src and scan its chapters for :cpp: mentions
     (the code -> book links);
  3. Doxygen: HTML into SITE/code/, XML and the tag file into BUILD/book/;
     any warning fails the build; skipped when nothing it reads changed
     since it last ran (doxygen/inputs.sha1);
  4. check that every documented function of a ported .cpp names its Go
     counterpart (Doxygen's XML says where the functions are), and that
     the code browser links each ported entity back to its side-by-side
     entry and to the chapter sections that cite it;
  5. generate the side-by-side pages and the includes (gen.py: the memory
     chapter's tables and output come from book/programs/, which CMake
     builds and gen.py runs; it fails if they cannot be run or read), chapter
     9's inventory with the last test run's results (testresults.py:
     BUILD/test-results/gort_test_cpu<n>.xml, when a test run left them);
     the performance chapter's figures and tables (perf.py, from the
     committed bench/compare results in bench/results/);
  6. Sphinx, -W -n (warnings are errors, every reference must resolve),
     into SITE/ (SITE/index.html); from scratch (-E) unless Doxygen was
     skipped and the last Sphinx run succeeded with the same Doxygen output.

SITE defaults to BUILD/site. Run with Debian's /usr/bin/python3.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cppindex  # noqa: E402
import gen  # noqa: E402
import golinks  # noqa: E402
import gosrccheck  # noqa: E402
import perf  # noqa: E402
import testresults  # noqa: E402

REPO = golinks.REPO
BOOK = os.path.join(REPO, "book")
PY = "/usr/bin/python3"


def say(msg):
    print("book: " + msg, flush=True)


def fail(msg):
    print("book: error: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def sync_tree(src, dst, skip=("node_modules", "tools", "__pycache__")):
    """Copy src to dst, keeping mtimes (so Sphinx rebuilds only what
    changed) and removing what src no longer has, except generated dirs."""
    keep = {"sidebyside", "generated"}
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in skip]
        rel = os.path.relpath(root, src)
        droot = os.path.join(dst, rel) if rel != "." else dst
        os.makedirs(droot, exist_ok=True)
        for fn in files:
            s, d = os.path.join(root, fn), os.path.join(droot, fn)
            if not os.path.exists(d) or os.path.getmtime(d) != os.path.getmtime(s) or os.path.getsize(d) != os.path.getsize(s):
                shutil.copy2(s, d)
    for root, dirs, files in os.walk(dst):
        rel = os.path.relpath(root, dst)
        top = rel.split(os.sep)[0]
        if top in keep:
            continue
        for fn in files:
            if not os.path.exists(os.path.join(src, rel, fn)):
                os.remove(os.path.join(root, fn))


DOXY_INPUT_DIRS = ("", "internal/atomic", "sync", "sync/atomic", "debug", "metrics", "time", "errors", "io",
                   "internal/poll", "os", "net")


def doxygen_digest(conf, mentions_file):
    """A digest of everything Doxygen's output depends on: its configuration,
    the files it reads (and so the line numbers its filter adds), the
    filter's code and the chapter mentions it links to, Doxygen's version."""
    import hashlib
    h = hashlib.sha1()

    def add(path):
        h.update(path.encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")

    h.update(conf.encode())
    h.update(subprocess.run(["doxygen", "--version"], capture_output=True).stdout)
    for d in DOXY_INPUT_DIRS:
        full = os.path.join(REPO, d)
        if os.path.isdir(full):
            for n in sorted(os.listdir(full)):
                if n.endswith((".cpp", ".hpp", ".h")):
                    add(os.path.join(full, n))
    # Of the book's tools, Doxygen runs only its input filter (gosrc.py,
    # which imports golinks.py); a change to a generator must not rerun it.
    for n in ("gosrc.py", "golinks.py", "build.py"):
        add(os.path.join(HERE, n))
    for path in (os.path.join(BOOK, "code-mainpage.md"), os.path.join(BOOK, "_static", "doxygen-extra.css"),
                 mentions_file):
        add(path)
    return h.hexdigest()


def code_header(outdir):
    """The code browser's page header: the installed Doxygen's own default
    (doxygen -w html), with the project's name made a link back to the book
    and a second link beside it. Returns its path."""
    files = [os.path.join(outdir, n) for n in ("header.html", "footer.html", "default.css")]
    res = subprocess.run(["doxygen", "-w", "html"] + files, cwd=outdir, capture_output=True, text=True)
    if res.returncode != 0:
        fail("doxygen -w html failed:\n" + res.stdout + res.stderr)
    with open(files[0], encoding="utf-8") as f:
        text = f.read()
    old = '<div id="projectname">$projectname'
    if old not in text:
        fail("doxygen -w html: the default header has no %r to link to the book" % old)
    text = text.replace(old, '<div id="projectname"><a href="$relpath^../index.html" title="the book">'
                             '$projectname</a> <span class="gort-booklink">· <a href="$relpath^../index.html">'
                             'back to the book</a> · <a href="$relpath^../reference/index.html">'
                             'Reference</a></span>', 1)
    with open(files[0], "w", encoding="utf-8") as f:
        f.write(text)
    return files[0]


def doxygen(work, site):
    """Run Doxygen, unless what it would read is what it read last time and
    its output is still there (a rebuild for new test results changes
    nothing Doxygen sees). Returns (xml dir, tag file, whether it ran)."""
    html = os.path.join(site, "code")
    xml = os.path.join(work, "doxygen", "xml")
    tag = os.path.join(work, "doxygen", "gort.tag")
    warnlog = os.path.join(work, "doxygen", "warnings.log")
    subs = {
        "GOVERSION": golinks.TAG,
        "OUT": os.path.join(work, "doxygen"),
        "HTML": html,
        "XML": xml,
        "TAGFILE": tag,
        "REPO": REPO,
        "INPUT": " ".join([os.path.join(BOOK, "code-mainpage.md")] + [os.path.join(REPO, d) for d in DOXY_INPUT_DIRS if os.path.isdir(os.path.join(REPO, d))]),
        "MAINPAGE": os.path.join(BOOK, "code-mainpage.md"),
        "FILTER": "%s %s --filter --mentions %s" % (PY, os.path.join(HERE, "gosrc.py"), os.path.join(work, "mentions.json")),
        "EXTRA_CSS": os.path.join(BOOK, "_static", "doxygen-extra.css"),
        "HAVE_DOT": "YES" if shutil.which("dot") else "NO",
        "WARNLOG": warnlog,
    }
    with open(os.path.join(BOOK, "Doxyfile.in"), encoding="utf-8") as f:
        conf = f.read()
    for k, v in subs.items():
        conf = conf.replace("@%s@" % k, v)
    digest = doxygen_digest(conf, os.path.join(work, "mentions.json"))
    # The digest is written only once Doxygen has succeeded, and removed
    # before it runs: it always describes the output on disk.
    digest_file = os.path.join(work, "doxygen", "inputs.sha1")
    if os.path.exists(digest_file) and os.path.exists(tag) and os.path.exists(os.path.join(html, "index.html")) \
            and os.path.isdir(xml):
        with open(digest_file) as f:
            if f.read().strip() == digest:
                return xml, tag, False
    if os.path.exists(digest_file):
        os.remove(digest_file)
    # Doxygen does not create nested output folders, and stale pages of
    # removed functions must not survive: start from empty folders.
    for d in (html, xml):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    doxyfile = os.path.join(work, "doxygen", "Doxyfile")
    with open(doxyfile, "w", encoding="utf-8") as f:
        f.write(conf)
    header = code_header(os.path.join(work, "doxygen"))
    with open(doxyfile, "a", encoding="utf-8") as f:
        f.write("HTML_HEADER = %s\n" % header)
    res = subprocess.run(["doxygen", doxyfile], cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0:
        fail("doxygen failed:\n" + res.stdout + res.stderr)
    with open(warnlog, encoding="utf-8") as f:
        warnings = f.read().strip()
    if warnings:
        fail("doxygen warnings (treated as errors):\n" + warnings)
    with open(digest_file, "w") as f:
        f.write(digest + "\n")
    return xml, tag, True


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--build", required=True, help="the CMake build directory")
    ap.add_argument("--site", help="output folder (default BUILD/site)")
    ap.add_argument("--lib", help="libgort.a, for the nm and objdump pages")
    ap.add_argument("--objects", nargs="+", default=[],
                    help="the gort library's object files, for the linkname table (CMake passes "
                         "$<TARGET_OBJECTS:gort>; a ';'-separated list is split too); default: the .o "
                         "files under BUILD/CMakeFiles/gort.dir whose source exists")
    ap.add_argument("--mermaid", help="folder holding mermaid.min.js (npm package's dist/)")
    ap.add_argument("--test-results", help="ctest's JUnit reports of gort_test, for chapter 9 "
                                          "(default BUILD/test-results; none there: the page says so)")
    ap.add_argument("--test-cpus", default="1,2,4", help="the GOMAXPROCS values ctest runs gort_test at")
    ap.add_argument("--heapfacts", help="book/programs/heapfacts, built (the memory chapter's tables)")
    ap.add_argument("--memstats", help="book/programs/memstats, built (the memory chapter's output)")
    ap.add_argument("--gcfacts", help="book/programs/gcfacts, built (the collector chapter's output)")
    ap.add_argument("--timerfacts", help="book/programs/timerfacts, built (the timers chapter's output)")
    ap.add_argument("--pollfacts", help="book/programs/pollfacts, built (the poller chapter's output)")
    ap.add_argument("--preemptfacts", help="book/programs/preemptfacts, built (the preemption chapter's output)")
    ap.add_argument("--sendfacts", help="book/programs/sendfacts, built (chapters 4's and 6's output)")
    ap.add_argument("--scavfacts", help="book/programs/scavfacts, built (the memory chapter's scavenger)")
    ap.add_argument("--selectfacts", help="book/programs/selectfacts, built (the select chapter's output)")
    ap.add_argument("--hello", help="tests/consumer/main.cpp (the README's example), built (chapter 1's output)")
    ap.add_argument("--mistakes", help="book/programs/mistakes, built (chapter 11's output)")
    ap.add_argument("--goroutinefacts", help="book/programs/goroutinefacts, built (the goroutine chapter's "
                                             "output and ring figure)")
    ap.add_argument("--lockfacts", help="book/programs/lockfacts, built (the LockOSThread chapter's output)")
    ap.add_argument("--testprog", help="tests/testprog, built (chapter 9 runs one sub-program); none: the page "
                                       "says the tests were not built")
    ap.add_argument("--perf-results", default=perf.DEFAULT_RESULTS,
                    help="the bench/compare result file the performance chapter plots "
                         "(default bench/results/gomaxprocs2.json)")
    ap.add_argument("--perf-scaling", default=perf.DEFAULT_SCALING,
                    help="its GOMAXPROCS 1,2,4 companion (default bench/results/scaling.json)")
    ap.add_argument("--jobs", default="2")
    args = ap.parse_args(argv)

    t0 = time.time()
    build = os.path.abspath(args.build)
    site = os.path.abspath(args.site or os.path.join(build, "site"))
    work = os.path.join(build, "book")
    src = os.path.join(work, "src")
    os.makedirs(os.path.join(work, "doxygen"), exist_ok=True)
    os.makedirs(site, exist_ok=True)

    # 1. markers
    exc = gosrccheck.Exceptions()
    errors, notices = gosrccheck.check_markers(exc)
    if exc.problems or errors:
        fail("\\gosrc markers:\n  " + "\n  ".join(exc.problems + errors))

    # 2. sources and mentions
    sync_tree(BOOK, src)
    import json
    mentions = gen.mentions(src)
    with open(os.path.join(work, "mentions.json"), "w") as f:
        json.dump(mentions, f, indent=1, sort_keys=True)

    # 3. Doxygen
    t1 = time.time()
    xmldir, tagfile, doxygen_ran = doxygen(work, site)
    t2 = time.time()
    say("doxygen: %.1fs" % (t2 - t1) if doxygen_ran else "doxygen: its inputs did not change, not run")

    # 4. doc comments
    xml = cppindex.XmlIndex(xmldir, REPO)
    tag = cppindex.TagIndex(tagfile, REPO)
    gen.SOURCE_PAGES.update({f: tag.source_page(f) for f in tag.files})
    derr, dnotices = gosrccheck.check_doc_comments(xml, exc)
    derr += gosrccheck.check_book_links(xmldir, mentions)
    notices += dnotices
    stale = exc.stale()
    if derr or stale:
        fail("doc comments:\n  " + "\n  ".join(derr + stale))
    for n in notices:
        say("to do: " + n)

    # 5. generated pages
    gen.sidebyside(src, xml, tag)
    gen.departures(src, xml)
    gen.inventory(src, testresults.read(args.test_results or os.path.join(build, "test-results"),
                                        testresults.cpus_arg(args.test_cpus)))
    gen.fidelity(src, os.path.dirname(args.lib) if args.lib else None)
    gen.nm_symbols(src, args.lib)
    objects = [o for a in args.objects for o in a.split(";") if o] or gen.gort_objects(build)
    gen.linkname(src, objects)
    gen.subset_refs(src, objects)
    gen.objdump_nosplit(src, args.lib)
    gen.gdb_session(src, build)
    gen.memory(src, args.heapfacts or os.path.join(build, "book", "programs", "heapfacts"),
               args.memstats or os.path.join(build, "book", "programs", "memstats"))
    gen.collector(src, args.gcfacts or os.path.join(build, "book", "programs", "gcfacts"))
    gen.timers(src, args.timerfacts or os.path.join(build, "book", "programs", "timerfacts"))
    gen.poller(src, args.pollfacts or os.path.join(build, "book", "programs", "pollfacts"))
    gen.preemption(src, args.preemptfacts or os.path.join(build, "book", "programs", "preemptfacts"))
    gen.sendfacts(src, args.sendfacts or os.path.join(build, "book", "programs", "sendfacts"))
    gen.mcall_stacks(src, args.sendfacts or os.path.join(build, "book", "programs", "sendfacts"))
    gen.scavenger(src, args.scavfacts or os.path.join(build, "book", "programs", "scavfacts"))
    gen.selectfacts(src, args.selectfacts or os.path.join(build, "book", "programs", "selectfacts"))
    gen.checker_fixtures(src)
    gen.hello(src, args.hello or os.path.join(build, "book", "programs", "hello"))
    gen.testprog_run(src, args.testprog)
    gen.traceback_levels(src, args.selectfacts or os.path.join(build, "book", "programs", "selectfacts"))
    gen.mistakes(src, args.mistakes or os.path.join(build, "book", "programs", "mistakes"))
    gen.goroutinefacts(src, args.goroutinefacts or os.path.join(build, "book", "programs", "goroutinefacts"))
    gen.lockfacts(src, args.lockfacts or os.path.join(build, "book", "programs", "lockfacts"))
    perf.generate(src, args.perf_results, args.perf_scaling)

    t_gen = time.time()
    say("checks and generated pages: %.1fs" % (t_gen - t2))

    # Mermaid, served from _static (no CDN).
    mermaid_dir = os.path.join(work, "mermaid")
    os.makedirs(mermaid_dir, exist_ok=True)
    mjs = os.path.join(args.mermaid or "", "mermaid.min.js")
    if not args.mermaid or not os.path.exists(mjs):
        fail("mermaid.min.js not found in %s (run npm ci in book/, see book/README.md)" % args.mermaid)
    dst = os.path.join(mermaid_dir, "mermaid.min.js")
    if not os.path.exists(dst) or os.path.getmtime(dst) != os.path.getmtime(mjs):
        shutil.copy2(mjs, dst)

    # 6. Sphinx
    import hashlib
    digest = hashlib.sha1()
    for d in (HERE, os.path.join(BOOK, "_ext")):
        for fn in sorted(os.listdir(d)):
            if fn.endswith(".py"):
                with open(os.path.join(d, fn), "rb") as f:
                    digest.update(f.read())
    env = dict(os.environ, GORT_CODE_DIGEST=digest.hexdigest(), GORT_REPO=REPO, GORT_BOOK_TOOLS=HERE, GORT_TAGFILE=tagfile, GORT_XMLDIR=xmldir,
               GORT_MERMAID_DIR=mermaid_dir, GORT_GOVERSION=golinks.TAG)
    # -E: a fresh environment. The cross-references resolve against
    # Doxygen's tag file, whose anchors change with the code; a page whose
    # .rst did not change would otherwise keep stale anchors. When Doxygen
    # did not run (its output is the one the last successful Sphinx run
    # used: sphinx.ok holds that run's Doxygen digest), Sphinx may rebuild
    # only the pages whose sources changed, such as chapter 9 after a test
    # run. A failed Sphinx run removes sphinx.ok, so the next one starts
    # fresh and reports its warnings again.
    ok_file = os.path.join(work, "sphinx.ok")
    with open(os.path.join(work, "doxygen", "inputs.sha1")) as f:
        doxy_digest = f.read().strip()
    fresh = True
    if not doxygen_ran and os.path.exists(ok_file):
        with open(ok_file) as f:
            fresh = f.read().strip() != doxy_digest
    if os.path.exists(ok_file):
        os.remove(ok_file)
    cmd = [PY, "-m", "sphinx", "-b", "html"] + (["-E"] if fresh else []) + \
          ["-W", "-n", "--keep-going", "-q", "-j", args.jobs, "-d", os.path.join(work, "doctrees"), src, site]
    res = subprocess.run(cmd, env=env)
    t3 = time.time()
    if res.returncode != 0:
        fail("sphinx-build failed (warnings are errors: -W -n)")
    with open(ok_file, "w") as f:
        f.write(doxy_digest + "\n")
    say("sphinx%s: %.1fs" % ("" if fresh else " (only the changed pages)", t3 - t_gen))
    say("site built in %.1fs: %s" % (t3 - t0, os.path.join(site, "index.html")))
    with open(os.path.join(work, "stamp"), "w") as f:
        f.write("%.1f\n" % (t3 - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
