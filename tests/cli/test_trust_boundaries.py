"""The trust boundaries (docs/architecture.md) under attack: the defects found by attacking
dcplan (issue 12) in what it reads and writes, one block per numbered item, each of which failed
before its fix: --allow-dir and include confined, include bombs and the product of the limits
bounded, output written through links from a temporary file that a signal removes, text from
the input escaped in markdown, on standard error and in JUnit XML, hand-edited sweep files refused
by merge and report. The other items are in test_edge_cases.py; the hostile-input classes in
test_hostile.py; the path-confinement race in test_confinement.py."""
import json
import os
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from common import (  # noqa: E402
    DCPLAN,
    MINIMAL_PATH,
    check,
    check_clean,
    finish,
    minimal_variant,
    run,
    tempdir,
    temporaries,
    write_in,
)

d = tempdir()
MINIMAL = json.load(open(MINIMAL_PATH))


def write(name, doc):
    return write_in(d, name, doc)


def scenario(name, **patch):
    return minimal_variant(d, name, **patch)


def no_controls(text, what):
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    check(not bad, f"{what}: no control characters ({[hex(ord(c)) for c in bad[:5]]})")


# 1. An --allow-dir that cannot be resolved is an error, never a root containing everything.
loop = os.path.join(d, "loop")
os.symlink(loop, loop)
for name, value in [("empty", ""), ("loop", loop), ("missing", os.path.join(d, "nowhere")),
                    ("too long", "/" + "x" * 5000)]:
    rc, out, err = run("--allow-dir", value, "run", MINIMAL_PATH)
    check(rc == 2 and "--allow-dir" in err, f"1: --allow-dir {name}: exit 2, got {rc}: {err[:200]}")
    check_clean(err, f"1: --allow-dir {name}")

# 2. -o and --junit write through a symbolic link, keep the link and the file's mode.
target = write("target.csv", "old\n")
os.chmod(target, 0o600)
link = os.path.join(d, "link.csv")
os.symlink("target.csv", link)
rc, out, err = run("run", MINIMAL_PATH, "--format", "csv", "-o", link)
check(rc == 0 and os.path.islink(link), f"2: -o through a link keeps the link: {err}")
check(open(target).read().startswith("year,region"), "2: the link's target gets the output")
check(stat.S_IMODE(os.stat(target).st_mode) == 0o600, "2: the target keeps its mode 0600")
jlink = os.path.join(d, "junit-link.xml")
os.symlink("junit-target.xml", jlink)  # dangling: the file it names is created
rc, out, err = run("run", MINIMAL_PATH, "--junit", jlink, "-o", os.devnull)
check(rc == 0 and os.path.islink(jlink) and os.path.isfile(os.path.join(d, "junit-target.xml")),
      f"2: --junit through a dangling link creates its target: {err}")
dev_link = os.path.join(d, "null-link")
os.symlink(os.devnull, dev_link)
rc, out, err = run("run", MINIMAL_PATH, "-o", dev_link)
check(rc == 0 and os.path.islink(dev_link), f"2: a link to a device stays a link: {err}")
rc, out, err = run("run", MINIMAL_PATH, "--format", "csv", "-o", "/dev/stdout")
check(rc == 0 and out.startswith("year,region") and os.path.islink("/dev/stdout"),
      f"2: -o /dev/stdout writes to standard output, the device link stays: {err}")

# 3 and 12 (signals). The temporary file is made by mkstemp (its name is not the target's, so
# nothing can be planted at it), and a signal removes it: SIGTERM, SIGHUP, SIGQUIT, SIGPIPE.
slow = ["sweep", "scenarios/alibaba-380b.json", "--vary", "/capex/budget*=uniform(0.8,1.2)",
        "--samples", "2000000", "--jobs", "1"]
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
    sd = tempdir()
    out_path = os.path.join(sd, "out.csv")
    p = subprocess.Popen([DCPLAN, *slow, "-o", out_path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    seen = []
    for _ in range(100):
        seen = temporaries(sd)
        if seen:
            break
        time.sleep(0.05)
    check(seen and all("out.csv" not in f for f in seen),
          f"3: the temporary file's name is not derived from the target's: {seen}")
    time.sleep(0.2)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    check(p.returncode == 128 + sig, f"12: sweep stopped by {sig.name}: exit {p.returncode}")
    check(not os.listdir(sd), f"12: {sig.name} during sweep leaves no file: {os.listdir(sd)}")
# merge, blocked on a pipe, then stopped.
md = tempdir()
fifo = os.path.join(md, "shard.fifo")
os.mkfifo(fifo)
p = subprocess.Popen([DCPLAN, "merge", fifo, "-o", os.path.join(md, "merged.csv")],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
for _ in range(100):
    if temporaries(md):
        break
    time.sleep(0.05)
p.send_signal(signal.SIGTERM)
p.communicate(timeout=30)
check(p.returncode == 128 + signal.SIGTERM and temporaries(md) == [],
      f"12: SIGTERM during merge leaves no temporary file: {p.returncode} {os.listdir(md)}")

# 5. include "-" (and "./-") is a file path, never standard input.
for name in ["-", "./-"]:
    scenario("stdin-include.json", include=[name])  # run from its own directory: "-" alone
    rc, out, err = run("run", "stdin-include.json", stdin='{"name": "from stdin"}', cwd=d)
    check(rc == 2 and "cannot read the file" in err, f"5: include {name!r} is a file: {rc} {err}")

# 6. compare --format md escapes everything from the input; a gate's text is a code span.
# A tag can hold anything, so a gate selecting it carries the payload.
payload = "`|\n![x](//evil.example/x.png) **PASS** ``"
md_doc = json.loads(json.dumps(MINIMAL))
md_doc["regions"]["us-east"]["tags"] = [payload]
md_path = write("md-tags.json", md_doc)
gates = write("gates.json", json.dumps([f"energy_twh@2030:#{payload}<=+500%"]))
rc, out, err = run("compare", md_path, md_path, "--gates", gates, "--format", "md")
check(rc == 0, f"6: the injected gate parses and passes: {rc} {err}")
import re  # noqa: E402


def outside_code(line):
    """The line with its code spans removed (CommonMark: a run of n backticks up to the next
    run of exactly n), where markdown is literal."""
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


prose = "\n".join(outside_code(line).replace("\\!", "").replace("\\[", "").replace("\\]", "")
                   .replace("\\(", "").replace("\\)", "") for line in out.splitlines())
check("![" not in prose and "](" not in prose and "**PASS**" not in prose,
      f"6: no image, link or emphasis from the input outside code spans: {prose[:600]}")
table = [line for line in out.splitlines() if line.startswith("|")]
check(table and len({line.count(" | ") - line.count("\\|") for line in table[:3]}) >= 1,
      "6: the gate table is there")
gate_rows = [line for line in table if "energy" in line and "pass" in line]
check(len(gate_rows) == 1 and gate_rows[0].startswith("| ``"),
      f"6: the gate's text sits in a code span with a longer fence: {gate_rows}")
check("\n**PASS**" not in out and "\n![" not in out, "6: no line of its own from the gate text")
no_controls(out, "6: markdown")

# 7. Control characters never reach standard error, the check table or the JUnit XML.
evil = "x\x1b[31mRED\x07\r\n::error::forged PASS"
doc = json.loads(json.dumps(MINIMAL))
doc["targets"][0]["name"] = evil
path = write("evil-target.json", doc)
junit = os.path.join(d, "evil.xml")
rc, out, err = run("run", path, "--check", "--junit", junit, "--set", "/targets/0/at_least/times=100",
                   "-o", os.devnull)
check(rc == 1, f"7: the target fails: {rc}")
no_controls(err.replace("\n", ""), "7: --check on standard error")
check(not [line for line in err.splitlines() if line.startswith("::error::")],
      "7: no forged CI annotation line")
try:
    root = ET.parse(junit).getroot()
    check(root.find(".//testcase") is not None, "7: JUnit XML parses")
except ET.ParseError as e:
    check(False, f"7: JUnit XML is well-formed: {e}")
long_include = "a\x1b[2J" * 1000 + ".json"
path = scenario("evil-include.json", include=[long_include])
rc, out, err = run("run", path)
check(rc == 2 and all(len(line) < 700 for line in err.splitlines()),
      f"7: a 5 KB include path is bounded in the message: {max(map(len, err.splitlines()))}")
no_controls(err.replace("\n", ""), "7: include path in an error")
doc = json.loads(json.dumps(MINIMAL))
doc["regions"]["us-east"]["\x1b]0;title\x07key"] = 1
rc, out, err = run("run", write("evil-key.json", doc))
check(rc == 2, f"7: unknown key: exit 2: {rc}")
no_controls(err.replace("\n", ""), "7: a JSON key in an error pointer")
doc = json.loads(json.dumps(MINIMAL))
doc["targets"][0]["region"] = "\x1b[1mus-east\r::error::x"
rc, out, err = run("run", write("evil-region.json", doc))
check(rc == 2, f"7: unknown target region: exit 2: {rc}")
no_controls(err.replace("\n", ""), "7: a target region in an error")

# 9. Include bombs: three files each including the next a thousand times.
bomb = tempdir()
json.dump({"name": "leaf"}, open(os.path.join(bomb, "c.json"), "w"))
json.dump({"include": ["c.json"] * 1000}, open(os.path.join(bomb, "b.json"), "w"))
doc = json.loads(json.dumps(MINIMAL))
doc["include"] = ["b.json"] * 1000
json.dump(doc, open(os.path.join(bomb, "a.json"), "w"))
start = time.monotonic()
rc, out, err = run("run", os.path.join(bomb, "a.json"))
check(rc == 2 and "files read through include and extends" in err and time.monotonic() - start < 10,
      f"9: an include bomb stops at the file limit: {rc} {err[:200]}")

# 10. The product of the limits: 2,000 regions x 500 types x 200 years.
hw = {f"h{i}": {"available": 2020, "bf16_tflops": 1, "all_in_w": 1, "price_usd": 1,
                "lifetime_years": 5, "source": "test"} for i in range(500)}
regions = {f"r{i}": {"pue": 1.2, "power_price_usd_per_mwh": 1, "grid_g_per_kwh": 1,
                     "facility_capex_usd_per_mw": 1e6} for i in range(2000)}
path = scenario("product.json", hardware=hw, regions=regions, horizon={"start": 2025, "end": 2224},
                capex={"budget": 1e9, "split": {"it": 0.7, "facility": 0.3, "other": 0},
                       "hardware_mix": {"*": {"h0": 1}}}, targets=[])
for command in (["run", path], ["report", path, "-o", os.path.join(d, "product.html")]):
    start = time.monotonic()
    rc, out, err = run(*command)
    check(rc == 2 and "above the limit" in err and time.monotonic() - start < 10,
          f"10: {command[0]} refuses the product of the limits: {rc} {err[:200]}")

# 11 and 12. merge: a header asking for 10^10 shards, a wrongly typed JSONL header, a truncated
# shard, another shard's rows under a copied header, junk lines.
shards = []
for k in range(3):
    rc, out, err = run("sweep", MINIMAL_PATH, "--vary", "/capex/budget*=uniform(0.8,1.2)",
                       "--samples", "10", "--shard", f"{k}/3")
    shards.append(write(f"shard.{k}.csv", out))
rc, whole, err = run("merge", *shards)
check(rc == 0, f"merge of good shards: {err}")
text = [open(s).read().splitlines(keepends=True) for s in shards]
bad_cases = {
    "10^10 shards": [text[0][0].replace("shard=0/3", "shard=0/10000000000")] + text[0][1:],
    "truncated": text[1][:-3],
    "foreign rows": [text[2][0]] + text[1][1:],
    "junk line": text[2] + ["junk\n"],
}
for name, lines in bad_cases.items():
    bad = write(f"bad-{name.replace(' ', '-').replace('^', '')}.csv", "".join(lines))
    files = [shards[0], shards[1], bad] if name != "10^10 shards" else [bad]
    if name == "truncated":
        files = [shards[0], bad, shards[2]]
    rc, out, err = run("merge", *files)
    check(rc == 2, f"11/12: merge refuses {name}: exit {rc}: {err[:200]}")
jsonl = write("typed.jsonl", '{"dcplan_sweep":{"version":1,"hash":"x","runs":"many","shard":"0/1"}}\n')
rc, out, err = run("merge", jsonl)
check(rc == 2 and "malformed header" in err, f"11: a JSONL header of the wrong type: exit {rc}")

# 13. report --sweep on hand-edited files; NaN never reaches the fan chart; legends whole.
rows = open(shards[0]).read().splitlines()
no_year = write("no-year.csv", "\n".join([rows[0]] + [",".join(r.split(",")[:2] + r.split(",")[3:])
                                                      for r in rows[1:]]) + "\n")
rc, out, err = run("report", MINIMAL_PATH, "--sweep", no_year, "-o", os.path.join(d, "r.html"))
check(rc == 2 and "year" in err, f"13: a sweep file without a year column: exit {rc}: {err[:200]}")
check_clean(err, "13: no year column")
cells = rows[2].split(",")
cells[-1] = "abc"
non_numeric = write("non-numeric.csv", "\n".join(rows[:2] + [",".join(cells)] + rows[3:]) + "\n")
rc, out, err = run("report", MINIMAL_PATH, "--sweep", non_numeric, "-o", os.path.join(d, "r.html"))
check(rc == 2 and "expected a number" in err, f"13: a non-numeric cell: exit {rc}: {err[:200]}")
summary = os.path.join(d, "nv-summary.csv")
rc, out, err = run("sweep", "scenarios/nvidia-openai-10gw.json", "--vary",
                   "/capex/budget*=uniform(0.8,1.2)", "--samples", "20", "--summary", "-o", summary)
html_path = os.path.join(d, "nv.html")
rc, out, err = run("report", "scenarios/nvidia-openai-10gw.json", "--sweep", summary, "-o", html_path)
html = open(html_path).read() if rc == 0 else ""
svg_numbers = [a for a in html.split('"') if a.lower() in ("nan", "-nan") or "nan," in a.lower()]
check(rc == 0 and not svg_numbers, f"13: no NaN coordinates in the fan charts: {rc} {svg_numbers[:3]}")
check("median, 5th-95th percentile" in html and "(median, ...</text>" not in html,
      "13: fan legends are not cut off")

check(temporaries(d) == [], f"no temporary file left anywhere: {temporaries(d)}")

finish()
