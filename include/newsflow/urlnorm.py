"""Canonical form of article URLs, so one article reached by many links has one identity.
Pure string work (no network): tracking parameters, AMP variants, case, ports, slashes and fragments."""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

#: Query parameters that only say how a reader arrived; they never select different content.
#: Matched case-insensitively; names ending in "*" are prefixes.
TRACKING_PARAMS = (
    "utm_*", "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "hsctatracking", "_ga", "_gl", "vero_id",
    "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "s_kwcid", "cmpid", "cmp", "ocid", "icid",
    "ncid", "sr_share", "at_medium", "at_campaign", "at_custom*", "taid", "ito", "xtor",
    "ref", "ref_src", "ref_url", "referrer", "src", "source", "spm", "smid", "smtyp",
    "wt.mc_id", "wt_mc_id", "soc_src", "soc_trk", "fb_ref", "fb_source", "outputtype",
    "amp", "amp_js_v", "usqp", "__twitter_impression", "guccounter", "guce_referrer*",
    "mbid", "rssfeed", "intcmp", "int_source",
)

#: Host prefixes that serve the same article as the bare host (mobile, AMP and "www" mirrors).
MIRROR_HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_EXACT_TRACKING = frozenset(p for p in TRACKING_PARAMS if not p.endswith("*"))
_PREFIX_TRACKING = tuple(p[:-1] for p in TRACKING_PARAMS if p.endswith("*"))
# Characters that need no percent-encoding in a path (RFC 3986 unreserved + sub-delims + ":@/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_AMP_SUFFIX = re.compile(r"(?:/amp|\.amp|/amp\.html)$", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _EXACT_TRACKING or low.startswith(_PREFIX_TRACKING)


def _host(netloc_host: str) -> str:
    host = netloc_host.lower().rstrip(".")
    try:
        # IDNs compare in their ASCII (punycode) form, whatever form the link used.
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        pass
    # Strip one mirror prefix at a time, but never down to a bare public suffix ("m.co" stays).
    changed = True
    while changed:
        changed = False
        for prefix in MIRROR_HOST_PREFIXES:
            rest = host[len(prefix):]
            if host.startswith(prefix) and rest.count(".") >= 1:
                host, changed = rest, True
    return host


def _path(raw: str) -> str:
    path = quote(unquote(raw), safe=_PATH_SAFE) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if "/." in path:
        # Resolve "." and ".." segments; normpath drops the trailing slash, which we drop anyway.
        path = posixpath.normpath(path)
    if path.lower().startswith("/amp/"):
        path = path[4:]
    path = _AMP_SUFFIX.sub("", path.rstrip("/"))
    return path.rstrip("/") or "/"


def canonicalize_url(url: str) -> str:
    """The canonical identity of `url`; never raises. Unparseable input comes back stripped.

    http and https map to https (same article, different transport); "www.", "amp.", "m." and
    "mobile." host prefixes, default ports, fragments, trailing slashes, AMP path/query markers and
    tracking parameters are removed; the remaining query is sorted.
    """
    if not isinstance(url, str):
        return ""
    stripped = url.strip()
    # Feeds often carry HTML-escaped links ("&amp;"); a stray backslash before "?" is an escaping artefact.
    text = html.unescape(stripped).replace("\\?", "?")
    if text.startswith("//"):
        text = "https:" + text
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return stripped
        host = _host(parts.hostname)
        port = parts.port
    except (ValueError, UnicodeError):
        return stripped
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k and not _is_tracking(k)
    ]
    query.sort()
    return urlunsplit(("https", netloc, _path(parts.path), urlencode(query, quote_via=quote), ""))
