"""The JSON Schema printed by `dcplan schema` (draft 2020-12) accepts the merged document of every
shipped scenario and rejects the merged document of every invalid test scenario whose problem a
JSON Schema can express (tests/invalid/cases.json, schema_rejects). Also: the committed scenario
reference (docs/scenario-reference.md) is what `dcplan schema --markdown` generates."""
import glob
import json
import os
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from common import check, finish, run  # noqa: E402

rc, out, err = run("schema")
check(rc == 0, f"dcplan schema exits 0: {err}")
schema = json.loads(out)
check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "draft 2020-12")
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

shipped = [p for p in glob.glob("scenarios/**/*.json", recursive=True)
           if "/catalog/" not in p and not p.endswith(".gates.json")]
check(len(shipped) >= 1, "at least one shipped scenario")
for path in sorted(shipped):
    rc, out, err = run("validate", "--merged", path)
    check(rc == 0, f"{path}: dcplan validate exits 0: {err}")
    doc = json.loads(out)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    check(not errors, f"{path}: schema accepts the merged document: "
          + "; ".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:3]))

cases = json.load(open("tests/invalid/cases.json"))["cases"]
expressible = [c for c in cases if c["schema_rejects"]]
check(len(expressible) >= 20, f"at least 20 schema-expressible invalid cases, found {len(expressible)}")
for case in cases:
    path = os.path.join("tests/invalid", case["file"])
    rc, out, err = run("validate", "--merged", path)
    if not case["schema_rejects"]:
        continue
    check(out.strip() != "", f"{path}: merged document printed")
    try:
        doc = json.loads(out)
    except json.JSONDecodeError as e:
        check(False, f"{path}: merged output is JSON: {e}")
        continue
    check(not validator.is_valid(doc), f"{path}: schema rejects the merged document")

# The reference in docs/ is generated from the same table.
rc, out, err = run("schema", "--markdown")
check(rc == 0, "dcplan schema --markdown exits 0")
committed = open("docs/scenario-reference.md").read()
check(committed == out, "docs/scenario-reference.md matches `dcplan schema --markdown` "
      "(regenerate it with: build/dcplan schema --markdown -o docs/scenario-reference.md)")
finish()
