"""Behind the reverse proxy the client's address reaches the login throttle as REMOTE_ADDR:
taken from X-Real-IP when the proxy, and only the proxy, sends it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, SimpleTestCase, override_settings

from xeploai.core.middleware import ProxiedAddressMiddleware


def address_seen(peer: str, **headers: str) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers)
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    ProxiedAddressMiddleware(view)(request)
    return seen[0]


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1"])
class ProxiedAddressTestCase(SimpleTestCase):
    def test_it_takes_the_clients_address_from_the_proxy(self) -> None:
        self.assertEqual(address_seen("127.0.0.1", x_real_ip="203.0.113.7"), "203.0.113.7")
        self.assertEqual(address_seen("::1", x_real_ip=" 2001:db8::1 "), "2001:db8::1")

    def test_it_believes_no_one_else(self) -> None:
        self.assertEqual(address_seen("198.51.100.2", x_real_ip="203.0.113.7"), "198.51.100.2")

    def test_it_keeps_the_proxys_address_without_a_valid_one(self) -> None:
        self.assertEqual(address_seen("127.0.0.1"), "127.0.0.1")
        self.assertEqual(address_seen("127.0.0.1", x_real_ip="203.0.113.7, 10.0.0.1"), "127.0.0.1")

    @override_settings(TRUSTED_PROXIES=[])
    def test_it_believes_no_header_by_default(self) -> None:
        self.assertEqual(address_seen("127.0.0.1", x_real_ip="203.0.113.7"), "127.0.0.1")
