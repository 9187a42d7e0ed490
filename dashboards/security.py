"""Security headers on every response of the dashboard's server.

- ``Content-Security-Policy``: scripts only from the server itself plus the
  inline scripts Dash writes into its index page (allowed by their SHA-256,
  :meth:`dash.Dash.csp_hashes`); styles from the server and inline (Dash's
  components set ``style`` attributes); images also as ``data:``/``blob:``
  (plotly's download button); no plugins, no framing, forms post only here.
- ``X-Frame-Options: DENY`` (and ``frame-ancestors 'none'``): no other site can
  frame the page to trick a click.
- ``X-Content-Type-Options: nosniff``.
- ``Referrer-Policy: same-origin``: no address of this server is sent to
  another site. Not ``no-referrer``: under that policy browsers send
  ``Origin: null`` with the page's own POSTs, and the Origin check
  (:func:`dashboards.upload.install_origin_check`) would refuse the dashboard
  its own callbacks.
- ``Cache-Control: no-store`` on every answer that does not set its own
  caching (pages, callbacks, the API: they carry health data); Dash's
  versioned scripts and the assets keep theirs.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response

#: Referrer policy of every response (see the module docstring for why not no-referrer).
REFERRER_POLICY = "same-origin"


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The CSP header value; ``script_hashes``: quoted ``'sha256-...'`` sources of the
    inline scripts the page may run."""
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(script_hashes: Iterable[str] = ()) -> dict[str, str]:
    """The headers :func:`install_security_headers` puts on every response."""
    return {
        "Content-Security-Policy": content_security_policy(script_hashes),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
    }


def install_security_headers(server: Flask, script_hashes: Iterable[str] = ()) -> None:
    """Add :func:`security_headers` (and ``Cache-Control: no-store`` where the response
    sets no caching of its own) to every response of ``server``, errors included."""
    headers = security_headers(script_hashes)

    def _add_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers[name] = value
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    server.after_request(_add_headers)
