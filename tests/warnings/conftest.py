"""Fixtures for the warning release: the approval roles, a valid draft, and real local servers
on 127.0.0.1 — an SMS/broadcast HTTP gateway that can fail its first N requests, an SMTP
server — so the channel adapters are exercised over real sockets."""

from __future__ import annotations

import datetime as dt
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import CITY, FIXTURES, ZHANGWU

CAP_DATA = FIXTURES / "cap"
# serve_forever checks for shutdown this often; the default 0.5 s made every test using a
# local server wait up to half a second in teardown
POLL_S = 0.02
FUXIN_BBOX_POLYGON = [[121.55, 41.90], [121.75, 41.90], [121.75, 42.05], [121.55, 42.05]]


class Gateway:
    """A tiny HTTP server: ``/sms`` answers like an SMS gateway, ``/broadcast`` takes CAP."""

    def __init__(self):
        self.requests: list[tuple[str, bytes]] = []
        self.fail_first = 0
        self.reject_numbers: set[str] = set()
        self.deliver_immediately = False
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with gateway.lock:
                    gateway.requests.append((self.path, body))
                    failing = gateway.fail_first > 0
                    if failing:
                        gateway.fail_first -= 1
                if failing:
                    return self._reply(503, b'{"error": "busy"}')
                if self.path.startswith("/broadcast"):
                    return self._reply(200, b'{"ok": true}')
                data = json.loads(body)
                results = []
                for message in data["messages"]:
                    if message["mobile"] in gateway.reject_numbers:
                        results.append({"id": message["id"], "status": "rejected", "error": "空号"})
                    else:
                        status = "delivered" if gateway.deliver_immediately else "accepted"
                        results.append({"id": message["id"], "status": status, "msgid": f"m{message['id']}"})
                self._reply(200, json.dumps({"results": results}).encode())

            def do_GET(self):
                content = gateway.pages.get(self.path)
                if content is None:
                    return self._reply(404, b"not found")
                self._reply(200, content, "application/xml")

            def _reply(self, status, body, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.pages: dict[str, bytes] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(POLL_S,), daemon=True).start()

    def sms_payloads(self) -> list[dict]:
        return [json.loads(body) for path, body in self.requests if path.startswith("/sms")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpServer:
    """Just enough SMTP (RFC 5321) to receive mail; refuses recipients containing 'nobody'."""

    def __init__(self):
        self.messages: list[dict] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.reply("220 localhost test SMTP")
                sender, recipients = "", []
                while True:
                    line = self.rfile.readline().decode("utf-8", "replace").strip()
                    if not line:
                        return
                    verb = line.split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 localhost")
                    elif verb == "MAIL":
                        sender, recipients = line[10:].strip("<>"), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        address = line.split(":", 1)[1].strip().strip("<>")
                        if "nobody" in address:
                            self.reply("550 No such user")
                        else:
                            recipients.append(address)
                            self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while True:
                            data = self.rfile.readline()
                            if data in (b".\r\n", b".\n", b""):
                                break
                            lines.append(data)
                        owner.messages.append({"from": sender, "to": recipients, "data": b"".join(lines)})
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(POLL_S,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture
def roles(make_user):
    """Drafter (duty officer), reviewer (city admin), signer (commander), all city-level."""
    drafter = make_user("drafter", "duty_officer")
    drafter.phone = "13900000001"
    drafter.email = "drafter@bureau.test"
    drafter.save()
    reviewer = make_user("reviewer", "city_admin")
    signer = make_user("signer", "commander")
    return {"drafter": drafter, "reviewer": reviewer, "signer": signer}


@pytest.fixture
def channels(db, gateway, smtp_server):
    from yingji.warnings.models import ChannelConfig

    common = {"division_code": CITY, "retry_base_seconds": 30, "max_attempts": 3, "timeout_seconds": 5}
    return {
        "sms": ChannelConfig.objects.create(channel="sms", name="短信网关（测试）", endpoint=gateway.url + "/sms",
                                            signature="【阜新市应急管理局】", batch_size=100, receipt_token="r-token", **common),
        "broadcast": ChannelConfig.objects.create(channel="broadcast", name="应急广播（测试）",
                                                  endpoint=gateway.url + "/broadcast", **common),
        "email": ChannelConfig.objects.create(channel="email", name="邮件（测试）", smtp_host="127.0.0.1",
                                              smtp_port=smtp_server.port, mail_from="yujing@bureau.test", **common),
    }


def warning_data(**overrides) -> dict:
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    data = {
        "event_type": "natural.meteorological", "event": "暴雨", "level": 3,
        "area_desc": "彰武县全境", "area_codes": [ZHANGWU],
        "effective": now, "expires": now + dt.timedelta(hours=12),
        "description": "预计未来12小时彰武县将出现50毫米以上降雨。",
        "instruction": "1. 注意防范山洪和城市内涝；2. 避免前往低洼地带；3. 做好排涝准备。",
        "sender_name": "阜新市应急管理局", "contact": "0418-12345",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(roles):
    from yingji.warnings import services

    return services.create_warning(roles["drafter"], warning_data())


def publish(warning, roles):
    """Take a draft through the whole approval chain."""
    from yingji.warnings import services

    warning = services.transition(roles["drafter"], warning, "submit")
    warning = services.transition(roles["reviewer"], warning, "approve", "同意")
    warning = services.transition(roles["signer"], warning, "sign", "同意发布")
    return services.transition(roles["drafter"], warning, "publish")


@pytest.fixture
def publish_warning(roles):
    return lambda warning: publish(warning, roles)


def cap_file(name: str) -> Path:
    return CAP_DATA / name
