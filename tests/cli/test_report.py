"""dcplan report: a self-contained HTML file, well-formed, rendered in headless Chromium with no
console errors, every chart drawn, and a screenshot that is not blank."""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run, tempdir  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(*args, cwd=None):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        check(False, "chromium is installed (tools/setup installs Debian's chromium)")
        finish()
    profile = tempdir()
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def png_colours(path):
    """Distinct colours of a PNG (8-bit RGB or RGBA, not interlaced), decoded by hand."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6) and body[12] == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, width, 2):
                colours.add(bytes(line[x * bpp:x * bpp + 3]))
        prev = line
    return len(colours), width, height


d = tempdir()
report = os.path.join(d, "report.html")
# With a tornado from `dcplan sensitivity` (report --sensitivity), rendered below with the rest.
sens = os.path.join(d, "tornado.csv")
rc, out, err = run("sensitivity", "scenarios/alibaba-380b.json", "--method", "tornado",
                   "--metric", "energy_twh@2032", "--vary", "/capex/budget*=0.8:1.2",
                   "--vary", "/regions/cn-hangzhou/pue=1.1:1.3", "--format", "csv", "-o", sens)
check(rc == 0, f"sensitivity --format csv: {rc} {err[:300]}")
rc, out, err = run("report", "scenarios/alibaba-380b.json", "--sensitivity", sens, "-o", report)
check(rc == 0, f"dcplan report runs: {err[:300]}")
html = open(report, encoding="utf-8").read()

# Well-formed, self-contained, small.
try:
    ET.fromstring(html.replace("<!DOCTYPE html>", "", 1))
    check(True, "well-formed")
except ET.ParseError as e:
    check(False, f"the HTML is well-formed XML: {e}")
loads = re.findall(r'(?:src|href)\s*=\s*"(?:https?:)?//|url\(\s*["\']?(?:https?:)?//|@import', html)
check(not loads, f"no http:// or https:// resource loads: {loads}")
record = '<script type="application/json" id="dcplan-provenance">'
check(html.count("<script") == 1 and html.count(record) == 1 and "<link" not in html,
      "no script but the provenance record (JSON data), no external stylesheet")
for path in sorted(p for p in glob.glob("scenarios/**/*.json", recursive=True)
                   if "/catalog/" not in p and not p.endswith(".gates.json")):
    out_file = os.path.join(d, os.path.basename(path) + ".html")
    rc, _, err = run("report", path, "-o", out_file)
    check(rc == 0 and os.path.getsize(out_file) < 2 * 1024 * 1024,
          f"{path}: report written, under 2 MB ({os.path.getsize(out_file) if rc == 0 else err})")
check(html.count('<svg id="chart-') >= 6, "at least six charts")
for cid in ["chart-capacity", "chart-energy", "chart-accelerators", "chart-money", "chart-emissions", "chart-free"]:
    check(f'id="{cid}"' in html, f"chart {cid}")
check("energy in 2032 at least 10x 2022" in html and "FAIL" in html and "pass" in html,
      "targets with pass/fail")
check('id="sensitivity-1"' in html and "Which inputs matter" in html and "/capex/budget*" in html,
      "the tornado of report --sensitivity")
rc, _, err = run("report", "scenarios/alibaba-380b.json", "--sensitivity", "scenarios/alibaba-380b.json",
                 "-o", os.path.join(d, "never2.html"))
check(rc == 2 and "sensitivity csv" in err and not os.path.exists(os.path.join(d, "never2.html")),
      f"--sensitivity with a file that is not one: {rc} {err}")

# --compare and --sweep.
cmp_file = os.path.join(d, "compare.html")
rc, _, err = run("report", "scenarios/alibaba-380b.json", "--compare", "scenarios/alibaba-raised.json", "-o", cmp_file)
cmp_html = open(cmp_file).read() if rc == 0 else ""
check(rc == 0 and "stroke-dasharray" in cmp_html and "Comparison with the base" in cmp_html,
      f"--compare draws the base dashed and adds the table: {err[:200]}")
summary = os.path.join(d, "summary.csv")
rc, _, err = run("sweep", "scenarios/examples/minimal.json", "--vary", "/capex/budget*=uniform(0.8,1.2)",
                 "--samples", "200", "--summary", "-o", summary)
fan_file = os.path.join(d, "fan.html")
rc, _, err = run("report", "scenarios/examples/minimal.json", "--sweep", summary, "-o", fan_file)
check(rc == 0 and 'id="chart-fan-0"' in open(fan_file).read() and "<polygon" in open(fan_file).read(),
      f"--sweep adds fan charts: {err[:200]}")
rc, _, err = run("report", "scenarios/examples/minimal.json", "--sweep", "scenarios/examples/minimal.json",
                 "-o", os.path.join(d, "never.html"))
check(rc == 2 and not os.path.exists(os.path.join(d, "never.html")), f"--sweep with a non-sweep file: {err}")
check_clean(err, "report --sweep")

# Headless Chromium: console clean, every chart has a non-empty bounding box, screenshot not blank.
probe = os.path.join(d, "probe.html")
script = """<script>
const out = [];
for (const svg of document.querySelectorAll('svg.chart')) {
  const b = svg.getBBox(); const r = svg.getBoundingClientRect();
  out.push({id: svg.id, w: b.width, h: b.height, rw: r.width, rh: r.height});
}
const pre = document.createElement('pre'); pre.id = 'dcplan-probe';
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""
open(probe, "w").write(html.replace("</body>", script + "</body>"))
p = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + probe)
check(p.returncode == 0, f"chromium ran: {p.stderr[-500:]}")
console = [l for l in p.stderr.splitlines() if ":CONSOLE(" in l or "Uncaught" in l]
check(not console, f"no console messages: {console}")
m = re.search(r'<pre id="dcplan-probe">(.*?)</pre>', p.stdout, re.S)
boxes = json.loads(m.group(1).replace("&quot;", '"')) if m else []
check(len(boxes) >= 7, f"the probe saw the charts, the tornado included: {len(boxes)}")
for b in boxes:
    check(b["w"] > 0 and b["h"] > 0 and b["rw"] > 0 and b["rh"] > 0, f"chart {b['id']} has a non-empty box: {b}")

shot = os.path.join(d, "report.png")
p = chromium("--window-size=1100,2400", f"--screenshot={shot}", "file://" + report)
check(p.returncode == 0 and os.path.exists(shot), f"screenshot taken: {p.stderr[-300:]}")
if os.path.exists(shot):
    n, w, h = png_colours(shot)
    print(f"screenshot {w}x{h}, {n} distinct colours")
    check(n > 16, f"the screenshot is not blank: {n} colours")
finish()
