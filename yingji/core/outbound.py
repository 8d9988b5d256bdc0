"""Outbound HTTP to addresses that users configure (CAP feeds of other agencies): SSRF guard.

A user with the right to add a CAP feed must not be able to make the server fetch from the
machine itself or from the internal network (cloud metadata at 169.254.169.254, the database's
admin page, a router). So:

* only ``http`` and ``https`` URLs;
* every address the host name resolves to is checked before connecting, and the address the
  socket really connected to is checked again after connecting (a DNS answer that changes
  between the two — "DNS rebinding" — is caught by the second check);
* loopback, link-local, private (RFC 1918, ULA), shared (CGNAT), multicast, unspecified and
  reserved addresses are refused, unless the host name (as written in the URL) is on the
  administrator's allow-list (setting ``YINGJI_FEED_ALLOWED_HOSTS``);
* redirects are followed (at most ``MAX_REDIRECTS``) through the same checks, so a public host
  cannot redirect to a refused one;
* a connect and read time-out, an overall deadline and a size limit.

No Django: callers pass the allow-list from settings.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 3
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 15.0
DEADLINE_S = 30.0


class OutboundRefused(Exception):
    """The URL or the address it leads to may not be fetched; the message says why (Chinese)."""


def address_refused(ip: str) -> str | None:
    """Why an address may not be reached, or None when it is a public address."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "本机地址"
    if addr.is_link_local:
        return "链路本地地址"
    if addr.is_multicast or addr.is_unspecified or addr.is_reserved:
        return "保留地址"
    if addr.is_private or (isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10")):
        return "内网地址"
    if not addr.is_global:
        return "非公网地址"
    return None


def check_url(url: str, allowed_hosts: frozenset[str] = frozenset()) -> str:
    """Refuse a URL before any connection; returns the host name."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused(f"只允许 http 或 https 地址（收到“{parts.scheme or '无协议'}”）")
    host = (parts.hostname or "").lower()
    if not host:
        raise OutboundRefused("地址缺少主机名")
    if host in allowed_hosts:
        return host
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"无法解析主机“{host}”：{exc}") from exc
    for info in infos:
        reason = address_refused(info[4][0])
        if reason:
            raise OutboundRefused(f"拒绝访问{reason}（{host} → {info[4][0]}）；如确需访问，请由系统管理员将该主机加入允许列表")
    return host


class _PeerCheck:
    """After the TCP connection is made, check the address we are really connected to."""

    allowed_hosts: frozenset[str] = frozenset()

    def connect(self):
        super().connect()
        if self.host.lower() in self.allowed_hosts:
            return
        peer = self.sock.getpeername()[0]
        reason = address_refused(peer)
        if reason:
            self.sock.close()
            raise OutboundRefused(f"拒绝访问{reason}（{self.host} → {peer}）")


def _session(allowed_hosts: frozenset[str]) -> requests.Session:
    http_conn = type("GuardedHTTPConnection", (_PeerCheck, HTTPConnection), {"allowed_hosts": allowed_hosts})
    https_conn = type("GuardedHTTPSConnection", (_PeerCheck, HTTPSConnection), {"allowed_hosts": allowed_hosts})
    http_pool = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the checks must see the real peer
    session.mount("http://", GuardedAdapter())
    session.mount("https://", GuardedAdapter())
    return session


def fetch(url: str, *, max_bytes: int, allowed_hosts=(), too_large: str = "") -> bytes:
    """GET a user-configured URL with the checks above. Raises OutboundRefused for a refused
    address or an oversized body, requests.RequestException for network and HTTP errors."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    session = _session(allowed)
    deadline = time.monotonic() + DEADLINE_S
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, allowed)
        with session.get(url, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S), stream=True, allow_redirects=False) as response:
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                continue
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise OutboundRefused(too_large or f"内容超过 {max_bytes // 1024} KB，已拒绝")
                if time.monotonic() > deadline:
                    raise OutboundRefused(f"获取超时（超过 {DEADLINE_S:.0f} 秒）")
                chunks.append(chunk)
            return b"".join(chunks)
    raise OutboundRefused(f"重定向超过 {MAX_REDIRECTS} 次")
