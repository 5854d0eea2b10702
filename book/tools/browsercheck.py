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

Search, over HTTP, must find hchan's sendx in the Reference and show
snippets. The Reference part must have its struct entries with their Go links, and
the general index must link at least 200 C++ names to it (a screenshot of
reference/structures.html goes to OUTDIR too).

Then every chapter with a diagram is measured over HTTP in two frames, 1400
and 420 CSS pixels wide (a laptop's window, a phone's): each diagram's
smallest label must be drawn at 12 px or more (font size times the drawing's
scale on screen), no label may stick out of its drawing or be drawn over
another (autonumber's discs included), a drawing wider than its block must
scroll in it, and the page itself must not scroll sideways.
Screenshots of both pages, and of a side-by-side page at a wide and a narrow
width, go to OUTDIR. Exit status 1 on any failure.
"""

import functools
import html
import http.server
import json
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


# The diagram check. The local server answers /__measure__/<page> with this
# page, which loads <page> in a same-origin frame as wide as the window, waits
# until Mermaid has drawn every block, and writes what it measured into its own
# DOM as JSON (which --dump-dom prints). For each diagram: the smallest
# rendered font size of its labels (computed font size times the SVG's scale
# on screen), labels that cut each other or stick out of the drawing, and
# whether the drawing is wider than its block without the block scrolling.
# For the page: whether anything makes the page itself scroll sideways.
MEASURE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>html,body{margin:0;padding:0}iframe{border:0;height:3000px;display:block}</style>
</head><body>%(frames)s<pre id="gort-measure"></pre>
<script>
function labels(svg) {
  var out = [];
  svg.querySelectorAll("text, tspan, foreignObject *").forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim() !== ""; });
    if (!own) return;
    var host = el.namespaceURI === "http://www.w3.org/2000/svg" ? el : el.closest("foreignObject");
    var ctm = host.getScreenCTM();
    var scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
    var fs = parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize);
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if ((el.getAttribute("class") || "").indexOf("sequenceNumber") >= 0) {
      // autonumber's step number: what takes room is the disc around it
      var cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2, rad = 9 * scale;
      r = {left: cx - rad, right: cx + rad, top: cy - rad, bottom: cy + rad};
    }
    out.push({el: el, text: el.textContent.trim().slice(0, 40), px: fs * scale, r: r});
  });
  return out;
}
function cut(a, b) {
  var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return w > 2 && h > 2;
}
function measure(doc, win) {
  var res = {width: win.innerWidth, pageOverflow: doc.documentElement.scrollWidth - win.innerWidth,
             diagrams: []};
  doc.querySelectorAll("div.mermaid").forEach(function (div, i) {
    var d = {index: i + 1};
    res.diagrams.push(d);
    var svg = div.querySelector("svg");
    if (!svg) { d.error = "not drawn"; return; }
    var sr = svg.getBoundingClientRect(), dr = div.getBoundingClientRect();
    var cs = win.getComputedStyle(div).overflowX;
    d.svgWidth = Math.round(sr.width); d.blockWidth = Math.round(dr.width);
    d.scrolls = div.scrollWidth > div.clientWidth + 1;
    d.clipped = sr.width > div.clientWidth + 1 && !(cs === "auto" || cs === "scroll");
    if (dr.right > win.innerWidth + 1) d.clipped = true;
    var ls = labels(svg);
    var min = null;
    ls.forEach(function (l) { if (min === null || l.px < min.px) min = l; });
    d.labels = ls.length;
    d.minPx = min ? Math.round(min.px * 10) / 10 : null;
    d.minText = min ? min.text : "";
    d.outside = ls.filter(function (l) {
      return l.r.left < sr.left - 1 || l.r.right > sr.right + 1 || l.r.top < sr.top - 1 || l.r.bottom > sr.bottom + 1;
    }).map(function (l) { return l.text; }).slice(0, 5);
    var over = [];
    for (var a = 0; a < ls.length; a++)
      for (var b = a + 1; b < ls.length; b++)
        if (!ls[a].el.contains(ls[b].el) && !ls[b].el.contains(ls[a].el) && cut(ls[a].r, ls[b].r))
          over.push(ls[a].text + " / " + ls[b].text);
    d.overlaps = over.slice(0, 5);
  });
  return res;
}
var started = Date.now(), settled = 0;
function poll() {
  var frames = document.querySelectorAll("iframe"), out = document.getElementById("gort-measure");
  var ready = true, drawn = 0, blocks = 0;
  frames.forEach(function (f) {
    var doc = f.contentDocument;
    var b = doc ? doc.querySelectorAll("div.mermaid").length : 0, s = doc ? doc.querySelectorAll("div.mermaid svg").length : 0;
    blocks += b; drawn += s;
    if (!doc || doc.readyState !== "complete" || b === 0 || s < b) ready = false;
  });
  if (ready) {
    if (++settled > 3) {
      var res = [];
      frames.forEach(function (f) {
        try { res.push(measure(f.contentDocument, f.contentWindow)); }
        catch (e) { res.push({error: "measuring failed: " + e}); }
      });
      out.textContent = JSON.stringify(res);
      return;
    }
  } else if (Date.now() - started > 15000) {
    out.textContent = JSON.stringify([{error: "Mermaid drew " + drawn + " of " + blocks}]);
    return;
  }
  setTimeout(poll, 200);
}
window.addEventListener("load", function () { setTimeout(poll, 200); });
</script></body></html>
"""

MIN_LABEL_PX = 12.0   # the smallest label a reader can read at a laptop's width


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/__measure__/"):
            page = self.path[len("/__measure__/"):]
            frames = "".join('<iframe src="/%s" style="width:%dpx"></iframe>' % (page, w) for w in WIDTHS)
            body = (MEASURE_PAGE % {"frames": frames}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


WIDTHS = (1400, 420)   # a laptop's window and a phone's, in CSS pixels


def measure_diagrams(browser, port, page):
    """Problems with the diagrams of one page at each of WIDTHS, from the
    /__measure__ page's JSON (one frame per width, one browser run); and a
    line per width saying what was measured."""
    res = run(browser, ["--dump-dom", "--window-size=%d,3000" % max(WIDTHS),
                        "http://127.0.0.1:%d/__measure__/%s" % (port, page)])
    m = re.search(r'<pre id="gort-measure">(.*?)</pre>', res.stdout, re.S)
    if res.returncode != 0 or not m or not m.group(1).strip():
        return ["%s: the measuring page did not report (%d)" % (page, res.returncode)], []
    problems, said = [], []
    for width, data in zip(WIDTHS, json.loads(html.unescape(m.group(1)))):
        if "error" in data:
            problems.append("%s at %d px: %s" % (page, width, data["error"]))
            continue
        p, s = judge(page, width, data)
        problems.extend(p)
        said.append(s)
    return problems, said


def judge(page, width, data):
    """Problems with one page's diagrams at one width, and the line saying
    what was measured."""
    problems = []
    if data["width"] != width:
        problems.append("%s: window %d px wide, asked for %d" % (page, data["width"], width))
    if data["pageOverflow"] > 1:
        problems.append("%s at %d px: the page scrolls sideways by %d px" % (page, width, data["pageOverflow"]))
    mins = []
    for d in data["diagrams"]:
        where = "%s at %d px, diagram %d" % (page, width, d["index"])
        if "error" in d:
            problems.append("%s: %s" % (where, d["error"]))
            continue
        if not d["labels"]:
            problems.append("%s: no labels found" % where)
            continue
        mins.append(d["minPx"])
        if d["minPx"] < MIN_LABEL_PX:
            problems.append("%s: label %r drawn at %.1f px, below %.0f px" % (where, d["minText"], d["minPx"],
                                                                             MIN_LABEL_PX))
        if d["clipped"]:
            problems.append("%s: %d px drawing in a %d px block that does not scroll" % (where, d["svgWidth"],
                                                                                        d["blockWidth"]))
        if d["outside"]:
            problems.append("%s: labels outside the drawing: %r" % (where, d["outside"]))
        if d["overlaps"]:
            problems.append("%s: labels drawn over each other: %r" % (where, d["overlaps"]))
    said = "%s at %d px: %d diagram(s), smallest label %.1f px%s" % (
        page, width, len(mins), min(mins) if mins else 0,
        ", %d scroll sideways" % sum(1 for d in data["diagrams"] if d.get("scrolls")) if any(
            d.get("scrolls") for d in data["diagrams"]) else "")
    return problems, said


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
        # Every diagram of the book, measured at a laptop's width and a
        # phone's.
        for page in sorted(os.listdir(os.path.join(site, "chapters"))):
            page = "chapters/" + page
            if not page.endswith(".html"):
                continue
            with open(os.path.join(site, page), encoding="utf-8") as f:
                if '<div class="mermaid' not in f.read():
                    continue
            p, said = measure_diagrams(browser, port, page)
            problems.extend(p)
            if not p:
                passed += 1
            for line in said:
                print(("ok: " if not p else "measured: ") + line)
        # The Reference part (Breathe) and the index it fills.
        def reference(d):
            entries = len(re.findall(r'<dl class="cpp (?:struct|class)"', d))
            golinks = len(re.findall(r'href="https://github\.com/golang/go/blob/', d))
            said = "%d struct entries, %d Go links" % (entries, golinks)
            return said + " (expected 10 or more of each)" if entries < 10 or golinks < 10 else None, said

        def index(d):
            names = len(re.findall(r'href="reference/[^"]*#_CPPv4', d))
            said = "%d C++ names link to the Reference" % names
            return said + ", expected 200 or more" if names < 200 else None, said

        # Search over HTTP (the snippets are cut from the pages' sources,
        # which a browser fetches only from a server): a field name finds its
        # Reference entry, and results show a snippet.
        def search(d):
            snippets = len(re.findall(r'class="context"', d))
            entry = 'href="reference/structures.html#_CPPv4N7runtime5hchan5sendxE"' in d
            if not entry or snippets < 1:
                return "no hchan::sendx entry or no snippet (%d)" % snippets, ""
            return None, "hchan::sendx's entry first, %d snippet(s)" % snippets

        # The index over HTTP: the site works when served, not only from disk.
        def served(d):
            return ("page did not load", "") if "Side by side" not in d else (None, "loaded")

        served_at = "http://127.0.0.1:%d/" % port
        for name, url, judge_dom in (
                ("reference/structures.html", "file://" + os.path.join(site, "reference/structures.html"), reference),
                ("genindex.html", "file://" + os.path.join(site, "genindex.html"), index),
                ("search.html?q=sendx", served_at + "search.html?q=sendx", search),
                ("index.html", served_at + "index.html", served)):
            try:
                failure, said = judge_dom(dom(browser, url))
            except Exception as e:
                problems.append(str(e))
                continue
            if failure:
                problems.append("%s (%s): %s" % (name, url.split(":")[0], failure))
            else:
                passed += 1
                print("ok: %s (%s): %s" % (name, url.split(":")[0], said))
        try:
            screenshot(browser, "file://" + os.path.join(site, "reference/structures.html"),
                       os.path.join(outdir, "reference.png"), "1400,2000")
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
