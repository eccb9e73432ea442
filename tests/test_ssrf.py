"""SSRF: a sender refuses any URL whose host resolves to a non-public address, whatever the URL's text says.

No test here connects anywhere, and none asks a DNS server: the names used resolve from the
numbers themselves or from /etc/hosts, or a fake resolver answers.
"""

from __future__ import annotations

import pytest

from apidesign.ssrf import UnsafeTarget, address_kind, check_target


def resolver(answers):
    """A fake DNS: ``{host: [addresses]}``, recording what it was asked."""
    asked = []

    def resolve(host, port):
        asked.append((host, port))
        return answers[host]
    resolve.asked = asked
    return resolve


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.0.0.5", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"),
    ("0.0.0.0", "private"), ("100.64.0.1", "not global"), ("224.0.0.1", "not global"),
    ("93.184.215.14", "public"), ("2606:4700::1111", "public")])
def test_loopback_private_link_local_and_other_non_public_addresses_are_told_apart_from_public_ones(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://2130706433/",
                                 "http://0x7f.1/", "http://127.1:8080/", "https://0.0.0.0/"])
def test_every_spelling_of_this_machine_is_refused_because_the_host_is_resolved_not_read(url):
    with pytest.raises(UnsafeTarget, match="address"):
        check_target(url, allow_private=False)


def test_a_name_is_refused_if_any_one_of_its_addresses_is_private():
    dns = resolver({"hooks.example.com": ["93.184.215.14", "10.0.0.5"]})
    with pytest.raises(UnsafeTarget, match="10.0.0.5, a private address"):
        check_target("https://hooks.example.com/in", allow_private=False, resolve=dns)
    assert dns.asked == [("hooks.example.com", 443)]


def test_a_name_whose_addresses_are_all_public_passes_and_the_checked_addresses_are_returned():
    dns = resolver({"hooks.example.com": ["2606:4700::1111", "93.184.215.14"]})
    assert check_target("http://hooks.example.com:8080/in", allow_private=False, resolve=dns) == [
        "2606:4700::1111", "93.184.215.14"]
    assert dns.asked == [("hooks.example.com", 8080)]


def test_with_private_targets_allowed_nothing_is_resolved_or_refused_for_its_address():
    dns = resolver({})  # any lookup would raise KeyError
    assert check_target("http://127.0.0.1:8400/webhooks", allow_private=True, resolve=dns) == []
    assert dns.asked == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/passwd", "http:///no-host", "http://x:99999/",
                                 "gopher://127.0.0.1:6379/_FLUSHALL", "http://[::1/"])
def test_only_http_and_https_urls_with_a_host_and_a_valid_port_are_ever_called(url):
    for allow_private in (True, False):
        with pytest.raises(UnsafeTarget):
            check_target(url, allow_private=allow_private, resolve=resolver({}))


def test_a_host_that_cannot_resolve_is_refused():
    with pytest.raises(UnsafeTarget, match="does not resolve"):
        check_target("http://" + "x" * 64 + ".test/", allow_private=False)  # a label over 63 bytes: no lookup is made
