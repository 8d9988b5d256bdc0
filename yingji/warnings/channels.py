"""Dissemination channels: one interface, one adapter per channel.

``adapter.send(config, warning, deliveries) -> list[Outcome]`` sends a batch of deliveries of
one warning and says, per delivery, ``sent`` (accepted by the next hop), ``delivered`` (known to
have arrived), ``retry`` (temporary failure: try again later) or ``failed`` (permanent).

SMS gateway protocol (generic JSON over HTTP; a vendor-specific gateway gets its own adapter)::

    POST <endpoint>  {"content": "...", "segments": 2, "messages": [{"id": 17, "mobile": "139..."}]}
    200  {"results": [{"id": 17, "status": "accepted"|"delivered"|"rejected", "msgid": "...", "error": "..."}]}

Any other HTTP status, a timeout or an unreadable answer retries the whole batch. Later
delivery receipts are POSTed to ``/api/v1/deliveries/receipts`` (see api.py).

Emergency broadcast: ``POST <endpoint>`` with the CAP XML (``application/cap+xml``); 2xx = delivered.
E-mail: one SMTP transaction per batch (smtplib), per-recipient refusals are permanent failures.
Web/feed and in-app notices are delivered by publishing itself.
"""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr
from typing import NamedTuple

import requests

from . import capdoc


class Outcome(NamedTuple):
    delivery_id: int
    status: str  # sent / delivered / retry / failed
    error: str = ""
    external_id: str = ""


def _all(deliveries, status: str, error: str = "") -> list[Outcome]:
    return [Outcome(d.pk, status, error[:300]) for d in deliveries]


def http_failure(exc: Exception) -> str:
    """Why an HTTP request to a gateway failed, in words a duty officer can act on."""
    if isinstance(exc, requests.ConnectTimeout):
        return "连接超时（网关无响应）"
    if isinstance(exc, requests.Timeout):
        return "应答超时"
    if isinstance(exc, requests.ConnectionError):
        return "无法连接（网关未启动或网络不通）"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "接口地址无效"
    return "请求失败"


def smtp_failure(exc: Exception) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "连接超时"
    if isinstance(exc, ConnectionRefusedError):
        return "无法连接（邮件服务器未启动或端口错误）"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "邮件服务器断开了连接"
    if isinstance(exc, smtplib.SMTPException):
        return f"邮件服务器出错（{getattr(exc, 'smtp_code', '') or '无代码'}）"
    return "网络错误"


class ChannelAdapter:
    key = ""

    def send(self, config, warning, deliveries) -> list[Outcome]:  # pragma: no cover - interface
        raise NotImplementedError


class SmsGateway(ChannelAdapter):
    key = "sms"
    _session = None

    def session(self) -> requests.Session:
        if SmsGateway._session is None:
            SmsGateway._session = requests.Session()
            SmsGateway._session.trust_env = False  # never route through a proxy from the environment
        return SmsGateway._session

    def send(self, config, warning, deliveries) -> list[Outcome]:
        text = capdoc.sms_text_of(warning, config.signature)
        body = {"content": text, "segments": capdoc.sms_segments_of(warning, config.signature),
                "messages": [{"id": d.pk, "mobile": d.address} for d in deliveries]}
        try:
            response = self.session().post(config.endpoint, json=body, timeout=config.timeout_seconds)
        except requests.RequestException as exc:
            return _all(deliveries, "retry", f"短信网关不可达：{http_failure(exc)}")
        if response.status_code != 200:
            return _all(deliveries, "retry", f"短信网关返回 HTTP {response.status_code}")
        try:
            results = {int(r["id"]): r for r in response.json()["results"]}
        except (ValueError, KeyError, TypeError):
            return _all(deliveries, "retry", "短信网关应答格式无法识别")
        return [self._outcome(d, results.get(d.pk)) for d in deliveries]

    @staticmethod
    def _outcome(delivery, result) -> Outcome:
        if result is None:
            return Outcome(delivery.pk, "retry", "短信网关应答中缺少该号码")
        status = str(result.get("status", ""))
        msgid = str(result.get("msgid", ""))[:64]
        if status == "delivered":
            return Outcome(delivery.pk, "delivered", "", msgid)
        if status == "accepted":
            return Outcome(delivery.pk, "sent", "", msgid)
        if status == "rejected":
            return Outcome(delivery.pk, "failed", f"网关拒收：{result.get('error', '')}"[:300], msgid)
        return Outcome(delivery.pk, "retry", f"网关状态未知：{status}"[:300], msgid)


class BroadcastEndpoint(ChannelAdapter):
    """应急广播: the CAP message is handed to the broadcast platform, which plays it on the
    loudspeakers of the area (GD/J 080–083 / T/AHMS 0009 conversion is the platform's job)."""

    key = "broadcast"

    def send(self, config, warning, deliveries) -> list[Outcome]:
        session = requests.Session()
        session.trust_env = False
        try:
            response = session.post(config.endpoint, data=warning.cap_xml.encode("utf-8"),
                                    headers={"Content-Type": "application/cap+xml; charset=utf-8"},
                                    timeout=config.timeout_seconds)
        except requests.RequestException as exc:
            return _all(deliveries, "retry", f"应急广播平台不可达：{http_failure(exc)}")
        if 200 <= response.status_code < 300:
            return _all(deliveries, "delivered")
        status = "failed" if response.status_code in (400, 422) else "retry"
        return _all(deliveries, status, f"应急广播平台返回 HTTP {response.status_code}")


class EmailSmtp(ChannelAdapter):
    key = "email"

    def send(self, config, warning, deliveries) -> list[Outcome]:
        message = EmailMessage()
        message["Subject"] = warning.title
        message["From"] = formataddr((warning.sender_name, config.mail_from or "warnings@localhost"))
        message["To"] = "undisclosed-recipients:;"
        message.set_content(f"{warning.title}\n\n影响范围：{warning.area_desc}\n\n{warning.description}\n\n"
                            f"防御指南：{warning.instruction or '—'}\n\n发布单位：{warning.sender_name}")
        message.add_attachment(warning.cap_xml.encode("utf-8"), maintype="application", subtype="cap+xml",
                               filename=f"{warning.identifier}.xml")
        recipients = [d.address for d in deliveries]
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout_seconds) as smtp:
                refused = smtp.send_message(message, from_addr=config.mail_from or "warnings@localhost",
                                            to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            return _all(deliveries, "retry", f"邮件服务器不可用：{smtp_failure(exc)}")
        return [Outcome(d.pk, "failed", f"邮件服务器拒收：{refused[d.address]}"[:300]) if d.address in refused
                else Outcome(d.pk, "sent") for d in deliveries]


class Published(ChannelAdapter):
    """Web page + Atom/CAP feed, and in-app notices: the row is the message."""

    def __init__(self, key: str):
        self.key = key

    def send(self, config, warning, deliveries) -> list[Outcome]:
        return _all(deliveries, "delivered")


ADAPTERS: dict[str, ChannelAdapter] = {
    "sms": SmsGateway(),
    "broadcast": BroadcastEndpoint(),
    "email": EmailSmtp(),
    "web": Published("web"),
    "inapp": Published("inapp"),
}
