"""Shell completion and man pages, generated from the command definitions: the bash script
completes commands, options, the values of --format and metric names; every command has a man
page that shows its options; --version shows the commit."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, finish, run, tempdir  # noqa: E402

rc, script, err = run("completion", "bash")
check(rc == 0 and "complete -F _dcplan dcplan" in script, f"completion bash: {rc} {err}")


def complete(line):
    """The candidates bash offers for LINE (the cursor at its end)."""
    words = line.split(" ")
    d = tempdir()
    path = os.path.join(d, "dcplan.bash")
    with open(path, "w") as f:
        f.write(script)
    words_q = " ".join("'" + w + "'" for w in words)
    prog = (f"source '{path}'; COMP_WORDS=({words_q}); COMP_CWORD={len(words) - 1}; "
            f"COMP_LINE='{line}'; COMP_POINT={len(line)}; _dcplan; "
            "printf '%s\\n' \"${COMPREPLY[@]}\"")
    out = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, cwd=d)
    check(out.returncode == 0, f"completion of {line!r} ran: {out.stderr}")
    return [w for w in out.stdout.split("\n") if w]


check(complete("dcplan ru") == ["run"], f"dcplan ru<TAB>: {complete('dcplan ru')}")
check(complete("dcplan run --for") == ["--format"], f"--for<TAB>: {complete('dcplan run --for')}")
check(sorted(complete("dcplan run --format ")) == ["csv", "json", "jsonl", "md", "sqlite", "table"],
      f"run --format <TAB>: {complete('dcplan run --format ')}")
check(sorted(complete("dcplan sweep --format ")) == ["csv", "jsonl", "sqlite"],
      f"sweep --format <TAB>: {complete('dcplan sweep --format ')}")
check(complete("dcplan run --metrics ene") == ["energy_twh"],
      f"--metrics ene<TAB>: {complete('dcplan run --metrics ene')}")
check(complete("dcplan run --metrics pue,ene") == ["pue,energy_twh"],
      f"a metric list: {complete('dcplan run --metrics pue,ene')}")
check("--verbose" in complete("dcplan --"), f"global options: {complete('dcplan --')}")
check("run" in complete("dcplan -q "), f"a command after a global flag: {complete('dcplan -q ')}")

# Every command's options are offered, from the same definitions --help shows.
rc, help_text, _ = run("--help")
commands = re.findall(r"^  (\w+)\s", help_text.split("Subcommands:")[1].split("\n\n")[0], re.M)
check(len(commands) >= 14, f"commands in --help: {commands}")
for cmd in commands:
    rc, sub_help, _ = run(cmd, "--help")
    section = sub_help.split("Options:")[1].split("Examples:")[0] if "Options:" in sub_help else ""
    options = set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", section, re.M))
    offered = set(complete(f"dcplan {cmd} --"))
    check(options <= offered, f"{cmd}: --help options {sorted(options - offered)} not completed")

# Man pages: one per command, each showing that command's usage; dcplan-scenario(5).
d = tempdir()
rc, out, err = run("man", "--output-dir", d)
if True:
    check(rc == 0, f"dcplan man: {rc} {err}")
    for cmd in commands:
        page = os.path.join(d, "man1", f"dcplan-{cmd}.1")
        check(os.path.exists(page), f"no man page for {cmd}")
        text = open(page).read()
        check(f"dcplan {cmd} [OPTIONS]" in text and ".TH DCPLAN-" in text,
              f"dcplan-{cmd}.1 shows its usage")
    scenario = open(os.path.join(d, "man5", "dcplan-scenario.5")).read()
    check("facility_capex_usd_per_mw" in scenario, "dcplan-scenario(5) lists the keys")
    if subprocess.run(["sh", "-c", "command -v man"], capture_output=True).returncode == 0:
        shown = subprocess.run(["man", "-M", d, "dcplan-run"], capture_output=True, text=True,
                               env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
        check("--format" in shown.stdout and "dcplan run [OPTIONS]" in shown.stdout,
              f"man -M DIR dcplan-run: {shown.stdout[:300]} {shown.stderr}")

# --version: version, commit, compiler, libraries.
rc, out, _ = run("--version")
check(re.search(r"^commit: \S+", out, re.M) is not None, f"--version shows the commit: {out}")
for lib in ["Eigen", "nlohmann/json", "fmt", "spdlog", "CLI11", "NLopt", "Boost"]:
    check(lib + " " in out, f"--version names {lib}: {out}")
finish()
