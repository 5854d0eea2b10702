#!/usr/bin/python3
"""browsercheck: open the book in headless Chromium (ctest book_browser).

  /usr/bin/python3 book/tools/browsercheck.py SITE OUTDIR

Debian's chromium, headless, with a fresh profile and no network services,
loads:

  chapters/04-chan-send.html   from disk (file://)
  chapters/06-scheduler.html   over HTTP, from a local server on 127.0.0.1
                               serving SITE (what `python3 -m http.server`
                               does)
  chapters/08-linkname.html    from disk (the Mutex handoff sequence)
  chapters/13-memory.html      from disk (the heap's layers; screenshot at a
                               laptop's width, 1280 pixels)
  chapters/14-collector.html   from disk (the cycle, one object marked;
                               screenshot at 1280 pixels too)
  chapters/15-timers.html      from disk (time.Sleep, a timer's states;
                               screenshot at 1280 pixels too)
  chapters/16-poller.html      from disk (c.Read, the states of rg;
                               screenshot at 1280 pixels too)
  chapters/17-performance.html from disk (the figures drawn from
                               bench/results/; screenshot at 1280 pixels)
  chapters/18-preemption.html  from disk (one preemption, sysmon to
                               schedule; screenshot at 1280 pixels too)
  chapters/19-select.html      from disk (selectgo's three passes;
                               screenshot at 1280 pixels too)

and asserts that every Mermaid block of each page was rendered to an SVG by
the Mermaid script served from the site's own _static (no error diagram),
and that every figure of the performance chapter is in the loaded page and
points at an SVG drawing in the site.
Screenshots of both pages, and of a side-by-side page at a wide and a narrow
width, go to OUTDIR. Exit status 1 on any failure.
"""

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
         "--hide-scrollbars"]
BUDGET_MS = "20000"  # virtual time: Mermaid renders after the load event


def chromium():
    for c in ("chromium", "chromium-browser"):
        p = shutil.which(c)
        if p:
            return p
    return None


def run(browser, args, timeout=120):
    with tempfile.TemporaryDirectory(prefix="gort-chromium-") as profile:
        cmd = [browser] + FLAGS + ["--user-data-dir=" + profile, "--virtual-time-budget=" + BUDGET_MS] + args
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return res


def dom(browser, url):
    res = run(browser, ["--dump-dom", url])
    if res.returncode != 0:
        raise RuntimeError("chromium --dump-dom %s failed (%d): %s" % (url, res.returncode, res.stderr[-2000:]))
    return res.stdout


def screenshot(browser, url, out, size):
    res = run(browser, ["--screenshot=" + out, "--window-size=" + size, url])
    if res.returncode != 0 or not os.path.exists(out) or os.path.getsize(out) < 2000:
        raise RuntimeError("chromium --screenshot %s failed (%d): %s" % (url, res.returncode, res.stderr[-2000:]))


def check_mermaid(site, page, dumped):
    """Problems with the Mermaid diagrams of one page, given its DOM."""
    with open(os.path.join(site, page), encoding="utf-8") as f:
        blocks = len(re.findall(r'<div class="mermaid', f.read()))
    problems = []
    if blocks == 0:
        problems.append("%s: no Mermaid block in the page" % page)
    svgs = re.findall(r'<svg[^>]*\bid="mermaid-[^"]*"[^>]*>', dumped)
    errors = [s for s in svgs if 'aria-roledescription="error"' in s]
    good = len(svgs) - len(errors)
    if errors:
        problems.append("%s: %d Mermaid diagram(s) rendered as errors" % (page, len(errors)))
    if good < blocks:
        problems.append("%s: %d Mermaid blocks, %d rendered to SVG" % (page, blocks, good))
    if re.search(r"Syntax error in text|Parse error on line", dumped):
        problems.append("%s: Mermaid reported a syntax error" % page)
    return problems, blocks, good


def check_figures(site, page, dumped, want):
    """Problems with the images of one page, given its DOM: at least `want`
    <img> elements, each naming a file of the site that is an SVG drawing
    with content."""
    problems = []
    srcs = re.findall(r'<img[^>]*\bsrc="([^"]+)"', dumped)
    if len(srcs) < want:
        problems.append("%s: %d image(s), expected at least %d" % (page, len(srcs), want))
    for src in srcs:
        path = os.path.normpath(os.path.join(site, os.path.dirname(page), src.split("#")[0]))
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            problems.append("%s: image %s: %s" % (page, src, e))
            continue
        if "<svg" not in text or text.count("<path") + text.count("<use") < 10:
            problems.append("%s: image %s is not a drawn SVG" % (page, src))
    return problems, len(srcs)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    site, outdir = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    browser = chromium()
    if browser is None:
        print("browsercheck: chromium is not installed (Debian package chromium)")
        return 1
    os.makedirs(outdir, exist_ok=True)
    handler = functools.partial(Quiet, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    checks = [
        ("chapters/04-chan-send.html", "file://" + os.path.join(site, "chapters/04-chan-send.html"), "chan-send"),
        ("chapters/06-scheduler.html", "http://127.0.0.1:%d/chapters/06-scheduler.html" % port, "scheduler"),
        ("chapters/08-linkname.html", "file://" + os.path.join(site, "chapters/08-linkname.html"), "linkname"),
        ("chapters/13-memory.html", "file://" + os.path.join(site, "chapters/13-memory.html"), "memory"),
        ("chapters/14-collector.html", "file://" + os.path.join(site, "chapters/14-collector.html"), "collector"),
        ("chapters/15-timers.html", "file://" + os.path.join(site, "chapters/15-timers.html"), "timers"),
        ("chapters/16-poller.html", "file://" + os.path.join(site, "chapters/16-poller.html"), "poller"),
        ("chapters/18-preemption.html", "file://" + os.path.join(site, "chapters/18-preemption.html"), "preemption"),
        ("chapters/19-select.html", "file://" + os.path.join(site, "chapters/19-select.html"), "select"),
    ]
    sizes = {"memory": "1280,1800", "collector": "1280,1800", "timers": "1280,1800", "poller": "1280,1800",
             "performance": "1280,1800", "preemption": "1280,1800", "select": "1280,1800"}
    problems, passed = [], 0
    try:
        for page, url, shot in checks:
            try:
                d = dom(browser, url)
            except Exception as e:
                problems.append(str(e))
                continue
            p, blocks, good = check_mermaid(site, page, d)
            if p:
                problems.extend(p)
            else:
                passed += 1
                print("ok: %s (%s): %d Mermaid diagram(s) rendered to SVG" % (page, url.split(":")[0], good))
            try:
                screenshot(browser, url, os.path.join(outdir, shot + ".png"), sizes.get(shot, "1400,2600"))
            except Exception as e:
                problems.append(str(e))
        # The performance chapter: figures drawn at build time, no Mermaid.
        page = "chapters/17-performance.html"
        url = "file://" + os.path.join(site, page)
        try:
            p, n = check_figures(site, page, dom(browser, url), 12)
            if p:
                problems.extend(p)
            else:
                passed += 1
                print("ok: %s (file): %d figure(s), each an SVG drawing" % (page, n))
            screenshot(browser, url, os.path.join(outdir, "performance.png"), sizes["performance"])
        except Exception as e:
            problems.append(str(e))
        sbs = os.path.join(site, "sidebyside", "chan.html")
        for name, size in (("sidebyside-wide", "1600,1400"), ("sidebyside-narrow", "600,1400")):
            try:
                screenshot(browser, "file://" + sbs, os.path.join(outdir, name + ".png"), size)
                passed += 1
            except Exception as e:
                problems.append(str(e))
        # The index over HTTP: the site works when served, not only from disk.
        try:
            d = dom(browser, "http://127.0.0.1:%d/index.html" % port)
            if "Side by side" not in d:
                problems.append("index.html over HTTP: page did not load")
            else:
                passed += 1
        except Exception as e:
            problems.append(str(e))
    finally:
        server.shutdown()
    for p in problems:
        print("FAIL: " + p)
    print("screenshots in %s" % outdir)
    print("%d passed, %d failed" % (passed, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
