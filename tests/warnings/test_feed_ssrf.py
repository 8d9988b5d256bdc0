"""CAP feed URLs cannot reach the server itself or the internal network (issue 13, finding 5)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from yingji.core import outbound
from yingji.warnings.imports import poll_feed
from yingji.warnings.models import CapFeed

CITY = "210900000000"


class Redirector:
    """Answers every GET with a redirect to `target`, or with `body` when target is None."""

    def __init__(self):
        self.target: str | None = None
        self.body = b""
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                owner.hits += 1
                if owner.target:
                    self.send_response(302)
                    self.send_header("Location", owner.target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(owner.body)))
                    self.end_headers()
                    self.wfile.write(owner.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_server():
    server = Redirector()
    yield server
    server.close()


@pytest.mark.parametrize("ip,reason", [
    ("127.0.0.1", "本机地址"), ("::1", "本机地址"), ("169.254.169.254", "链路本地地址"), ("10.1.2.3", "内网地址"),
    ("192.168.1.1", "内网地址"), ("172.16.0.1", "内网地址"), ("100.64.0.1", "内网地址"), ("0.0.0.0", "保留地址"),
    ("::ffff:127.0.0.1", "本机地址"), ("fd00::1", "内网地址"), ("240.0.0.1", "保留地址"),
])
def test_internal_addresses_are_refused(ip, reason):
    assert outbound.address_refused(ip) == reason


def test_public_addresses_pass():
    assert outbound.address_refused("202.96.64.68") is None
    assert outbound.address_refused("2400:3200::1") is None


@pytest.mark.parametrize("url,message", [
    ("file:///etc/passwd", "只允许 http 或 https"), ("gopher://x/", "只允许 http 或 https"),
    ("ftp://example.org/a.xml", "只允许 http 或 https"), ("http:///nohost", "缺少主机名"),
    ("http://169.254.169.254/latest/meta-data/", "链路本地地址"), ("http://10.0.0.8:8080/cap.xml", "内网地址"),
])
def test_urls_are_refused_before_any_connection(url, message):
    with pytest.raises(outbound.OutboundRefused, match=message):
        outbound.check_url(url)


@pytest.mark.django_db
def test_feed_on_the_server_itself_is_refused_and_says_why(local_server):
    local_server.body = b"<alert/>"
    feed = CapFeed.objects.create(name="本机", url=f"http://127.0.0.1:{local_server.port}/cap.xml", division_code=CITY)
    summary = poll_feed(feed)
    assert summary.startswith("获取失败") and "本机地址" in summary and "允许列表" in summary
    assert local_server.hits == 0  # refused before connecting


@pytest.mark.django_db
def test_allow_listed_host_may_redirect_but_not_to_a_refused_address(local_server, settings):
    settings.YINGJI_FEED_ALLOWED_HOSTS = ["localhost"]
    local_server.target = f"http://127.0.0.1:{local_server.port}/elsewhere"  # same server, not allow-listed by this name
    feed = CapFeed.objects.create(name="跳转", url=f"http://localhost:{local_server.port}/cap.xml", division_code=CITY)
    summary = poll_feed(feed)
    assert "本机地址" in summary and local_server.hits == 1


@pytest.mark.django_db
def test_redirect_to_another_scheme_is_refused(local_server, settings):
    settings.YINGJI_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    local_server.target = "file:///etc/passwd"
    feed = CapFeed.objects.create(name="跳转", url=f"http://127.0.0.1:{local_server.port}/cap.xml", division_code=CITY)
    assert "只允许 http 或 https" in poll_feed(feed)


def test_size_limit(local_server):
    local_server.body = b"x" * 5000
    with pytest.raises(outbound.OutboundRefused, match="超过"):
        outbound.fetch(f"http://127.0.0.1:{local_server.port}/big", max_bytes=4096, allowed_hosts=["127.0.0.1"])
    assert outbound.fetch(f"http://127.0.0.1:{local_server.port}/big", max_bytes=8192, allowed_hosts=["127.0.0.1"]) == b"x" * 5000
