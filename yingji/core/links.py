"""Links to the platform's own pages and API routes, always from URL names (no literal paths)."""

from django.urls import reverse


def api_url(path: str = "") -> str:
    """A route of the JSON API: the API root (URL name ``api-v1:api-root``) followed by the
    route's path, e.g. ``api_url("ingest/")`` (django-ninja routes have no names)."""
    return reverse("api-v1:api-root") + path


def record_url(key: str, pk: int) -> str:
    """The detail page of a registry record."""
    return reverse("record-detail", args=[key, pk])
