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
from common import check, finish, run, tempdir  # noqa: E402

rc, out, err = run("schema")
check(rc == 0, f"dcplan schema exits 0: {err}")
schema = json.loads(out)
check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "draft 2020-12")
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

shipped = [p for p in glob.glob("scenarios/**/*.json", recursive=True)
           if "/catalog/" not in p and "/gates/" not in p]
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

# Every bound, both ways: for each numeric value of a document that uses every trajectory form
# (series with then_growth, exponential, a relative target bound), set it at each bound the
# schema gives it and just past it. Where the loader refuses the value itself (its message
# names that very pointer), the schema must refuse the document too; where the schema refuses,
# so must the loader. (Rules between values, such as shares summing to 1, are the loader's own
# and name another pointer.)
base = json.load(open("scenarios/examples/minimal.json"))
base["capex"]["budget"] = {"series": {"2025": 2e9, "2027": 3e9}, "then_growth": 0.05}
base["regions"]["us-east"]["power_price_usd_per_mwh"] = {
    "exponential": {"base": 81, "base_year": 2025, "rate": 0.02}}
base["targets"].append({"name": "capex", "metric": "capex_usd", "years": [2025, 2026],
                        "at_most": {"times": 3, "of_year": 2025}})
bound_dir = tempdir()
base_path = os.path.join(bound_dir, "bounds.json")
json.dump(base, open(base_path, "w"))


def schema_at(node, path):
    """The schemas that apply to the value at `path` (a list of keys) under `node`."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    if "anyOf" in node:
        return [s for alt in node["anyOf"] for s in schema_at(alt, path)]
    if not path:
        return [node]
    key, rest = path[0], path[1:]
    if isinstance(key, int):
        return schema_at(node.get("items", {}), rest) if node.get("type") == "array" else []
    if node.get("type") not in (None, "object"):
        return []
    if key in node.get("properties", {}):
        return schema_at(node["properties"][key], rest)
    extra = node.get("additionalProperties")
    return schema_at(extra, rest) if isinstance(extra, dict) else []


def leaves(v, path=()):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, path + (i,))
    elif isinstance(v, (int, float)) and not isinstance(v, bool):
        yield path, v


def pointer(path):
    return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in path)


bounds_checked = 0
for path, _ in leaves(base):
    if path[0] in ("dcplan",):
        continue
    for sch in schema_at(schema, list(path)):
        if sch.get("type") not in ("number", "integer"):
            continue
        step = 1 if sch["type"] == "integer" else 1e-6
        # Probes the loader may bound where the schema does not, and the schema's own bounds.
        values = [-1e9, -1, 0, 1, 1e9] if sch["type"] == "number" else [-1, 0, 1800, 3000]
        for key, sign in (("minimum", -1), ("exclusiveMinimum", -1), ("maximum", 1),
                          ("exclusiveMaximum", 1)):
            if key in sch:
                b = sch[key]
                b = int(b) if sch["type"] == "integer" else b
                values += [b, b + sign * step, b - sign * step]
        for value in values:
            ptr = pointer(path)
            rc, out, err = run("validate", "--merged", base_path, "--set", f"{ptr}={json.dumps(value)}")
            doc = json.loads(out) if out.strip() else None
            schema_ok = doc is not None and validator.is_valid(doc)
            # Rules against other values (the horizon, the start year) are the loader's own.
            cross = any(w in err for w in ("horizon", "start (", "sums to", "initial fleet"))
            loader_refuses_value = rc == 2 and f": {ptr}: " in err and not cross
            bounds_checked += 1
            if loader_refuses_value:
                check(not schema_ok, f"{ptr}={value}: the loader refuses it, the schema accepts it: {err[:200]}")
            if not schema_ok and doc is not None:
                check(rc == 2, f"{ptr}={value}: the schema refuses it, the loader accepts it")
check(bounds_checked >= 150, f"at least 60 bound values checked, found {bounds_checked}")

# The reference in docs/ is generated from the same table.
rc, out, err = run("schema", "--markdown")
check(rc == 0, "dcplan schema --markdown exits 0")
committed = open("docs/scenario-reference.md").read()
check(committed == out, "docs/scenario-reference.md matches `dcplan schema --markdown` "
      "(regenerate it with: build/dcplan schema --markdown -o docs/scenario-reference.md)")
finish()
