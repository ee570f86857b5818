import re

import pytest


@pytest.fixture
def post(client, immediate_tasks, django_capture_on_commit_callbacks):
    """client.post that also runs what the request queued to run after its commit
    (with immediate tasks, that sends its e-mails)."""

    def post(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return post


def link_in(message) -> str:
    """The path of the (one) site link in an e-mail's plain text."""
    from django.conf import settings

    urls = re.findall(re.escape(settings.SITE_URL) + r"(/\S+)", message.body)
    assert urls, message.body
    return urls[0]
