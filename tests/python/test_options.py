"""The command line's flags, Python's keywords and the option tables (dcplan/options.hpp) list
the same options, with the same defaults, for every command both have (pytest;
PYTHONPATH=build/python, DCPLAN_BIN the binary). `dcplan options --json` writes the tables
and, beside them, the options CLI11 really registered with the values their variables hold
before parsing; Python's are its functions' signatures."""
import inspect
import json
import os
import subprocess

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DCPLAN = os.environ.get("DCPLAN_BIN", os.path.join(ROOT, "build", "dcplan"))
COMMANDS = ["run", "compare", "sweep", "solve", "optimize", "sensitivity"]

# The options one side has and the other has not, each for a reason: output options (how the
# command line writes a result), and these. A new one must be added here on purpose.
CLI_ONLY = {
    ("solve", "--minimize"): "the default direction, said on the command line",
    ("optimize", "--maximize"): "the objective with its direction; Python: objective, maximize",
    ("optimize", "--minimize"): "the objective with its direction; Python: objective, maximize",
}
PYTHON_ONLY = {
    ("optimize", "objective"): "the command line names it with --maximize or --minimize",
    ("optimize", "maximize"): "the command line names it with --maximize or --minimize",
    ("optimize", "xtol"): "not (yet) an option of the command line",
    ("sweep", "progress"): "a callable; the command line draws its own progress bar",
    ("sensitivity", "tidy"): "how Python returns tornado's table; the command line has --format",
}


@pytest.fixture(scope="module")
def dump():
    p = subprocess.run([DCPLAN, "options", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def python_rows(table):
    return {row["python"]: row for row in table["options"] if row["python"]}


def same_value(text, value):
    """A default as the command line writes it (text) against a value of Python's: None for
    none (an empty text, an empty list, -1 for the command's own choice)."""
    if value is None:
        return text in ("", "[]", "-1")
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(text) == value
    return text == value


def test_the_command_line_and_python_read_the_same_tables(dump):
    tables = json.loads(dcplan._dcplan._options())
    assert list(tables) == COMMANDS
    for command in COMMANDS:
        assert tables[command]["options"] == dump[command]["options"], command
        assert tables[command]["python"] == dump[command]["python"], command


@pytest.mark.parametrize("command", COMMANDS)
def test_the_command_line_registers_exactly_its_tables_options(dump, command):
    table = dump[command]
    rows = [row for row in table["options"] if row["cli"]]
    registered = table["registered"]
    # The same names in the same order: no flag registered by hand beside the table.
    assert [r["names"] for r in registered] == [row["cli"] for row in rows]
    for row, r in zip(rows, registered):
        assert r["flag"] == (row["type"] == "flag"), row["cli"]
        assert r["required"] == row["required"], row["cli"]
        if r["flag"] or row["deferred"]:
            continue  # a flag is off; a deferred option holds its text until it is applied
        if row["type"] in ("texts",):
            assert r["default"] in ("", "[]") and row["default"] == "", row["cli"]
        elif row["type"] in ("int", "int64", "uint64", "number"):
            assert float(r["default"]) == float(row["default"]), row["cli"]
        else:
            assert r["default"] == row["default"], row["cli"]


@pytest.mark.parametrize("command", COMMANDS)
def test_python_has_exactly_its_tables_keywords(dump, command):
    table = dump[command]
    rows = python_rows(table)
    function = getattr(dcplan, command)
    parameters = inspect.signature(function).parameters
    assert list(parameters) == table["python"]
    assert set(parameters) == set(rows)
    for name, parameter in parameters.items():
        row = rows[name]
        if row["required"]:
            assert parameter.default is inspect.Parameter.empty, name
        else:
            assert parameter.default == row["python_default"], name
            assert type(parameter.default) is type(row["python_default"]), name
        assert f"    {name}" in function.__doc__, name


@pytest.mark.parametrize("command", COMMANDS)
def test_an_option_both_have_has_the_same_default(dump, command):
    for row in dump[command]["options"]:
        if not (row["cli"] and row["python"]) or row["required"]:
            continue
        parameter = inspect.signature(getattr(dcplan, command)).parameters[row["python"]]
        assert same_value(row["default"], parameter.default), (row["cli"], parameter.default)


@pytest.mark.parametrize("command", COMMANDS)
def test_one_sided_options_are_the_known_ones(dump, command):
    for row in dump[command]["options"]:
        if row["cli"] and not row["python"]:
            output = row["form"] in ("output", "output_flag")
            assert output or (command, row["cli"]) in CLI_ONLY, row["cli"]
        if row["python"] and not row["cli"]:
            assert (command, row["python"]) in PYTHON_ONLY, row["python"]


MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
# Arguments each command runs with; a bound checked on top of them fails before any run.
VALID = {
    "sweep": dict(scenario=MINIMAL, vary={"/capex/budget*": [1, 2]}),
    "solve": dict(scenario=MINIMAL, vary="/capex/budget=1e9:1e10",
                  targets=["energy_twh@2030>=2.5"]),
    "optimize": dict(scenario=MINIMAL, objective="energy_twh@2030",
                     vary={"/capex/budget*": (0.8, 1.2)}),
    "sensitivity": dict(scenario=MINIMAL, vary={"/capex/budget*": "0.8:1.2"},
                        metrics=["energy_twh@2030"]),
}


def bounded_rows():
    tables = json.loads(dcplan._dcplan._options())
    for command in VALID:
        for row in tables[command]["options"]:
            if row["python"] and row["bounds"]:
                yield command, row


@pytest.mark.parametrize("command, row", list(bounded_rows()),
                         ids=[f"{c}-{r['python']}" for c, r in bounded_rows()])
def test_the_library_refuses_just_outside_the_tables_bounds(command, row):
    """The bounds in a table are the library's: it refuses the values just outside them, naming
    the option (the command line's checks while parsing are CLI11's, from the same rows)."""
    b = row["bounds"]
    if b["open"]:
        outside = [b["lo"], b["hi"]]
    else:
        outside = [int(b["lo"]) - 1, int(b["hi"]) + 1]
    for value in outside:
        with pytest.raises(dcplan.InputError) as e:
            getattr(dcplan, command)(**{**VALID[command], row["python"]: value})
        assert e.value.file.lstrip("-").replace("-", "_") == row["python"], (value, str(e.value))


def test_solve_grid_is_one_option():
    """--grid and grid= are the same row: the same default, and the same answer."""
    args = ["--target", "energy_twh@2030>=2.5", "--vary", "/capex/budget=1e9:1e10"]
    p = subprocess.run([DCPLAN, "solve", MINIMAL, *args, "--grid", "4", "--format", "json"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    cli = json.loads(p.stdout)
    mine = dcplan.solve(MINIMAL, vary="/capex/budget=1e9:1e10", targets=["energy_twh@2030>=2.5"],
                        grid=4)
    assert (mine.value, mine.runs) == (cli["value"], cli["runs"])
    default = inspect.signature(dcplan.solve).parameters["grid"].default
    help_text = subprocess.run([DCPLAN, "solve", "--help"], capture_output=True, text=True).stdout
    assert f"(default {default})" in help_text and f"A grid of {default + 1} values" in help_text
