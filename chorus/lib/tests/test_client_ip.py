import pytest
from django.test import RequestFactory

from chorus.lib.digests import ip_digest
from chorus.lib.http import client_ip

PROXY = "10.0.0.5"


def request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **headers)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.CHORUS_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"


def test_a_spoofed_header_from_an_untrusted_peer_changes_nothing(settings):
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    honest = request("203.0.113.7")
    spoofed = request("203.0.113.7", "198.51.100.1, 192.0.2.44")
    assert client_ip(spoofed) == client_ip(honest) == "203.0.113.7"
    # ... so it stays in the same limit bucket.
    assert ip_digest(client_ip(spoofed)) == ip_digest(client_ip(honest))


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings):
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_addresses_a_client_prepends_are_ignored(settings):
    # Our proxy appends the address it saw; anything left of it came from the client.
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(PROXY, "1.2.3.4, 5.6.7.8, 203.0.113.7")) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.CHORUS_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    forwarded = "9.9.9.9, 203.0.113.7, 10.1.2.3, 2001:db8::1"
    assert client_ip(request("10.0.0.1", forwarded)) == "203.0.113.7"


def test_ipv6_clients_are_read_too(settings):
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(PROXY, "2001:DB8:0:0::7")) == "2001:db8::7"


@pytest.mark.parametrize("forwarded", ["", "unknown", "not-an-ip, ", " , ", "\x00"])
def test_a_proxy_header_that_names_no_address_falls_back_to_the_proxy(settings, forwarded):
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(PROXY, forwarded)) == PROXY


def test_a_trusted_proxy_without_the_header_is_the_client(settings):
    settings.CHORUS_TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(PROXY)) == PROXY
