"""dcplan report: a self-contained HTML file, well-formed, rendered in headless Chromium with no
console errors, every chart drawn, and a screenshot that is not blank."""
import csv
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, png_colours, run, tempdir  # noqa: E402

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
                   if "/catalog/" not in p and "/gates/" not in p):
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

# Model v3, the cost of capital: a section only when the scenario writes one of its keys, its
# table the total rows of `run --format csv`, the break-even chart with a demand price.
CAPITAL = "tests/data/capital.json"
# Break-even below 1 in 2025-2026 and 2028, none in 2027 (the price does not cover the
# electricity of full use), above 1 in 2029-2030.
PRICED = ["--set", '/demand={"eflop_year": 1000, "price_usd_per_eflop_year": {"series": {"2025": '
          '4e7, "2026": 2e7, "2027": 5e5, "2028": 2e7, "2029": 1e7, "2030": 1e7}}}']
UNITS = {"tn": 1e12, "bn": 1e9, "m": 1e6, "k": 1e3}


def parse_readable(cell):
    """A number the report prints: "US$1.23 bn", "US$2.05", "0.6", "" (empty: None)."""
    if cell == "":
        return None
    m = re.fullmatch(r"(-?)(?:US\$)?([0-9.]+)(?: (tn|bn|m|k))?", cell)
    check(m is not None, f"a readable number: {cell!r}")
    if m is None:
        return None
    return (-1 if m.group(1) else 1) * float(m.group(2)) * UNITS.get(m.group(3), 1)


def capital_table(text):
    """The cost-of-capital table: its header and {year: {header: cell}}."""
    m = re.search(r'<table id="table-capital">\n(.*?)</table>', text, re.S)
    if m is None:
        return [], {}
    lines = m.group(1).strip().split("\n")
    header = re.findall(r"<th>(.*?)</th>", lines[0])
    rows = {}
    for line in lines[1:]:
        cells = re.findall(r"<td>(.*?)</td>", line)
        rows[int(cells[0])] = dict(zip(header, cells))
    return header, rows


def csv_totals(*args):
    rc, out, err = run("run", *args, "--format", "csv", "--by", "total")
    check(rc == 0, f"run {args} --format csv: {err[:300]}")
    rows = list(csv.DictReader(io.StringIO(out)))
    return {int(r["year"]): r for r in rows if r["region"] == "total"}


def close(readable, exact, what):
    """The report's 3 significant digits against the csv's exact number."""
    got = parse_readable(readable)
    if exact == "":
        check(got is None, f"{what}: empty in the csv, {readable!r} in the report")
        return
    want = float(exact)
    check(got is not None and abs(got - want) <= 5.01e-3 * abs(want) + 1e-9,
          f"{what}: report {readable!r} against csv {want}")


COLUMNS = {"TCO": "tco_usd", "depreciation": "depreciation_usd",
           "capital charge": "capital_charge_usd", "book value": "book_value_usd",
           "interest during construction": "financing_usd",
           "cost per GPU-hour": "cost_per_gpu_hour_usd", "utilisation": "utilisation",
           "break-even utilisation": "breakeven_utilisation"}

capital_html = os.path.join(d, "capital.html")
rc, _, err = run("report", CAPITAL, "-o", capital_html)
check(rc == 0, f"report of {CAPITAL}: {err[:300]}")
text = open(capital_html, encoding="utf-8").read() if rc == 0 else ""
try:
    ET.fromstring(text.replace("<!DOCTYPE html>", "", 1))
except ET.ParseError as e:
    check(False, f"the cost-of-capital report is well-formed XML: {e}")
check("<h2>Cost of capital</h2>" in text and 'id="chart-capital-charge"' in text
      and 'id="chart-book-value"' in text, "the cost-of-capital section and its two charts")
check('TCO counts the capital charge (finance.capital_charge "annuity")' in text
      and "The cost of capital (wacc) is 8% (finance.wacc)." in text
      and "capital charge (TCO)" in text, "which charge TCO counts, and the wacc")
check("&lt;b&gt;test&lt;/b&gt; &amp; fixture" in text and "<b>test" not in text,
      "the scenario's title escaped")
check('id="chart-breakeven"' not in text, "no break-even chart without demand")
header, rows = capital_table(text)
totals = csv_totals(CAPITAL)
check(header == ["year", "TCO", "depreciation", "capital charge", "book value",
                 "interest during construction", "cost per GPU-hour"],
      f"the table's columns: {header}")
check(sorted(rows) == sorted(totals) == list(range(2025, 2031)), f"a row a year: {sorted(rows)}")
check(any(float(totals[y]["financing_usd"]) > 0 for y in totals), "interest during construction")
for year, row in rows.items():
    for label, cell in row.items():
        if label != "year":
            close(cell, totals[year][COLUMNS[label]], f"{year} {label}")
# The chart's two lines have a point a year.
chart = text[text.index('<svg id="chart-capital-charge"'):]
chart = chart[:chart.index("</svg>")]
lines = re.findall(r'<polyline points="([^"]*)"', chart)
check(len(lines) == 2 and all(len(p.split()) == 6 for p in lines),
      f"capital charge and depreciation, six years each: {lines}")

# Without a key of the cost of capital: no section, and none of its columns in the run.
for path in ["tests/data/base.json", "scenarios/examples/minimal.json"]:
    plain = os.path.join(d, "plain.html")
    rc, _, err = run("report", path, "-o", plain)
    t = open(plain, encoding="utf-8").read() if rc == 0 else "(none)"
    check(rc == 0 and "Cost of capital" not in t and "chart-capital-charge" not in t
          and "chart-breakeven" not in t and "table-capital" not in t,
          f"{path}: no cost-of-capital section: {err[:200]}")

# With a demand price: the break-even chart, and the table's utilisation and break-even.
priced_html = os.path.join(d, "priced.html")
rc, _, err = run("report", CAPITAL, *PRICED, "-o", priced_html)
ptext = open(priced_html, encoding="utf-8").read() if rc == 0 else ""
check(rc == 0 and 'id="chart-breakeven"' in ptext and "Above 1, no utilisation breaks even" in ptext,
      f"the break-even chart with a demand price: {err[:300]}")
header, rows = capital_table(ptext)
totals = csv_totals(CAPITAL, *PRICED)
check(header[-2:] == ["utilisation", "break-even utilisation"], f"break-even columns: {header}")
above = [y for y in totals if totals[y]["breakeven_utilisation"] not in ("", None)
         and float(totals[y]["breakeven_utilisation"]) > 1]
below = [y for y in totals if totals[y]["breakeven_utilisation"] not in ("", None)
         and float(totals[y]["breakeven_utilisation"]) <= 1]
check(above and below, f"the fixture breaks even in some years and not in others: {above} {below}")
check(f"would not cover TCO ({', '.join(map(str, sorted(above)))})." in ptext,
      f"the note names the years above 1: {above}")
empty = [y for y in totals if totals[y]["breakeven_utilisation"] == ""]
check(empty == [2027] and rows.get(2027, {}).get("break-even utilisation") == "",
      f"2027 has no break-even, an empty cell: {empty}")
# In the chart the break-even line (the first series) breaks at 2027: 2025-2026, then 2028-2030.
chart = ptext[ptext.index('<svg id="chart-breakeven"'):]
chart = chart[:chart.index("</svg>")]
first = re.findall(r'<polyline points="([^"]*)" fill="none" stroke="#0072B2"', chart)
check([len(p.split()) for p in first] == [2, 3], f"the break-even line has a gap in 2027: {first}")
for year, row in rows.items():
    for label, cell in row.items():
        if label != "year":
            close(cell, totals[year][COLUMNS[label]], f"priced {year} {label}")

# --compare: the base drawn dashed on the new charts.
other = os.path.join(d, "capital-12.json")
spec = json.load(open(CAPITAL))
spec["finance"]["wacc"] = 0.12
json.dump(spec, open(other, "w"))
cmp_capital = os.path.join(d, "capital-compare.html")
rc, _, err = run("report", CAPITAL, "--compare", other, *PRICED, "-o", cmp_capital)
ctext = open(cmp_capital, encoding="utf-8").read() if rc == 0 else ""
for cid, name in [("chart-capital-charge", "base: capital charge"),
                  ("chart-book-value", "base: book value"), ("chart-breakeven", "base: break-even")]:
    at = ctext.find(f'<svg id="{cid}"')
    svg = ctext[at:ctext.find("</svg>", at)] if at >= 0 else ""
    check("stroke-dasharray" in svg and name in svg, f"--compare: {cid} draws the base dashed")
check("The cost of capital (wacc) is 12% (finance.wacc)." in ctext, "--compare: OTHER's wacc")

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
capital_svgs = "".join(re.findall(r'<svg id="chart-(?:capital-charge|book-value|breakeven)".*?</svg>\n',
                                  ptext, re.S))
check(capital_svgs.count("<svg") == 3, "the three cost-of-capital charts, for the probe")
open(probe, "w").write(html.replace("</body>", capital_svgs + script + "</body>"))
p = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + probe)
check(p.returncode == 0, f"chromium ran: {p.stderr[-500:]}")
console = [l for l in p.stderr.splitlines() if ":CONSOLE(" in l or "Uncaught" in l]
check(not console, f"no console messages: {console}")
m = re.search(r'<pre id="dcplan-probe">(.*?)</pre>', p.stdout, re.S)
boxes = json.loads(m.group(1).replace("&quot;", '"')) if m else []
check(len(boxes) >= 10, f"the probe saw the charts, the tornado and the cost-of-capital charts "
      f"included: {len(boxes)}")
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
