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
    ("0.0.0.0", "private"), ("100.64.0.1", "non-global"), ("224.0.0.1", "non-global"),
    ("93.184.215.14", "public"), ("2606:4700::1111", "public")])
def test_loopback_private_link_local_and_other_non_public_addresses_are_told_apart_from_public_ones(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize("address, kind", [
    ("::ffff:a00:5", "private"), ("64:ff9b::a00:5", "private"), ("64:ff9b::7f00:1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "link-local"), ("2002:a00:5::", "private"), ("2002:7f00:1::1", "loopback"),
    ("64:ff9b:1::a00:5", "non-global"),
    ("64:ff9b::808:808", "public")])
def test_an_ipv6_address_that_carries_an_ipv4_one_is_judged_by_the_ipv4_address_it_reaches(address, kind):
    # IPv4-mapped (RFC 4291, 2.5.5.2), NAT64 (RFC 6052) and 6to4 (RFC 3056): Python 3.11 calls the NAT64 and 6to4
    # forms of 10.0.0.5 and 127.0.0.1 global, so without unwrapping they would all pass as "public"
    assert address_kind(address) == kind


@pytest.mark.parametrize("url, refused", [("http://172.32.0.1/", False), ("http://172.31.255.255/", True),
                                          ("http://0300.0250.0.1/", True), ("http://[64:ff9b::7f00:1]/", True),
                                          ("http://198.18.0.1/", True), ("http://[2002:808:808::1]/", True)])
def test_addresses_just_outside_a_private_range_pass_and_disguised_ones_inside_do_not(url, refused):
    # 0300.0250.0.1 is 192.168.0.1 in octal, as the C resolver reads it; 172.32.0.1 is just past 172.16.0.0/12
    try:
        check_target(url, allow_private=False)
    except UnsafeTarget:
        assert refused, url
    else:
        assert not refused, url


def test_the_refusal_names_the_address_and_its_kind_in_a_sentence():
    with pytest.raises(UnsafeTarget, match=r"^100\.64\.0\.1 is a non-global address\.$"):
        check_target("http://100.64.0.1/", allow_private=False)
    with pytest.raises(UnsafeTarget, match=r"^0x7f\.1 resolves to 127\.0\.0\.1, a loopback address\.$"):
        check_target("http://0x7f.1/", allow_private=False)


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


@pytest.mark.parametrize("url", ["http://127.0.0.1:8400\\@8.8.8.8/webhooks", "http://127.0.0.1\\@8.8.8.8/",
                                 "http://8.8.8.8:80@127.0.0.1/", "http://user:secret@8.8.8.8/"])
def test_a_url_the_http_client_would_read_differently_is_refused_whatever_the_setting(url):
    # urlsplit reads the host of the first two as 8.8.8.8, urllib3 (which requests uses) as 127.0.0.1: the check
    # must judge the host the client connects to, and refuses userinfo and backslashes, where parsers disagree
    for allow_private in (True, False):
        with pytest.raises(UnsafeTarget, match="backslash|user name"):
            check_target(url, allow_private=allow_private, resolve=resolver({"8.8.8.8": ["8.8.8.8"]}))


def test_the_host_checked_is_the_host_the_http_client_connects_to():
    from urllib3.util import parse_url

    from apidesign.ssrf import host_and_port
    for url in ["http://127.0.0.1:8400/webhooks", "https://Hooks.Example.com./in", "http://[::1]:81/",
                "http://[fe80::1%25eth0]/"]:
        client = parse_url(url)
        assert host_and_port(url) == (client.host.strip("[]"), client.port or {"http": 80, "https": 443}[client.scheme])


@pytest.mark.parametrize("address", ["2002:808:808::1", "::7f00:1", "::a9fe:a9fe", "fec0::1", "5f00::1", "3fff::1"])
def test_deprecated_reserved_and_documentation_ipv6_ranges_are_refused_though_python_3_11_calls_them_global(address):
    # 6to4 (2002::/16) is deprecated (RFC 7526); ::/8 is reserved, IPv4-compatible addresses deprecated (RFC 4291,
    # 2.5.5.1); fec0::/10 site-local deprecated (RFC 3879); 5f00::/16 reserved; 3fff::/20 documentation (RFC 9637)
    assert address_kind(address) == "non-global"
