"""Provenance on every output: what made it (dcplan's version and commit, the command line, the
SHA-256 of the merged scenario, the seed, the time), in each format; the scenario hash; dcplan
verify; hostile text in the recorded command."""
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = os.path.abspath("scenarios/examples/minimal.json")
EPOCH = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
KEYS = {"dcplan", "commit", "command", "scenario_sha256", "time"}

rc, version, _ = run("--version")
commit = [l for l in version.splitlines() if l.startswith("commit: ")][0][8:]
release = version.split()[1]
rc, merged, _ = run("validate", "--merged", MINIMAL)
sha = hashlib.sha256(merged.encode()).hexdigest()


def meta_ok(meta, what, command_has="run"):
    check(isinstance(meta, dict) and set(meta) >= KEYS, f"{what}: meta keys {meta}")
    check(meta.get("commit") == commit and meta.get("scenario_sha256") == sha,
          f"{what}: commit and scenario hash: {meta}")
    check(command_has in meta.get("command", ""), f"{what}: the command: {meta}")
    check(meta.get("time") == "2023-11-14T22:13:20Z", f"{what}: SOURCE_DATE_EPOCH time: {meta}")


# --provenance: the block alone, and the hash is the merged document's (validate --merged).
rc, out, err = run("run", MINIMAL, "--provenance", env=EPOCH)
meta_ok(json.loads(out), "--provenance")

# The hash: the same inputs the same hash; one --set changed, another hash.
rc, again, _ = run("run", MINIMAL, "--provenance", env=EPOCH)
check(json.loads(again)["scenario_sha256"] == sha, "the same inputs, the same hash")
rc, other, _ = run("run", MINIMAL, "--provenance", "--set", "/regions/us-east/pue=1.31")
check(json.loads(other)["scenario_sha256"] != sha, "one --set changed, another hash")
rc, same_set, _ = run("run", MINIMAL, "--provenance", "--set", "/regions/us-east/pue=1.31")
check(json.loads(same_set)["scenario_sha256"] == json.loads(other)["scenario_sha256"],
      "the same --set, the same hash")
rc, stdin_prov, _ = run("run", "-", "--provenance", stdin=open(MINIMAL).read(), cwd="scenarios/examples")
check(rc == 0 and len(json.loads(stdin_prov)["scenario_sha256"]) == 64, "standard input is hashed once")

# json: {"meta": ..., "rows": [...]}; jsonl: a first line {"meta": ...}; md: a footer.
rc, out, err = run("run", MINIMAL, "--format", "json", env=EPOCH)
doc = json.loads(out)
meta_ok(doc["meta"], "json")
check(isinstance(doc["rows"], list) and doc["rows"][0]["region"] == "us-east", "json rows")
rc, out, err = run("run", MINIMAL, "--format", "jsonl", env=EPOCH)
lines = out.splitlines()
meta_ok(json.loads(lines[0])["meta"], "jsonl")
check("year" in json.loads(lines[1]), "jsonl rows after the meta line")
rc, out, err = run("run", MINIMAL, "--format", "md", env=EPOCH)
footer, record = out.strip().splitlines()[-2:]
meta_ok(json.loads(record[len("<!-- dcplan-provenance "):-len(" -->")]), "md record")
check(footer.startswith("<sub>dcplan ") and sha in footer and commit.replace("-", "\\-") in footer,
      f"md footer: {footer}")

# csv: a plain table on standard output that pandas reads without options; with -o, a sidecar.
rc, out, err = run("run", MINIMAL, "--format", "csv")
check(out.startswith("year,region,"), f"csv stays a plain table: {out[:80]}")
d = tempdir()
path = os.path.join(d, "results.csv")
rc, _, err = run("run", MINIMAL, "--format", "csv", "-o", path, env=EPOCH)
meta_ok(json.loads(open(path + ".meta.json").read()), "csv sidecar")
check(open(path).read() == out, "the csv written with -o is the same plain table")
try:
    import pandas
    frame = pandas.read_csv(path)
    check(list(frame.columns[:2]) == ["year", "region"] and len(frame) == len(out.splitlines()) - 1,
          f"pandas.read_csv reads it with no arguments: {frame.shape}")
except ImportError:
    check(False, "python3-pandas is installed (tools/setup)")
rc, _, _ = run("run", MINIMAL, "--format", "csv", "-o", "/dev/null")
check(rc == 0 and not os.path.exists("/dev/null.meta.json"), "no sidecar beside a device")

# JUnit: the suite's properties.
junit = os.path.join(d, "targets.xml")
rc, _, err = run("run", MINIMAL, "--check", "--junit", junit, "-o", "/dev/null", env=EPOCH)
suite = ET.parse(junit).getroot().find("testsuite")
props = {p.get("name"): p.get("value") for p in suite.find("properties")}
meta_ok({k[len("dcplan."):]: v for k, v in props.items()} | {"dcplan": props["dcplan.version"]},
        "JUnit properties")

# HTML report: a footer, and the record in the head.
html = os.path.join(d, "report.html")
rc, _, err = run("report", MINIMAL, "-o", html, env=EPOCH)
text = open(html).read()
check(f"scenario SHA-256 {sha}" in text and f"(commit {commit})" in text, "report footer")
at = text.index('<script type="application/json" id="dcplan-provenance">')
meta_ok(json.loads(text[text.index(">", at) + 1:text.index("</script>", at)]), "report record", "report")

# Sweep headers: as before, plus version and commit (csv and jsonl).
rc, out, _ = run("sweep", MINIMAL, "--vary", "/capex/budget*=0.9,1.1", "--by", "total")
check(f" dcplan={release} commit={commit}" in out.splitlines()[0], f"sweep csv header: {out[:120]}")
rc, out, _ = run("sweep", MINIMAL, "--vary", "/capex/budget*=0.9,1.1", "--format", "jsonl")
head = json.loads(out.splitlines()[0])["dcplan_sweep"]
check(head.get("commit") == commit and head.get("dcplan") == release, f"sweep jsonl header: {head}")
# A shard written before 0.2 (no version or commit) still merges.
shard = os.path.join(d, "old.csv")
rc, out, _ = run("sweep", MINIMAL, "--vary", "/capex/budget*=0.9,1.1", "--by", "total")
first, rest = out.split("\n", 1)
open(shard, "w").write(first.split(" dcplan=")[0] + "\n" + rest)
rc, merged_out, err = run("merge", shard)
check(rc == 0 and merged_out.split("\n", 1)[1] == rest, f"an old header merges: {rc} {err}")

# compare, solve, optimize, sensitivity: json gets "meta" as its first key, md a footer, csv
# written with -o a sidecar.
rc, out, err = run("compare", MINIMAL, MINIMAL, "--set", "/regions/us-east/pue=1.31", "--format",
                   "json", "--by", "total", env=EPOCH)
cmeta = json.loads(out)["meta"]
check(cmeta.get("base_sha256") == sha and len(cmeta.get("scenario_sha256", "")) == 64
      and cmeta["scenario_sha256"] != sha, f"compare json meta: the two hashes: {cmeta}")
rc, out, err = run("compare", MINIMAL, MINIMAL, "--format", "md", "--by", "total")
check(out.strip().splitlines()[-2].startswith("<sub>dcplan ") and
      out.strip().splitlines()[-1].startswith("<!-- dcplan-provenance {"), "compare md footer, record")
cpath = os.path.join(d, "compare.csv")
rc, _, err = run("compare", MINIMAL, MINIMAL, "--format", "csv", "-o", cpath, env=EPOCH)
meta_ok(json.loads(open(cpath + ".meta.json").read()), "compare csv sidecar", "compare")
rc, out, err = run("solve", MINIMAL, "--target", "energy_twh@2030>=1.5", "--vary",
                   "/capex/budget*=0.5:2", "--format", "json", env=EPOCH)
meta_ok(json.loads(out)["meta"], "solve json", "solve")
rc, out, err = run("-q", "optimize", MINIMAL, "--minimize", "cost_per_eflop_year_usd@2030", "--vary",
                   "/capex/budget*=0.8:1.2", "--max-runs", "40", "--seed", "7", "--format", "json",
                   env=EPOCH)
ometa = json.loads(out)["meta"]
meta_ok(ometa, "optimize json", "optimize")
check(ometa.get("seed") == 7, f"optimize records its seed: {ometa}")
for fmt in ["json", "md", "csv"]:
    spath = os.path.join(d, "sens." + fmt)
    rc, out, err = run("-q", "sensitivity", MINIMAL, "--method", "morris", "--seed", "5", "--metric",
                       "energy_twh@2030", "--vary", "/regions/us-east/pue=1.1:1.3", "--vary",
                       "/capex/budget*=0.8:1.2", "--format", fmt, "-o", spath, env=EPOCH)
    check(rc == 0, f"sensitivity {fmt}: {err}")
    rc, out, err = run("verify", spath, MINIMAL)
    check(rc == 0 and "scenario: matches" in out, f"verify sensitivity {fmt}: {out} {err}")
smeta = json.loads(open(os.path.join(d, "sens.json")).read())["meta"]
meta_ok(smeta, "sensitivity json", "sensitivity")
check(smeta.get("seed") == 5, f"sensitivity records its seed: {smeta}")

# --no-provenance: the shapes before 0.2.
rc, out, _ = run("run", MINIMAL, "--format", "json", "--no-provenance")
check(isinstance(json.loads(out), list), "--no-provenance: json is the bare rows array")
rc, out, _ = run("run", MINIMAL, "--format", "md", "--no-provenance")
check("<sub>" not in out, "--no-provenance: no md footer")
bare = os.path.join(d, "bare.csv")
rc, out, _ = run("run", MINIMAL, "--format", "csv", "-o", bare, "--no-provenance")
check(not os.path.exists(bare + ".meta.json"), "--no-provenance: no sidecar")

# dcplan verify: each format's record against the scenario; a changed --set; no record.
outputs = {"json": ["--format", "json"], "jsonl": ["--format", "jsonl"], "md": ["--format", "md"],
           "csv": ["--format", "csv"]}
for name, args in outputs.items():
    p = os.path.join(d, "verify." + name)
    rc, _, err = run("run", MINIMAL, *args, "-o", p)
    rc, out, err = run("verify", p, MINIMAL)
    check(rc == 0 and "scenario: matches" in out, f"verify {name}: {rc} {out} {err}")
    rc, out, err = run("verify", p, MINIMAL, "--set", "/regions/us-east/pue=1.31")
    check(rc == 1 and "does NOT match" in out, f"verify {name} against another --set: {rc} {out}")
for p in (junit, html):
    rc, out, err = run("verify", p, MINIMAL)
    check(rc == 0 and "scenario: matches" in out, f"verify {os.path.basename(p)}: {rc} {out} {err}")
rc, out, err = run("verify", os.path.join(d, "verify.json"), MINIMAL)
clean = not commit.endswith("-dirty") and commit != "unknown"
check(("would reproduce the output exactly" in out) == clean,
      f"verify says whether this binary reproduces it: {out}")
rc, out, err = run("verify", bare, MINIMAL)
check(rc == 2 and "no provenance" in err, f"verify without provenance: {rc} {err}")
check_clean(err, "verify without provenance")

# Hostile text in the command line (a scenario path): every format stays valid, nothing raw.
evil_dir = os.path.join(d, 'x"</sub><script>alert(1)</script>\'&\n')
os.makedirs(evil_dir)
evil = os.path.join(evil_dir, "s.json")
shutil.copy(MINIMAL, evil)
rc, out, err = run("run", evil, "--format", "json")
check(rc == 0 and "<script>" in json.loads(out)["meta"]["command"], f"json keeps the command: {err}")
rc, out, err = run("run", evil, "--format", "md")
check("<script>" not in out and "</sub><" not in out.strip().splitlines()[-2][:-6],
      f"md footer escapes the command: {out[-300:]}")
ej = os.path.join(d, "evil.xml")
rc, _, err = run("run", evil, "--check", "--junit", ej, "-o", "/dev/null")
ET.parse(ej)  # well-formed
eh = os.path.join(d, "evil.html")
rc, _, err = run("report", evil, "-o", eh)
check("<script>alert" not in open(eh).read() and open(eh).read().count("</script>") == 1,
      "report footer and record escape the command")
rc, out, err = run("verify", ej, evil)
check(rc == 0, f"verify reads a hostile JUnit record back: {rc} {out} {err}")
finish()
