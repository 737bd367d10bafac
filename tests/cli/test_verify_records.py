"""dcplan verify reads only the record dcplan wrote: a scenario's title or description (free text)
can imitate any footer a reader sees, and must neither make another plan's output match nor hide
a genuine record. A SQLite store's provenance is its meta table (one sweep, or --sweep N)."""
import hashlib
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = os.path.abspath("scenarios/examples/minimal.json")
d = tempdir()
rc, version, _ = run("--version")
release = version.split()[1]
commit = [l for l in version.splitlines() if l.startswith("commit: ")][0][8:]
rc, merged, _ = run("validate", "--merged", MINIMAL)
min_sha = hashlib.sha256(merged.encode()).hexdigest()


def variant(name, **keys):
    """A copy of minimal.json beside it (its catalog paths stay valid) with keys replaced."""
    doc = json.load(open(MINIMAL))
    doc.update(keys)
    shutil.copytree(os.path.dirname(MINIMAL), os.path.join(d, "examples"), dirs_exist_ok=True)
    path = os.path.join(d, "examples", name)
    json.dump(doc, open(path, "w"))
    return path


# A report of another plan whose title carries minimal.json's hash in the footer's words: it
# is not minimal.json's report, and it is its own plan's.
forged_footer = f"dcplan {release} (commit {commit}), scenario SHA-256 {min_sha}, 2023: dcplan run"
other = variant("other.json", title=forged_footer, description=forged_footer)
html = os.path.join(d, "other.html")
rc, _, err = run("report", other, "-o", html)
check(rc == 0, f"report of a plan titled like a footer: {err}")
rc, out, err = run("verify", html, MINIMAL)
check(rc == 1 and "does NOT match" in out, f"a title imitating a footer matches nothing: {rc} {out}")
rc, out, err = run("verify", html, other)
check(rc == 0 and "scenario: matches" in out, f"the report matches its own plan: {rc} {out} {err}")

# A record element written as a description is escaped text, not a record.
fake = json.dumps({"dcplan": release, "commit": commit, "command": "x", "scenario_sha256": min_sha,
                   "time": "t"})
element = f'<script type="application/json" id="dcplan-provenance">{fake}</script>'
other2 = variant("other2.json", description=element, title=f"<!-- dcplan-provenance {fake} -->")
html2 = os.path.join(d, "other2.html")
rc, _, err = run("report", other2, "-o", html2)
rc, out, err = run("verify", html2, MINIMAL)
check(rc == 1, f"a record element in a description is not a record: {rc} {out} {err}")
rc, out, err = run("verify", html2, other2)
check(rc == 0, f"... and the page's own record still reads: {rc} {out} {err}")

# A footer-like text that names no hash must not hide the genuine record.
teaser = variant("teaser.json", title="dcplan 9.9 (commit fake)", description="dcplan 1 (commit x)")
html3 = os.path.join(d, "teaser.html")
rc, _, err = run("report", teaser, "-o", html3)
rc, out, err = run("verify", html3, teaser)
check(rc == 0 and "scenario: matches" in out, f"a footer-like title hides nothing: {rc} {out} {err}")

# Markdown: the record is the last line; a run's md ends with it.
md = os.path.join(d, "run.md")
rc, _, _ = run("run", MINIMAL, "--format", "md", "-o", md)
last = open(md).read().rstrip("\n").splitlines()[-1]
check(last.startswith("<!-- dcplan-provenance {") and last.endswith("} -->"), f"md record: {last}")
rc, out, err = run("verify", md, MINIMAL)
check(rc == 0, f"verify md: {rc} {out} {err}")
# A text that is no dcplan output, holding a record anywhere but its last line: no provenance.
loose = os.path.join(d, "loose.md")
open(loose, "w").write(open(md).read() + "a line after the record\n")
rc, out, err = run("verify", loose, MINIMAL)
check(rc == 2 and "no provenance" in err, f"a record not on the last line: {rc} {err}")
check_clean(err, "verify of a loose record")

# The record's JSON cannot close its element: a command holding "-->" and "</script>".
evil_dir = os.path.join(d, "a--></script><b>")
os.makedirs(evil_dir)
evil = os.path.join(evil_dir, "s.json")
shutil.copy(MINIMAL, evil)
for name, args in {"evil.md": ["run", evil, "--format", "md"], "evil.html": ["report", evil]}.items():
    p = os.path.join(d, name)
    rc, _, err = run(*args, "-o", p)
    text = open(p).read()
    check(text.count("-->") == (1 if name.endswith(".md") else 0) and
          text.count("</script>") == (1 if name.endswith(".html") else 0),
          f"{name}: the record's values are escaped: {text[-400:]}")
    rc, out, err = run("verify", p, evil)
    check(rc == 0, f"verify {name} with a hostile command: {rc} {out} {err}")

# SQLite: the meta table is the record.
store = os.path.join(d, "runs.sqlite")
rc, _, err = run("run", MINIMAL, "--format", "sqlite", "-o", store)
check(rc == 0, f"run into a store: {err}")
rc, out, err = run("verify", store, MINIMAL)
check(rc == 0 and "scenario: matches" in out, f"verify reads a store's meta: {rc} {out} {err}")
rc, out, err = run("verify", store, MINIMAL, "--set", "/regions/us-east/pue=1.31")
check(rc == 1, f"a store against another --set: {rc} {out}")
rc, _, err = run("sweep", MINIMAL, "--vary", "/capex/budget*=0.9,1.1", "--format", "sqlite", "-o",
                 store, "--append", "--set", "/regions/us-east/pue=1.31")
check(rc == 0, f"a sweep appended to the store: {err}")
rc, out, err = run("verify", store, MINIMAL)
check(rc == 2 and "--sweep" in err and "1, 2" in err, f"two sweeps: choose one: {rc} {err}")
rc, out, err = run("verify", store, MINIMAL, "--sweep", "1")
check(rc == 0, f"--sweep 1: {rc} {out} {err}")
rc, out, err = run("verify", store, MINIMAL, "--set", "/regions/us-east/pue=1.31", "--sweep", "2")
check(rc == 0, f"--sweep 2 with its --set: {rc} {out} {err}")
rc, out, err = run("verify", store, MINIMAL, "--sweep", "3")
check(rc == 2 and "no sweep 3" in err, f"--sweep of no sweep: {rc} {err}")
rc, out, err = run("verify", md, MINIMAL, "--sweep", "1")
check(rc == 2 and "SQLite store only" in err, f"--sweep on a file that is no store: {rc} {err}")
check_clean(err, "verify --sweep")
# A store is read as every store dcplan reads: a meta that is a view (it could say anything, or
# never end) is refused, not queried.
import sqlite3  # noqa: E402
planted = os.path.join(d, "planted.sqlite")
shutil.copy(store, planted)
db = sqlite3.connect(planted)
db.executescript("ALTER TABLE meta RENAME TO m2; CREATE VIEW meta AS SELECT * FROM m2;")
db.close()
rc, out, err = run("verify", planted, MINIMAL, "--sweep", "1")
check(rc == 2 and "view" in err, f"verify refuses a store whose meta is a view: {rc} {out} {err}")
finish()
