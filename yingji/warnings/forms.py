"""The compose form of a warning (console)."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from yingji.regions.services import full_name

from .models import (AUDIENCES, CAP_CATEGORY_CHOICES, CAP_STATUS_CHOICES, CERTAINTY_CHOICES, CHANNELS, ChannelConfig,
                     EVENT_TYPE_CHOICES, LEVEL_CHOICES, URGENCY_CHOICES)

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _dt_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local", "class": "input"}, format="%Y-%m-%dT%H:%M")


class WarningForm(forms.Form):
    event_type = forms.ChoiceField(label="预警类别", choices=EVENT_TYPE_CHOICES)
    event = forms.CharField(label="预警事件", max_length=40, help_text="如：暴雨、大风、危险化学品泄漏")
    level = forms.TypedChoiceField(label="预警级别", choices=LEVEL_CHOICES, coerce=int)
    headline = forms.CharField(label="标题（可留空自动生成）", max_length=200, required=False)
    area_desc = forms.CharField(label="影响范围描述", max_length=300)
    area_codes = forms.MultipleChoiceField(label="影响区划", required=False, widget=forms.CheckboxSelectMultiple)
    area_polygon = forms.CharField(label="绘制的多边形", required=False, widget=forms.HiddenInput)
    circle_lon = forms.FloatField(label="圆心经度", required=False)
    circle_lat = forms.FloatField(label="圆心纬度", required=False)
    circle_radius_km = forms.FloatField(label="半径（公里）", required=False)
    effective = forms.DateTimeField(label="生效时间", input_formats=LOCAL_FORMATS, widget=_dt_widget())
    onset = forms.DateTimeField(label="开始时间", input_formats=LOCAL_FORMATS, widget=_dt_widget(), required=False)
    expires = forms.DateTimeField(label="失效时间", input_formats=LOCAL_FORMATS, widget=_dt_widget())
    description = forms.CharField(label="警示事项", widget=forms.Textarea(attrs={"rows": 3}))
    instruction = forms.CharField(label="防御指南（应当采取的措施）", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    sender_name = forms.CharField(label="发布单位", max_length=100)
    contact = forms.CharField(label="咨询求助电话", max_length=60, required=False)
    cap_category = forms.ChoiceField(label="CAP 类别", choices=[("", "按预警类别自动")] + CAP_CATEGORY_CHOICES, required=False)
    urgency = forms.ChoiceField(label="紧迫程度", choices=URGENCY_CHOICES, initial="Unknown")
    certainty = forms.ChoiceField(label="确定程度", choices=CERTAINTY_CHOICES, initial="Unknown")
    cap_status = forms.ChoiceField(label="发布性质", choices=CAP_STATUS_CHOICES, initial="Actual")
    channels = forms.MultipleChoiceField(label="发布渠道", choices=CHANNELS, widget=forms.CheckboxSelectMultiple)
    audiences = forms.MultipleChoiceField(label="接收对象", choices=AUDIENCES, widget=forms.CheckboxSelectMultiple)
    sms_text = forms.CharField(label="短信内容（可留空自动生成）", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_codes"].choices = [(d.code, f"{d.name}（{d.short_code}）") for d in divisions]
        # Offer only the channels that can send: SMS, broadcast and e-mail need an enabled gateway
        # (渠道配置); the others say why they are missing instead of "succeeding" with 0 % coverage.
        ready, missing = channel_readiness()
        self.fields["channels"].choices = [(key, label) for key, label in CHANNELS if key in ready]
        if missing:
            self.fields["channels"].help_text = "未配置、不可选：" + "；".join(
                f"{label}（{why}）" for key, label in CHANNELS for k, why in missing if k == key)
        for name, field in self.fields.items():
            if not isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.HiddenInput)):
                field.widget.attrs.setdefault("class", "input")

    def clean_area_polygon(self):
        text = self.cleaned_data.get("area_polygon") or ""
        if not text.strip():
            return None
        try:
            points = json.loads(text)
            return [[float(lon), float(lat)] for lon, lat in points]
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError("多边形数据无效，请重新绘制") from exc

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["headline"] = data.get("headline") or ""
        return data


GATEWAY_CHANNELS = {"sms": "endpoint", "broadcast": "endpoint", "email": "smtp_host"}


def channel_readiness() -> tuple[set[str], list[tuple[str, str]]]:
    """Channels that can send now, and (channel, reason) for those that cannot."""
    configs = {c.channel: c for c in ChannelConfig.objects.all()}
    ready, missing = set(), []
    for key, _ in CHANNELS:
        needs = GATEWAY_CHANNELS.get(key)
        config = configs.get(key)
        if needs is None:
            ready.add(key)
        elif config is None or not getattr(config, needs):
            missing.append((key, "未配置发送网关"))
        elif not config.enabled:
            missing.append((key, "渠道已停用"))
        else:
            ready.add(key)
    return ready, missing


def initial_for(warning=None, user=None) -> dict:
    if warning is None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        ready, _ = channel_readiness()
        return {"effective": now, "expires": now + timezone.timedelta(hours=24), "level": 3,
                "channels": [c for c, _ in CHANNELS if c in ready], "audiences": [a for a, _ in AUDIENCES],
                "sender_name": _bureau_name(user), "urgency": "Unknown", "certainty": "Unknown", "cap_status": "Actual"}
    data = {name: getattr(warning, name) for name in WarningForm.base_fields if hasattr(warning, name)}
    data["area_polygon"] = json.dumps(warning.area_polygon) if warning.area_polygon else ""
    for name in ("effective", "onset", "expires"):
        if data.get(name):
            data[name] = timezone.localtime(data[name])
    return data


def _bureau_name(user) -> str:
    if user is None:
        return ""
    return f"{full_name(user.region_code)}应急管理局"
