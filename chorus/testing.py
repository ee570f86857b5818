"""Shared test set-up and personas, loaded as a pytest plugin (see pyproject.toml).

Loaded before Django reads its settings, so the suite runs with production
settings (DEBUG off) over plain HTTP without any environment of its own.
"""

import errno
import os
import shutil
import socket
from functools import cache

import pytest

os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-checks-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# One sending task per signature, so tests need not wait for a batch window.
os.environ.setdefault("CHORUS_CONFIRMATION_BATCH_SECONDS", "0")
os.environ.setdefault("CHORUS_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var"))

SIGNER = {
    "name": "Nadia Petrova",
    "email": "nadia.petrova@example.org",
    "country": "DE",
    "postcode": "10115",
    "updates": "on",
}


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    # Personas log in with a password; the production hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "private": {"BACKEND": "chorus.lib.storage.PrivateStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }
    from chorus.petitions.selectors import forget_kept
    from chorus.signatures.sealing.services import forget_keys

    cache.clear()
    forget_keys()
    forget_kept()
    yield
    cache.clear()
    forget_keys()
    forget_kept()


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """The suite never asks the network: every MX lookup finds DNS unavailable.

    Tests of the typo rescue give their own answers (signatures/tests/test_typos.py).
    """
    import dns.exception
    import dns.resolver

    def unavailable(self, *args, **kwargs):
        raise dns.exception.Timeout

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", unavailable)


@pytest.fixture
def organisation(db):
    from chorus.organisers.models import Organisation

    return Organisation.objects.create(name="Spectrum Alliance", slug="spectrum-alliance")


@pytest.fixture
def petition(organisation):
    from chorus.petitions.models import Petition

    petition = Petition.objects.create(
        organisation=organisation,
        slug="stop-the-liquidation",
        title="Stop the lawsuit",
        target="The Government of Norvania",
        ask="Withdraw the lawsuit.",
        body="The **government** wants to close us.",
        goal=100,
    )
    petition.open()
    return petition


PASSWORD = "correct horse battery staple"  # noqa: S105 - test personas only


def tampered(token: str) -> str:
    """`token` with its last two characters changed, so it never equals the original
    (a random token ends in "xx" one time in 4,096)."""
    ending = "xx" if not token.endswith("xx") else "yy"
    return token[:-2] + ending


def make_user(email: str, *, staff: bool = False):
    from django.contrib.auth import get_user_model

    # Organisers log in with their e-mail address, which is also their username.
    return get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=staff
    )


def make_member(organisation, email: str, role: str):
    from chorus.organisers.models import Membership

    user = make_user(email)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def owner(organisation):
    """Personas: the organisation's owner, an editor, a viewer, a staff moderator,
    and an owner of another organisation. All log in with PASSWORD."""
    return make_member(organisation, "olga.owner@example.org", "owner")


@pytest.fixture
def editor(organisation):
    return make_member(organisation, "emil.editor@example.org", "editor")


@pytest.fixture
def viewer(organisation):
    return make_member(organisation, "vera.viewer@example.org", "viewer")


@pytest.fixture
def moderator(db):
    """Staff, with an authenticator app already set up (see StaffClient)."""
    user = make_user("mira.moderator@example.org", staff=True)
    second_factor_for(user)
    return user


def second_factor_for(user):
    """The user's confirmed TOTP device, made if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


@cache
def _staff_client_class():
    from django.test import Client

    class StaffClient(Client):
        """A test client whose force_login also passes staff through the second factor.

        The admin and moderation pages ask staff for a TOTP code
        (chorus.organisers.security.middleware);
        tests of those pages are about moderation, not about the code, so a staff
        user logged in here gets a confirmed device and a session marked as verified,
        as django_otp.login() would after a right code. The second factor itself is
        tested with a plain client in chorus/organisers/tests/test_two_factor.py.
        """

        def force_login(self, user, backend=None):
            super().force_login(user, backend)
            if user.is_staff:
                from django_otp import DEVICE_ID_SESSION_KEY

                session = self.session
                session[DEVICE_ID_SESSION_KEY] = second_factor_for(user).persistent_id
                session.save()

    return StaffClient


class _StaffClientFixtures:
    """Replaces pytest-django's `client` and `admin_client` with StaffClient ones.

    Registered from pytest_configure, after pytest-django, so that these win.
    """

    @pytest.fixture
    def client(self):
        return _staff_client_class()()

    @pytest.fixture
    def admin_client(self, db, admin_user):
        client = _staff_client_class()()
        client.force_login(admin_user)
        return client


def pytest_configure(config):
    config.pluginmanager.register(_StaffClientFixtures(), "chorus-staff-client")


@pytest.fixture
def outsider(db):
    from chorus.organisers.models import Organisation

    other = Organisation.objects.create(name="Another Group", slug="another-group")
    return make_member(other, "otto.outsider@example.org", "owner")


def make_partner(petition, name: str, slug: str, owner_email: str):
    """An organisation that accepted to be a partner on the petition, with an owner.

    The owner is returned, with the partnership as `.partner`.
    """
    from django.utils import timezone

    from chorus.organisers.models import Organisation
    from chorus.petitions.models import Partner

    partner_organisation = Organisation.objects.create(name=name, slug=slug)
    user = make_member(partner_organisation, owner_email, "owner")
    user.partner = Partner.objects.create(
        petition=petition, organisation=partner_organisation, source=slug,
        accepted_at=timezone.now(),
    )
    return user


@pytest.fixture
def partner_owner(petition):
    """Personas: the owners of two partner organisations on `petition`."""
    return make_partner(petition, "Rainbow Network", "rainbow-network",
                        "pia.partner@example.org")


@pytest.fixture
def other_partner(petition):
    return make_partner(petition, "Open Hands", "open-hands", "omar.partner@example.org")


@pytest.fixture
def draft(organisation, owner):
    """A draft petition written by the owner."""
    from chorus.petitions.models import Petition

    return Petition.objects.create(
        organisation=organisation, created_by=owner, slug="free-the-press",
        title="Free the press", target="The Ministry of Information",
        ask="Release the detained journalists.", body="Three journalists are detained.",
        goal=200,
    )


@pytest.fixture
def post(client, immediate_tasks, django_capture_on_commit_callbacks):
    """client.post that also runs what the request queued for after its commit:
    forgetting cached pages, and (with immediate tasks) sending its e-mails."""

    def post(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return post


@pytest.fixture
def staff_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def signer():
    return dict(SIGNER)


class Outage:
    """The database stops answering between start() and end().

    On PostgreSQL for real: the live connection is pointed at a port where nothing
    listens, so every connection attempt is refused, as during a restart. On SQLite
    (a file cannot go away) every query raises OperationalError instead.
    """

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.saved = None

    def start(self):
        from django.db import OperationalError, connections

        connection = connections["default"]
        if connection.vendor == "postgresql":
            with socket.socket() as closed:  # bound, never listening, then let go
                closed.bind(("127.0.0.1", 0))
                port = closed.getsockname()[1]
            self.saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
            connection.close()
        else:
            def unreachable(self, name=None):
                raise OperationalError("unable to open database file")

            self.monkeypatch.setattr(type(connection), "_cursor", unreachable)
        return self

    def end(self):
        from django.db import connections

        connection = connections["default"]
        if self.saved is not None:
            connection.settings_dict.update(self.saved)
            self.saved = None
        self.monkeypatch.undo()
        connection.close()  # the next query reconnects, as after a real outage


@pytest.fixture
def outage(transactional_db):
    """An Outage to start and end; the database is back after the test whatever happens.

    Needs a transactional test: closing the connection ends the test's transaction.
    """
    outage = Outage(pytest.MonkeyPatch())
    yield outage
    outage.end()


class FullDisk:
    """The media disk filling up mid-write: a stored file's first bytes land, then ENOSPC.

    Patched below our storage (Django's FileSystemStorage), so what Chorus does
    about the failure runs for real.
    """

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def fill(self):
        from django.core.files.storage import FileSystemStorage

        def save_until_full(storage, name, content):
            path = storage.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as partial:
                partial.write(next(iter(content.chunks()))[:64])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

        self.monkeypatch.setattr(FileSystemStorage, "_save", save_until_full)

    def free(self):
        self.monkeypatch.undo()


@pytest.fixture
def full_disk():
    """A FullDisk, full from the start; `free()` makes room, `fill()` fills it again."""
    disk = FullDisk(pytest.MonkeyPatch())
    disk.fill()
    yield disk
    disk.free()


@pytest.fixture
def immediate_tasks(settings):
    """Run background tasks as soon as they are enqueued (after commit)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Third-party cookies blocked, as in the browsers our embeds must work in.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--test-third-party-cookie-phaseout",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser build)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which Django
    # takes for async code; the test's own database calls are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def site(live_server, settings, immediate_tasks):
    """The live server's address, with e-mailed links pointing at it."""
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    settings.SITE_URL = live_server.url
    return live_server.url
