"""dcplan serve over HTTP and in a browser.

Over HTTP: the guard (403 for a wrong Host or a foreign Origin, 401 without the token, 415 for
another content type, 411 and 413 for bodies without a length or too large, the edit-count
cap), the loader's diagnostics (400) for an out-of-bounds value and for /extends as `run --set`
prints them, a good edit's numbers equal to `dcplan run --set ... --format json` to the last
digit and its command line reproducing them, variants written only with --allow-save (run by
`dcplan run`, accepted by `dcplan validate`, never over a file), --allow-remote.

In headless Chromium through Selenium: every chart has a box, an edit of /capex/split/it shows
the command line's 2030 energy, the URL keeps the edit, the console is clean, a screenshot is
not blank. The browser is not optional: without Chromium, chromedriver or Selenium the test
fails (tools/setup installs them).

    test_serve.py DCPLAN                      the test
    test_serve.py DCPLAN --bench SCENARIO [N] N edits of SCENARIO in the browser: the time from
                                              an edit to the redrawn charts (Performance API)
    test_serve.py DCPLAN --screenshot PNG SCENARIO [POINTER=VALUE...] FILTER
                                              the page with those edits, its form filtered
"""
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, MINIMAL_PATH, check, check_clean, finish, png_colours, run, tempdir  # noqa: E402

SLOW = 4 if os.environ.get("DCPLAN_SANITIZED") else 1  # sanitizer builds run several times slower


class Server:
    """`dcplan serve SCENARIO --port 0 ARGS...`, its URL and port read from what it prints."""

    def __init__(self, scenario, *args):
        self.errors = open(os.path.join(tempdir(), "stderr"), "w+")
        self.proc = subprocess.Popen([DCPLAN, "serve", scenario, "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=self.errors, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(
            [self.proc.stdout.readline(), self.proc.stdout.readline()]), daemon=True)
        reader.start()
        reader.join(30 * SLOW)
        text = "".join(lines)
        port = re.search(r" port (\d+) ", text)
        url = re.search(r"^(http://\S+)$", text, re.M)
        if not port or not url:
            self.stop()
            raise RuntimeError(f"dcplan serve printed no URL: {text!r} {self.stderr()[-500:]}")
        self.port = int(port.group(1))
        self.url = url.group(1)
        self.token = self.url.split("#token=", 1)[1]
        self.host = f"127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, token=True, host=None):
        """(status, headers, body text); the Host header is ours unless `host` is given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30 * SLOW)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": host if host is not None else self.host}
        if token:
            sent["X-Dcplan-Token"] = self.token
        if body is not None:
            sent["Content-Type"] = "application/json"
            sent["Content-Length"] = str(len(body))
        sent.update(headers or {})
        for k, v in sent.items():
            if v is not None:
                conn.putheader(k, v)
        conn.endheaders(body.encode() if isinstance(body, str) else body)
        res = conn.getresponse()
        text = res.read().decode()
        conn.close()
        return res.status, dict(res.getheaders()), text

    def post(self, path, doc, **kw):
        status, headers, text = self.request("POST", path, json.dumps(doc), **kw)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"raw": text}

    def stderr(self):
        self.errors.seek(0)
        return self.errors.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def edits(*pairs):
    return {"set": [{"pointer": p, "value": v} for p, v in pairs]}


def cli_rows(scenario, *sets):
    """The rows `dcplan run SCENARIO --set ... --format json` prints, and its stderr."""
    args = [a for s in sets for a in ("--set", s)]
    rc, out, err = run("run", scenario, *args, "--format", "json")
    return (json.loads(out)["rows"] if rc == 0 else None), err


def cli_errors(scenario, *sets):
    """The diagnostics `dcplan run --set ...` prints, without their "error: "."""
    _, err = cli_rows(scenario, *sets)
    return [line[len("error: "):] for line in err.splitlines() if line.startswith("error: ")]


# ---------------------------------------------------------------------------------------------
# Over HTTP.

def check_guard(s):
    status, headers, page = s.request("GET", "/", token=False)
    check(status == 200 and "text/html" in headers.get("Content-Type", ""), f"the page: {status}")
    csp = headers.get("Content-Security-Policy", "")
    check("script-src 'sha256-" in csp and "unsafe" not in csp and "default-src 'none'" in csp and
          "frame-ancestors 'none'" in csp, f"a CSP with the script's hash only: {csp}")
    check(headers.get("X-Content-Type-Options") == "nosniff" and
          headers.get("X-Frame-Options") == "DENY", f"nosniff, no framing: {headers}")
    check(page.count("<script") == 1 and "http://" not in page and "https://" not in page and
          not re.search(r"\son[a-z]+\s*=", page) and " style=" not in page,
          "one inline script, nothing loaded from elsewhere, no inline handlers or styles")

    # DNS rebinding: the attacker's name, or another port, is refused before anything else.
    for host in ["evil.example", f"evil.example:{s.port}", f"127.0.0.1:{s.port + 1}", ""]:
        for path in ["/", "/api/form"]:
            status, _, _ = s.request("GET", path, host=host)
            check(status == 403, f"GET {path} with Host {host!r}: 403, got {status}")
    status, _ = s.post("/api/run", edits(), host=f"evil.example:{s.port}")
    check(status == 403, f"POST with the attacker's Host: 403, got {status}")
    status, _, _ = s.request("GET", "/api/form", headers={"Host": None})
    check(status == 403, f"no Host header: 403, got {status}")
    status, _, _ = s.request("GET", "/api/form", host=f"localhost:{s.port}")
    check(status == 200, f"Host localhost:PORT is this server: {status}")

    # The token.
    status, _, body = s.request("GET", "/api/form", token=False)
    check(status == 401 and "token" in body, f"no token: 401, got {status} {body[:100]}")
    status, _, _ = s.request("GET", "/api/form", headers={"X-Dcplan-Token": "0" * 64})
    check(status == 401, f"a wrong token: 401, got {status}")
    status, _ = s.post("/api/run", edits(), token=False)
    check(status == 401, f"POST without the token: 401, got {status}")

    # Cross-site requests: a foreign Origin, or the opaque "null" of a sandboxed page.
    for origin in ["http://evil.example", f"http://evil.example:{s.port}", "null",
                   f"https://127.0.0.1:{s.port}"]:
        status, _ = s.post("/api/run", edits(), headers={"Origin": origin})
        check(status == 403, f"POST from Origin {origin}: 403, got {status}")
    status, _ = s.post("/api/run", edits(), headers={"Origin": f"http://{s.host}"})
    check(status == 200, f"POST from the page's own origin: {status}")

    # JSON only, bounded.
    for ctype in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]:
        status, _, _ = s.request("POST", "/api/run", "{}", headers={"Content-Type": ctype})
        check(status == 415, f"Content-Type {ctype}: 415, got {status}")
    big = json.dumps(edits(*[("/capex/budget", 1e9)] * 3000))
    check(len(big) > 64 * 1024, "the big body is over the cap")
    status, _, _ = s.request("POST", "/api/run", big)
    check(status == 413, f"a body over 64 KiB: 413, got {status}")
    status, _, _ = s.request("POST", "/api/run", "{}", headers={"Content-Length": str(10 ** 12)})
    check(status == 413, f"a declared length of 1 TB: 413 at once, got {status}")
    status, _, _ = s.request("POST", "/api/run", "{}", headers={"Content-Length": None,
                                                                "Transfer-Encoding": "chunked"})
    check(status == 411, f"a chunked body: 411, got {status}")
    status, body = s.post("/api/run", edits(*[("/capex/budget", 1e9)] * 257))
    check(status == 413 and "256" in body.get("error", ""), f"257 edits: 413, got {status} {body}")
    for bad in [{"set": [{"pointer": "/capex/budget", "value": "1e9"}]},
                {"set": [{"pointer": "/capex/budget=2", "value": 1}]},
                {"set": [{"pointer": "capex", "value": 1}]},
                {"set": {"/capex/budget": 1}}, {"path": "/etc/passwd"}, [1, 2]]:
        status, body = s.post("/api/run", bad)
        check(status == 400 and body.get("error"), f"{json.dumps(bad)}: 400, got {status} {body}")
    # A number JSON cannot hold as a double (it would read as infinity).
    status, _, text = s.request("POST", "/api/run", '{"set": [{"pointer": "/capex/budget", "value": 1e999}]}')
    check(status == 400, f"1e999: 400, got {status} {text}")
    status, _, _ = s.request("PUT", "/api/run", "{}")
    check(status == 405, f"PUT: 405, got {status}")
    status, _, _ = s.request("GET", "/etc/passwd")
    check(status == 404, f"another path: 404, got {status}")


def check_answers(s):
    status, _, text = s.request("GET", "/api/form")
    form = json.loads(text)
    fields = {f["pointer"]: f for g in form["groups"] for f in g["fields"]}
    it = fields.get("/capex/split/it", {})
    check(it.get("value") == 0.7 and it.get("min") == {"value": 0, "exclusive": False} and
          it.get("max") == {"value": 1, "exclusive": False} and it.get("key") == "/capex/split/it",
          f"the form offers /capex/split/it with its bounds and value: {it}")
    check(fields.get("/regions/us-east/initial/fleet/h100/2024", {}).get("unit") == "count" and
          fields.get("/hardware/h100/lifetime_years", {}).get("integer") is True,
          "every numeric key, ids and years included, integers marked")
    check([g["group"] for g in form["groups"]][:2] == ["horizon", "hardware"] and
          "/dcplan" not in fields, f"grouped in the reference's order: {form['groups'][0]}")

    # Out of bounds, and a path: the loader's own diagnostics, as `run --set` prints them.
    for pointer, value in [("/capex/split/it", 1.5), ("/extends", 1), ("/include", 1),
                           ("/regions/us-east/pue", 0.5)]:
        status, body = s.post("/api/run", edits((pointer, value)))
        texts = [d["text"] for d in body.get("diagnostics", [])]
        want = cli_errors(MINIMAL_PATH, f"{pointer}={value}")
        check(status == 400 and texts and texts == want,
              f"{pointer}={value}: 400 with the loader's diagnostics {want}, got {status} {texts}")

    # A good edit: the numbers of `dcplan run --set ... --format json`, to the last digit.
    sets = [("/capex/split/it", 0.6), ("/capex/split/facility", 0.35),
            ("/regions/us-east/pue", 1.3)]
    status, body = s.post("/api/run", edits(*sets))
    want, _ = cli_rows(MINIMAL_PATH, *[f"{p}={v}" for p, v in sets])
    check(status == 200 and want and body.get("rows") == want,
          f"a good edit: 200, the rows of dcplan run --set ({status})")
    same = all(repr(a[k]) == repr(b[k]) for a, b in zip(body.get("rows", []), want or [])
               for k in a)
    check(same, "every number spelled as dcplan run spells it")
    command = body.get("command", "")
    check(command == "dcplan run scenarios/examples/minimal.json --set /capex/split/it=0.6 "
          "--set /capex/split/facility=0.35 --set /regions/us-east/pue=1.3",
          f"the command line: {command}")
    argv = shlex.split(command)
    rc, out, err = run(*argv[1:], "--format", "json")
    check(rc == 0 and json.loads(out)["rows"] == body.get("rows"), "the command line reproduces it")
    ids = [c["id"] for c in body.get("charts", [])]
    check(ids[:5] == ["chart-capacity", "chart-energy", "chart-accelerators", "chart-money",
                      "chart-emissions"], f"the report's charts: {ids}")
    energy = next((c["svg"] for c in body.get("charts", []) if c["id"] == "chart-energy"), "")
    check('xmlns="http://www.w3.org/2000/svg"' in energy and "stroke-dasharray" in energy,
          "SVG with its namespace, the base dashed")
    check([t["name"] for t in body.get("targets", [])] == ["energy in 2030 at least 2x 2025"] and
          isinstance(body["targets"][0]["passed"], bool), f"the targets: {body.get('targets')}")
    check(isinstance(body.get("warnings"), list), "the warnings")


def check_saving(d):
    """Variants: only with --allow-save, beside the scenario, never over a file."""
    shutil.copy(MINIMAL_PATH, os.path.join(d, "minimal.json"))
    scenario = os.path.join(d, "minimal.json")
    good = edits(("/capex/split/it", 0.6), ("/capex/split/facility", 0.35))

    s = Server(scenario)
    try:
        before = sorted(os.listdir(d))
        status, body = s.post("/api/save", dict(good, name="variant"))
        check(status == 403 and "--allow-save" in body.get("error", ""),
              f"save without --allow-save: 403, got {status} {body}")
        for _ in range(3):
            s.post("/api/run", good)
        check(sorted(os.listdir(d)) == before, "without --allow-save nothing is written")
    finally:
        check(s.stop() == 0, f"serve stops on SIGINT with 0: {s.stderr()[-300:]}")

    s = Server(scenario, "--allow-save")
    try:
        status, body = s.post("/api/save", dict(good, name="variant-a"))
        path = os.path.join(d, "variant-a.json")
        check(status == 201 and body.get("file") == path and os.path.isfile(path),
              f"save: 201 and {path}, got {status} {body}")
        doc = json.load(open(path))
        check(doc.get("extends") == "minimal.json" and
              doc.get("capex") == {"split": {"it": 0.6, "facility": 0.35}},
              f"the variant extends the scenario with the edits as a merge patch: {doc}")
        rc, out, err = run("validate", path)
        check(rc == 0 and "ok" in out, f"dcplan validate accepts the variant: {rc} {err}")
        want, _ = cli_rows(scenario, "/capex/split/it=0.6", "/capex/split/facility=0.35")
        got, err = cli_rows(path)
        check(got is not None and got == want, f"dcplan run runs the variant as the edit: {err}")
        mtime = os.stat(path).st_mtime_ns
        status, body = s.post("/api/save", dict(edits(("/capex/budget", 1e9)), name="variant-a"))
        check(status == 409 and os.stat(path).st_mtime_ns == mtime,
              f"never over a file: 409, got {status} {body}")
        # A link planted at the name is not followed.
        victim = os.path.join(tempdir(), "victim.json")
        os.symlink(victim, os.path.join(d, "planted.json"))
        status, body = s.post("/api/save", dict(good, name="planted"))
        check(status == 409 and not os.path.exists(victim), f"a planted link: 409, got {status}")
        listing = sorted(os.listdir(d))
        for name in ["../escape", ".hidden", "a/b", "", "x" * 65, "nul\u0000", "v.json"]:
            status, body = s.post("/api/save", dict(good, name=name))
            check(status == 400, f"the name {name!r}: 400, got {status} {body}")
        status, body = s.post("/api/save", dict(edits(("/capex/split/it", 1.5)), name="bad"))
        check(status == 400 and body.get("diagnostics"), f"an invalid variant: 400, got {status}")
        status, body = s.post("/api/save", dict(edits(("/targets/0/year", 2029)), name="list"))
        check(status == 400 and "list" in json.dumps(body), f"an edit in a list: 400, {body}")
        check(sorted(os.listdir(d)) == listing and not [f for f in listing if ".dcplan-" in f],
              f"refused saves write nothing: {listing}")
    finally:
        check(s.stop() == 0, "serve --allow-save stops with 0")


def check_compare(d):
    """--compare OTHER: the page edits OTHER, drawn against SCENARIO (dashed)."""
    scenario, other = os.path.join(d, "minimal.json"), os.path.join(d, "variant-a.json")
    s = Server(scenario, "--compare", other)
    try:
        form = json.loads(s.request("GET", "/api/form")[2])
        check(form.get("file") == other and form.get("base_file") == scenario,
              f"--compare: the form is OTHER's, drawn against SCENARIO: {form.get('file')}")
        status, body = s.post("/api/run", edits(("/regions/us-east/pue", 1.25)))
        want, _ = cli_rows(other, "/regions/us-east/pue=1.25")
        check(status == 200 and body.get("rows") == want and
              body.get("command", "").startswith(f"dcplan run {other} --set"),
              f"--compare: the numbers are OTHER's with the edit: {status}")
        base, _ = cli_rows(scenario)
        base_energy = [r["energy_twh"] for r in base if r["region"] == "total"]
        check([r["energy_twh"] for r in form.get("base_totals", [])] == base_energy,
              "--compare: the base is SCENARIO")
    finally:
        check(s.stop() == 0, "serve --compare stops with 0")


def check_shipped():
    """Every shipped scenario: its form, and its plan with no edit, as `dcplan run` prints it;
    every chart well-formed SVG."""
    import glob
    import xml.etree.ElementTree as ET
    for path in sorted(p for p in glob.glob("scenarios/**/*.json", recursive=True)
                       if "/catalog/" not in p and "/gates/" not in p):
        s = Server(path)
        try:
            status, _, text = s.request("GET", "/api/form")
            fields = [f for g in json.loads(text)["groups"] for f in g["fields"]] if status == 200 else []
            status, body = s.post("/api/run", edits())
            want, _ = cli_rows(path)
            charts = body.get("charts", [])
            parsed = 0
            for c in charts:
                try:
                    ET.fromstring(c["svg"])
                    parsed += 1
                except ET.ParseError:
                    pass
            check(fields and status == 200 and body.get("rows") == want and
                  parsed == len(charts) >= 5,
                  f"{path}: {len(fields)} fields, {status}, {parsed} of {len(charts)} charts")
        finally:
            check(s.stop() == 0, f"{path}: serve stops with 0")


def check_remote():
    rc, out, err = run("serve", MINIMAL_PATH, "--port", "0", "--host", "0.0.0.0")
    check(rc == 2 and "--allow-remote" in err, f"--host 0.0.0.0 needs --allow-remote: {rc} {err}")
    s = Server(MINIMAL_PATH, "--host", "0.0.0.0", "--allow-remote")
    try:
        check("other machines can reach" in s.stderr(), f"--allow-remote warns: {s.stderr()}")
        check(s.request("GET", "/api/form", host=f"127.0.0.1:{s.port}")[0] == 200 and
              s.request("GET", "/api/form", host=f"evil.example:{s.port}")[0] == 403,
              "on every address: IP literals with the port, never a name")
    finally:
        s.stop()


# ---------------------------------------------------------------------------------------------
# In the browser.

def browser():
    """Headless Chromium under chromedriver; None (a failed check) when either is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common import utils
    except ImportError as e:
        check(False, f"Selenium is installed (tools/setup installs python3-selenium): {e}")
        return None

    class LoopbackService(Service):
        """Selenium reaches chromedriver at "localhost", a name a minimal root without
        /etc/hosts (fresh-check's) cannot resolve: the loopback address instead."""

        @property
        def service_url(self):
            return f"http://127.0.0.1:{self.port}"

        def is_connectable(self):
            return utils.is_connectable(self.port, "127.0.0.1")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_exe = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if exe is None or not os.path.exists(driver_exe):
        check(False, "chromium and chromedriver are installed (tools/setup installs chromium-driver)")
        return None
    # Chromium talks to chromedriver over a pipe rather than a port on "localhost", for the same
    # reason.
    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--window-size=1400,1000", "--remote-debugging-pipe",
                 f"--user-data-dir={tempdir()}"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=LoopbackService(driver_exe), options=opts)


def settled(driver, timeout=30):
    """Waits until the page shows the answer to its last request; its state."""
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        st = driver.execute_script(
            "const b = document.body.dataset; return [b.sent, b.shown, b.state];")
        if st[0] and st[0] == st[1]:
            return st[2]
        time.sleep(0.02)
    return None


def set_fields(driver, pairs):
    """Types the values into the page's fields in one go (one debounced request), as input
    events, the way a keystroke reaches the page."""
    driver.execute_script("""
        for (const [p, v] of arguments[0]) {
          const input = document.querySelector('label[data-pointer="' + CSS.escape(p) + '"] input');
          input.value = String(v);
          input.dispatchEvent(new Event('input', {bubbles: true}));
        }""", pairs)


def energy_2030(driver):
    return driver.execute_script("""
        const td = document.querySelector('#summary td[data-col="energy_twh"][data-year="2030"]');
        return td ? [td.textContent, td.dataset.value] : null;""")


def check_page(s):
    driver = browser()
    if driver is None:
        return
    try:
        driver.get(s.url)
        check(settled(driver) == "ok", "the page loads and draws the plan")
        n = s.post("/api/run", edits())[1].get("charts", [])
        boxes = driver.execute_script("""
            return [...document.querySelectorAll('#charts svg.chart')].map((e) => {
              const r = e.getBoundingClientRect(); return [e.id, r.width, r.height]; });""")
        check(len(boxes) == len(n) and len(boxes) >= 5 and all(w > 100 and h > 100 for _, w, h in boxes),
              f"every chart has a non-empty box: {boxes}")
        base = energy_2030(driver)

        pairs = [["/capex/split/it", 0.6], ["/capex/split/facility", 0.35]]
        set_fields(driver, pairs)
        time.sleep(0.05)
        check(settled(driver) == "ok", "the edit is drawn")
        want, _ = cli_rows(MINIMAL_PATH, *[f"{p}={v}" for p, v in pairs])
        cli = next(r["energy_twh"] for r in want if r["year"] == 2030 and r["region"] == "total")
        shown = energy_2030(driver)
        fmt = driver.execute_script("return dcplan.format(arguments[0])", cli)
        check(shown and float(shown[1]) == cli and shown[0] == fmt and shown != base,
              f"the 2030 energy shown is the command line's {cli} ({fmt}): {shown}, was {base}")
        command = driver.find_element("id", "command").text
        check("--set /capex/split/it=0.6" in command, f"the command line shown: {command}")
        url = driver.current_url
        check("set=/capex/split/it=0.6" in url and "token=" in url, f"the URL keeps the edit: {url}")
        measured = driver.execute_script("return dcplan.state.lastMeasureMs")
        check(isinstance(measured, (int, float)) and measured > 0, f"the page measured: {measured}")
        print(f"minimal.json: edit to redrawn charts {measured:.1f} ms")

        driver.get(url)  # shared or reloaded: the same view
        check(settled(driver) == "ok" and energy_2030(driver) == shown, "reloading keeps the view")

        shot = os.path.join(tempdir(), "serve.png")
        driver.save_screenshot(shot)
        colours, width, height = png_colours(shot)
        check(colours > 20 and width >= 1000, f"the screenshot is not blank: {colours} colours")
        log = driver.get_log("browser")
        check(not log, f"the browser console is clean: {log}")
    finally:
        driver.quit()


def bench(scenario, n):
    """N edits of `scenario` in the browser; the page's measures from the input event to the
    charts painted. A field of every region's PUE, each edit a new value."""
    s = Server(scenario)
    driver = browser()
    try:
        driver.get(s.url)
        if settled(driver, 60) != "ok":
            raise RuntimeError("the page did not load")
        form = json.loads(s.request("GET", "/api/form")[2])
        field = next(f for g in form["groups"] for f in g["fields"] if f["key"] == "/regions/{id}/pue")
        for i in range(n):
            set_fields(driver, [[field["pointer"], field["value"] * (1.001 + 0.001 * (i % 50))]])
            deadline = time.time() + 30
            while driver.execute_script("return dcplan.state.measures.length") < i + 1:
                if time.time() > deadline:
                    raise RuntimeError("no measure")
                time.sleep(0.005)
        ms = driver.execute_script("return dcplan.state.measures")
        answer = s.post("/api/run", edits())[1]
        print(f"{scenario}: {n} edits of {field['pointer']}, edit to redrawn charts "
              f"({len(answer['charts'])} charts, {len(answer['rows'])} rows): median "
              f"{statistics.median(ms):.1f} ms, p90 {sorted(ms)[int(0.9 * (n - 1))]:.1f} ms, "
              f"min {min(ms):.1f} ms, max {max(ms):.1f} ms")
        print(f"{len(driver.get_log('browser'))} console messages")
    finally:
        driver.quit()
        s.stop()


def screenshot(path, scenario, sets, keys):
    """The page of `scenario` with `sets` (POINTER=VALUE) in its URL and the form filtered to
    `keys`, as headless Chromium draws it: docs/serve.png."""
    s = Server(scenario)
    driver = browser()
    try:
        driver.set_window_size(1400, 1300)
        query = "&".join("set=" + x for x in sets)
        driver.get(s.url.replace("/#", "/?" + query + "#") if sets else s.url)
        if settled(driver, 60) != "ok":
            raise RuntimeError("the page did not draw the plan")
        driver.execute_script("""
            const f = document.getElementById('filter');
            f.value = arguments[0];
            f.dispatchEvent(new Event('input', {bubbles: true}));""", keys)
        time.sleep(0.5)
        driver.save_screenshot(path)
        print(f"{path}: {scenario} {' '.join(sets)}, {png_colours(path)[0]} colours")
    finally:
        driver.quit()
        s.stop()


if "--screenshot" in sys.argv:
    at = sys.argv.index("--screenshot")
    screenshot(sys.argv[at + 1], sys.argv[at + 2], sys.argv[at + 3:-1], sys.argv[-1])
    sys.exit(0)

if "--bench" in sys.argv:
    at = sys.argv.index("--bench")
    bench(sys.argv[at + 1], int(sys.argv[at + 2]) if len(sys.argv) > at + 2 else 50)
    sys.exit(0)

server = Server(MINIMAL_PATH)
try:
    check_guard(server)
    check_answers(server)
    check_page(server)
finally:
    check(server.stop() == 0, "serve stops on SIGINT with 0")
check_clean(server.stderr(), "serve's stderr")
# The man page and the completion come from the command's definition.
rc, script, _ = run("completion", "bash")
check(rc == 0 and "serve" in script and "--allow-save" in script, "the completion offers serve")
man = tempdir()
rc, _, _ = run("man", "--output-dir", man)
page = os.path.join(man, "man1", "dcplan-serve.1")
check(rc == 0 and os.path.isfile(page) and "allow\\-remote" in open(page).read(),
      "dcplan man writes dcplan-serve(1) with its options")

saved = tempdir()
check_saving(saved)
check_compare(saved)
check_shipped()
check_remote()
finish()
