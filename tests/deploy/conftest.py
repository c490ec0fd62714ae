"""Fixtures of the deployment suite.

The suite checks the files a deployment is made of (Dockerfile, docker-compose.yml, deploy/) against the real
tools that read them: Compose, nginx, systemd-analyze, the dynamic loader, and Herald itself.
"""
import os

import pytest

from support import BUILD_DIR


@pytest.fixture(scope="session")
def herald_binary():
    """`herald` from HERALD_BUILD_DIR (default .build/debug), for the tests that run instances behind nginx."""
    binary = os.path.join(BUILD_DIR, "herald")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} is missing: run `swift build` first (or set HERALD_BUILD_DIR)")
    return binary
