"""Fixtures for the browser suite: `herald serve` on the bundled config, and headless Chromium driven by selenium.

The server is started as `make serve` starts it (from the repository root, with config.yml and sites.yml), but on
127.0.0.1 and a free port, without environment variables that would override those files, and stopped when the
session ends. Each test gets fresh browsers, quit after the test.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
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


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HeraldServer:
    """A `herald serve` process on a free loopback port; its output goes to a file so a chatty log never blocks it."""

    def __init__(self, config="config.yml"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        binary = os.path.join(BUILD_DIR, "herald")
        command = [binary, "serve", "--config", config, "--sites", "sites.yml"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        environment = {key: value for key, value in os.environ.items() if key not in OVERRIDING_ENVIRONMENT}
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"herald exited early with {self.process.returncode}:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"herald did not listen on port {self.port} within {START_TIMEOUT} s:\n{self.output()}")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def assert_alive(self):
        assert self.process.poll() is None, f"herald died with {self.process.returncode}:\n{self.output()}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


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
