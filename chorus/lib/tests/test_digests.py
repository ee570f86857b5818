import pytest

from chorus.lib.digests import email_digest, ip_digest, normalise_email


@pytest.mark.parametrize(
    "address, normal",
    [
        (" Nadia@Example.ORG ", "nadia@example.org"),
        ("nadia.petrova+news@gmail.com", "nadiapetrova@gmail.com"),
        ("Nadia.Petrova@googlemail.com", "nadiapetrova@gmail.com"),
        ("nadia+x@outlook.com", "nadia@outlook.com"),
        ("nadia.petrova@outlook.com", "nadia.petrova@outlook.com"),  # dots matter there
        ("nadia+x@example.org", "nadia+x@example.org"),  # unknown providers keep tags
        ("ivan+tag@ya.ru", "ivan@yandex.ru"),
    ],
)
def test_it_normalises_spellings_of_one_mailbox(address, normal):
    assert normalise_email(address) == normal


def test_the_digest_is_keyed(settings):
    before = email_digest("nadia@example.org")
    from chorus.lib import digests

    digests._key.cache_clear()
    settings.CHORUS_DIGEST_KEY = "another key"
    try:
        assert email_digest("nadia@example.org") != before
    finally:
        digests._key.cache_clear()


def test_ip_and_email_digests_never_collide():
    assert ip_digest("nadia@example.org") != email_digest("nadia@example.org")
    assert ip_digest("") == ""
