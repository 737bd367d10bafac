"""Paths given to the Python functions: str, bytes and os.PathLike alike, a name that is not
UTF-8, and an embedded NUL refused (pytest; PYTHONPATH=build/python)."""
import os
import pathlib
import shutil

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
GATES = '["energy_twh@2030<=+5%"]'


def every_call(path, gates):
    """Each function that takes a path, called with `path` (and `gates` as the gates file)."""
    vary = {"/capex/budget*": "0.8:1.2"}
    return {
        "load": lambda: dcplan.load(path),
        "validate": lambda: dcplan.validate(path),
        "run": lambda: dcplan.run(path, by="total", metrics="energy_twh"),
        "sweep": lambda: dcplan.sweep(path, vary={"/capex/budget*": [1, 2]}),
        "compare": lambda: dcplan.compare(path, path),
        "compare_other": lambda: dcplan.compare(MINIMAL, path),
        "gates_file": lambda: dcplan.compare(MINIMAL, MINIMAL, gates_file=gates),
        "solve": lambda: dcplan.solve(path, vary={"/capex/budget": (1e9, 1e10)},
                                      targets=["energy_twh@2030>=2.5"]),
        "optimize": lambda: dcplan.optimize(path, "energy_twh@2030", vary={"/capex/budget*": (
            0.8, 1.2)}, max_runs=20),
        "sensitivity": lambda: dcplan.sensitivity(path, vary=vary, metrics=["energy_twh@2030"],
                                                  method="tornado"),
    }


NAMES = sorted(every_call(MINIMAL, None))


@pytest.fixture
def files(tmp_path):
    scenario = tmp_path / "min.json"
    shutil.copy(MINIMAL, scenario)
    gates = tmp_path / "gates.json"
    gates.write_text(GATES)
    return scenario, gates


@pytest.mark.parametrize("kind", ["str", "bytes", "pathlib"])
@pytest.mark.parametrize("name", NAMES)
def test_str_bytes_and_pathlike_name_the_same_file(files, kind, name):
    scenario, gates = files
    as_kind = {"str": str, "bytes": os.fsencode, "pathlib": pathlib.Path}[kind]
    every_call(as_kind(scenario), as_kind(gates))[name]()


def test_relative_bytes_run_the_file(files, monkeypatch):
    scenario, _ = files
    monkeypatch.chdir(scenario.parent)
    assert dcplan.run(b"min.json", by="total").equals(dcplan.run("min.json", by="total"))
    assert dcplan.load(b"min.json").path == "min.json"


@pytest.mark.parametrize("name", NAMES)
def test_an_embedded_nul_is_refused(files, monkeypatch, name):
    scenario, gates = files
    monkeypatch.chdir(scenario.parent)
    for bad in ("min.json\0.txt", b"min.json\0.txt"):
        if name == "gates_file":
            call = every_call("min.json", bad)[name]
        else:
            call = every_call(bad, "gates.json")[name]
        with pytest.raises(dcplan.InputError) as e:
            call()
        assert "NUL" in str(e.value), str(e.value)


def test_a_name_that_is_not_utf8(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.json")
    shutil.copy(MINIMAL, name)
    s = dcplan.load(name)
    assert os.fsencode(s.path) == name and s.path == os.fsdecode(name)
    assert dcplan.run(name, by="total").equals(dcplan.run(MINIMAL, by="total"))
    assert dcplan.run(os.fsdecode(name), by="total").equals(dcplan.run(s, by="total"))
    # An error naming such a file is readable too.
    missing = os.path.join(os.fsencode(tmp_path), b"no-\xff.json")
    with pytest.raises(dcplan.InputError) as e:
        dcplan.load(missing)
    assert os.fsencode(e.value.file) == missing


def test_a_path_of_another_type_is_a_type_error():
    with pytest.raises(TypeError):
        dcplan.run(42)
    with pytest.raises(TypeError):
        dcplan.load(None)
