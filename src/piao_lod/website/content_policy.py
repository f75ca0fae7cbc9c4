"""What a page of the site may load and run: its Content-Security-Policy.

Every value on a page is escaped when it is written; the policy is the second wall, should one ever
get through. Pages have no inline script or style (charts and weight bars are SVG attributes), so
the policy allows only the site's own files: its scripts (and Pagefind's WebAssembly, for search),
stylesheets, images and fonts (bootstrap-italia's icons and one font are ``data:`` URLs).
A static page carries the policy in a ``<meta>`` element, which any host honours; hosts that can
send headers send it again (``_headers``, ``.htaccess``) with ``frame-ancestors``, which a ``<meta>``
cannot give. The server's own pages run no script at all.
"""

from __future__ import annotations

SITE_PAGES = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "form-action": "'self'",
}
SERVER_PAGES = {"default-src": "'none'", **{name: SITE_PAGES[name] for name in ("style-src", "img-src", "font-src",
                                                                              "form-action")},
                "base-uri": "'self'"}
AS_HEADER = {"frame-ancestors": "'self'"}     # ignored in a <meta> element, where browsers warn about it


def policy_text(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


META_POLICY = policy_text(SITE_PAGES)
HEADER_POLICY = policy_text({**SITE_PAGES, **AS_HEADER})
SERVER_POLICY = policy_text({**SERVER_PAGES, **AS_HEADER})
