"""The herald executable's ops commands: check-config and send."""
import os
import subprocess

from conftest import BUILD_DIR, SHOP_KEY
from site_client import SiteClient

HERALD = os.path.join(BUILD_DIR, "herald")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def run(*args, env=None, cwd=None):
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "HERALD_ENV", "NODE_ENV")}
    clean.update(env or {})
    return subprocess.run([HERALD, *args], capture_output=True, text=True, timeout=30, env=clean, cwd=cwd)


def minimal_config(directory):
    config = directory / "config.yml"
    config.write_text("production:\n  port: 1337\n")
    return config


def test_check_config_accepts_the_shipped_files():
    result = run("check-config", "--config", "config.yml", "--sites", "sites.yml", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout
    assert "demo" in result.stdout


def test_check_config_names_file_line_and_key_and_hides_the_token(tmp_path):
    sites = tmp_path / "sites.yml"
    sites.write_text("shop:\n  apiKey: k\n  tokens:\n    tiny-secret: [user_1]\n")
    result = run("check-config", "--config", str(minimal_config(tmp_path)), "--sites", str(sites))
    assert result.returncode != 0
    assert f"{sites}:4:" in result.stderr
    assert "shop.tokens" in result.stderr
    assert "tiny-secret" not in result.stderr + result.stdout


def test_invalid_config_stops_serve_at_start_with_the_location(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("production:\n  port: 99999\n")
    result = run("serve", "--config", str(config), "--sites", os.path.join(ROOT, "sites.yml"))
    assert result.returncode != 0
    assert f"{config}:2:" in result.stdout + result.stderr
    assert "production.port" in result.stdout + result.stderr


def test_single_site_environment_mode_replaces_sites_yml(tmp_path):
    result = run(
        "check-config",
        "--config", str(minimal_config(tmp_path)),
        env={"SITE_NAME": "envsite", "AUTH_URL": "http://127.0.0.1:9/auth", "API_KEY": "env-key", "PORT": "4321"},
    )
    assert result.returncode == 0, result.stderr
    assert "envsite" in result.stdout and "port 4321" in result.stdout


def test_send_command_pushes_through_a_running_herald(herald):
    alice = SiteClient(herald, "shop", "good-alice").connect()
    try:
        result = run("send", "--url", herald.url, "--site", "shop", "--room", "user_alice", "--event", "news", '[{"via":"cli"}]',
                     env={"HERALD_API_KEY": SHOP_KEY})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "200 OK"
        assert alice.wait_for("news") == [[{"via": "cli"}]]
        refused = run("send", "--url", herald.url, "--site", "shop", "--api-key", "wrong", "--room", "x", "--event", "news")
        assert refused.returncode != 0
        assert refused.stdout.strip() == "401 ApiKey invalid."
    finally:
        alice.close()
