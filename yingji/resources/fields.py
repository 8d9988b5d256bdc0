"""A many-valued field stored as text: "危化、矿山、水域".

Staff fill such cells in Excel by hand, so the stored form is the Chinese labels joined by
"、" (exports read naturally and re-import unchanged). Input may separate values with 、 , ，
; ； / or spaces; every value must be one of the declared options, duplicates are dropped and
the order follows the declaration. Searching uses ``icontains``.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

SEPARATOR = "、"
_SPLIT = re.compile(r"[、,，;；/\s]+")


def split_labels(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        parts = [str(v).strip() for v in value]
    else:
        parts = _SPLIT.split(str(value))
    return [p for p in (s.strip() for s in parts) if p]


class MultiLabelField(models.CharField):
    """Several labels out of ``options``, stored joined by "、"."""

    def __init__(self, *args, options: tuple[str, ...] = (), **kwargs):
        self.options = tuple(options)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = self.options
        return name, path, args, kwargs

    def normalise(self, value) -> str:
        labels = split_labels(value)
        unknown = [v for v in labels if v not in self.options]
        if unknown:
            raise ValidationError(
                f"“{'、'.join(unknown)}”不是可选值；可选：{'、'.join(self.options)}（多个用“、”分隔）",
                code="invalid_choice",
            )
        chosen = set(labels)
        return SEPARATOR.join(o for o in self.options if o in chosen)

    def to_python(self, value):
        return self.normalise(value)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.CharField,
            "help_text": f"可选：{'、'.join(self.options)}；多个用“、”分隔",
            "widget": forms.TextInput(attrs={"placeholder": "、".join(self.options[:3]) + "…"}),
        }
        defaults.update(kwargs)
        return super().formfield(**defaults)
