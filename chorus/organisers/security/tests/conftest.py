import pytest
from django.test import Client

from chorus.testing import make_user


@pytest.fixture
def plain():
    """A client without the personas' shortcut past the second factor."""
    return Client()


@pytest.fixture
def staff(db):
    """Staff who have not set up an authenticator app yet."""
    return make_user("sam.staff@example.org", staff=True)
