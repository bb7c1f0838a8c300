"""The Content-Security-Policy header, shaped like Django 6.0's own (`django.utils.csp` and
`django.middleware.csp`) so that moving to it changes import paths only: the same settings
(SECURE_CSP, SECURE_CSP_REPORT_ONLY: a directive to its sources), the same `CSP` constants,
the same override a response may carry (`_csp_config`, `_csp_ro_config`), and a header a view
set itself is kept. Nonces are left out: no page of ours has an inline script or style."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

Policy = Mapping[str, Sequence[str] | bool | None]


class CSP(StrEnum):
    """The headers and the quoted keywords of a policy (django.utils.csp.CSP)."""

    HEADER_ENFORCE = "Content-Security-Policy"
    HEADER_REPORT_ONLY = "Content-Security-Policy-Report-Only"

    NONE = "'none'"
    REPORT_SAMPLE = "'report-sample'"
    SELF = "'self'"
    STRICT_DYNAMIC = "'strict-dynamic'"
    UNSAFE_EVAL = "'unsafe-eval'"
    UNSAFE_HASHES = "'unsafe-hashes'"
    UNSAFE_INLINE = "'unsafe-inline'"
    WASM_UNSAFE_EVAL = "'wasm-unsafe-eval'"


def build_policy(config: Policy) -> str:
    """`{"default-src": ["'self'"], "upgrade-insecure-requests": True}` as a header value;
    a directive set to None or False, or to no sources, is left out."""
    directives = []
    for directive, sources in config.items():
        if sources is None or sources is False:
            continue
        if sources is True:
            directives.append(directive)
        elif sources:
            directives.append(f"{directive} {' '.join(sources)}")
    return "; ".join(directives)


def source_hash(text: str) -> str:
    """The source that allows one inline <style> or <script> of exactly this text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


class ContentSecurityPolicyMiddleware:
    """Adds the policies of the settings, or of the response's own override, to every
    response that has no such header yet. Read per response, so that tests may override."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for header, attribute, setting in (
            (CSP.HEADER_ENFORCE, "_csp_config", "SECURE_CSP"),
            (CSP.HEADER_REPORT_ONLY, "_csp_ro_config", "SECURE_CSP_REPORT_ONLY"),
        ):
            config: Policy | None
            if hasattr(response, attribute):
                config = getattr(response, attribute)
            else:
                config = getattr(settings, setting, None)
            if config and header not in response:
                response.headers[str(header)] = build_policy(config)
        return response
