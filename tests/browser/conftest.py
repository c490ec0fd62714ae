"""Fixtures for the browser suite: `herald serve` on the bundled config, and headless Chromium driven by selenium.

The server is started as `make serve` starts it (from the repository root, with config.yml and sites.yml), but on
127.0.0.1 and a port it chooses, without environment variables that would override those files, and stopped when the
session ends. Each test gets fresh browsers, quit after the test.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))

from loopback import port_file_path, read_port_file  # noqa: E402
from processes import stop_process  # noqa: E402
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_TIMEOUT = 15
# Variables that would make herald read something other than the shipped files' production section.
OVERRIDING_ENVIRONMENT = (
    "HERALD_ENV", "NODE_ENV", "HERALD_CONFIG", "HERALD_SITES", "PORT", "REDIS_URL", "DEVICE_TTL", "LOG_LEVEL",
    "SITE_NAME", "AUTH_URL", "AUTH_SCHEME", "API_KEY", "USER_ROOM_PREFIX", "UPDATE_USER_URL", "PUBLIC_CHANNEL",
    "HERALD_ADMIN_KEY",
)


class HeraldServer:
    """A `herald serve` process on a loopback port it chose itself (`--port 0 --port-file`); its output goes to a
    file so a chatty log never blocks it."""

    def __init__(self, config="config.yml"):
        self.log = tempfile.TemporaryFile()
        self.directory = tempfile.TemporaryDirectory(prefix="herald-browser-")
        port_file = port_file_path(self.directory.name, "herald")
        binary = os.path.join(BUILD_DIR, "herald")
        command = [binary, "serve", "--config", config, "--sites", "sites.yml"]
        command += ["--host", "127.0.0.1", "--port", "0", "--port-file", port_file]
        environment = {key: value for key, value in os.environ.items() if key not in OVERRIDING_ENVIRONMENT}
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = read_port_file(self.process, port_file, "herald", self.output, timeout=START_TIMEOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def assert_alive(self):
        assert self.process.poll() is None, f"herald died with {self.process.returncode}:\n{self.output()}"

    def stop(self):
        stop_process(self.process)
        self.log.close()
        self.directory.cleanup()


@pytest.fixture(scope="session")
def herald():
    server = HeraldServer()
    try:
        yield server
        server.assert_alive()
    finally:
        print(f"herald output:\n{server.output()}")
        server.stop()


def new_chromium():
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-proxy-server",
        "--no-first-run",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(15)
    return driver


@pytest.fixture
def open_browser():
    """Opens as many independent headless Chromium instances as a test asks for; quits them all afterwards."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are required (Debian packages chromium and chromium-driver)")
    drivers = []

    def launch():
        driver = new_chromium()
        drivers.append(driver)
        return driver

    yield launch
    for driver in drivers:
        driver.quit()
