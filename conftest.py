from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

# Django's live server runs in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium, never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    """Test users need no slow hash; production keeps Django's default. Set for the whole
    session, before any class creates its users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _collected_static_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Pages name their static files through collectstatic's manifest, as in production
    (`{% static %}` fails without it): collected once a session, compressed as WhiteNoise
    serves them, into a folder of each worker's own."""
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static")):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, its static files sent by WhiteNoise from the collected
    files as in production, rather than found by staticfiles' finders, which know no hashed
    name."""
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.static_handler = _as_it_is
    server.start()
    yield server
    server.stop()


def _as_it_is(application: Callable[..., Any]) -> Callable[..., Any]:
    return application
