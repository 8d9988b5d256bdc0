"""Photo checks for uploads from the public and the field: a real JPEG, PNG or WebP image
(decoded with Pillow, not trusted by its name or type) of at most 5 MB."""

from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from yingji.core.errors import ValidationFailed

MAX_PHOTO_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


def check_image(upload, field: str = "photo") -> tuple[str, str]:
    """(extension, content type) of a valid photo, else ValidationFailed in Chinese."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(f"照片超过 5 MB（{upload.size / 1048576:.1f} MB），请压缩后上传", fields={field: ["文件过大"]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed("照片不是有效的图片文件，只接受 JPEG、PNG、WebP", fields={field: ["不是图片"]}) from None
    finally:
        upload.seek(0)
    if fmt not in FORMATS:
        raise ValidationFailed(f"不支持的图片格式 {fmt}，只接受 JPEG、PNG、WebP", fields={field: ["格式不支持"]})
    return FORMATS[fmt]
