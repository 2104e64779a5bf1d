"""Photos attached to resident reports: checked by content, re-encoded, stripped of metadata.

`photo_process` is a pure function (no models, no storage): the caller stores the bytes it
returns. What it guarantees (SPEC CASE-2, "type and size checked, location metadata
stripped"):

- The upload is accepted only if Pillow recognises its *content* as JPEG (including the MPO
  variant many phone cameras write), PNG or WebP, and HEIC/HEIF only if a HEIF opener is
  registered with Pillow (none is installed: pillow-heif is deliberately not a dependency, so
  HEIC is refused today). The file name and the declared content type are never consulted;
  only those Pillow plugins are ever tried, so no other parser (EPS/Ghostscript, TIFF, ...)
  sees untrusted bytes.
- Size limits are checked before decoding: bytes against `max_bytes`, and the pixel count read
  from the header against `max_pixels` (Pillow's own decompression-bomb guard stays on as a
  second line).
- The image is fully decoded (a truncated or corrupt file is refused), turned upright from its
  EXIF orientation, converted to RGB (palette, grey, 16-bit and CMYK images converted; alpha
  composited on white; an embedded ICC profile converted to sRGB when it can be), scaled to
  at most 2048 px on its longest side and re-encoded as a fresh JPEG (quality 85) built from
  pixels only: no EXIF (so no GPS), no XMP, no ICC profile, no comment.
- Animated images (animated WebP, APNG, multi-frame MPO) keep their first frame only.
- `sha256` is the hex digest of the processed JPEG; the same input always gives the same
  bytes, so it can be used to find duplicates.

Every refusal is a `ValidationFailed` with a Chinese message, `field="photos"` and a specific
`code` (`photo_empty`, `photo_too_large`, `photo_not_image`, `photo_corrupt`,
`photo_too_many_pixels`).
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass
from typing import IO, Final

from PIL import Image, ImageCms, UnidentifiedImageError

from linli.core.errors import ValidationFailed

PHOTO_FIELD: Final = "photos"
PHOTO_CONTENT_TYPE: Final = "image/jpeg"
PHOTO_MAX_BYTES: Final = 10 * 1024 * 1024
PHOTO_MAX_PIXELS: Final = 40_000_000
PHOTO_MAX_SIDE: Final = 2048
PHOTO_QUALITY: Final = 85
THUMBNAIL_MAX_SIDE: Final = 320
THUMBNAIL_QUALITY: Final = 80

# Pillow format names tried when opening, in this order. "HEIF" is only present in
# Image.OPEN when a HEIF plugin (pillow-heif) has been registered; it is skipped otherwise.
# JPEG files with a multi-picture extension open as "MPO" through the JPEG plugin.
_ACCEPTED_FORMATS: Final = ("JPEG", "PNG", "WEBP", "HEIF")
_FORMAT_LABELS: Final = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}

_ORIENTATION_TAG: Final = 0x0112
_TRANSPOSE_FOR_ORIENTATION: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_WHITE: Final = (255, 255, 255)
_SIXTEEN_BIT_MODES: Final = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N"})
_ALPHA_MODES: Final = frozenset({"LA", "La", "PA", "RGBa"})
_KEYED_MODES: Final = frozenset({"1", "L", "P", "RGB"})
# What decoding a damaged file raises (Pillow's own errors are OSError subclasses).
_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes  # JPEG, longest side <= PHOTO_MAX_SIDE, no metadata
    thumbnail: bytes  # JPEG, longest side <= THUMBNAIL_MAX_SIDE, no metadata
    width: int  # of `image`, after orientation
    height: int
    content_type: str  # always "image/jpeg"
    sha256: str  # hex digest of `image`


def photo_process(
    *,
    data: bytes,
    max_bytes: int = PHOTO_MAX_BYTES,
    max_pixels: int = PHOTO_MAX_PIXELS,
) -> ProcessedPhoto:
    """Check an uploaded photo by its content and return a clean, re-encoded copy.

    Raises `ValidationFailed` (field "photos") for empty, too large, non-image, unsupported,
    corrupt or too-many-pixel input. Never looks at a file name or a declared type.
    """
    if not data:
        raise _refuse("照片是空文件，请重新选择。", "photo_empty")
    if len(data) > max_bytes:
        raise _refuse(f"照片不能超过 {_format_bytes(max_bytes)}。", "photo_too_large")
    data = bytes(data)  # also accepts a bytearray or memoryview

    picture = _decode(data, max_pixels=max_pixels)
    picture = _upright(picture)
    picture = _to_rgb(picture)
    picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", picture.size)  # a fresh image: carries no `info` at all
    clean.paste(picture)

    small = clean.copy()
    small.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)

    image_bytes = _encode_jpeg(clean, quality=PHOTO_QUALITY)
    return ProcessedPhoto(
        image=image_bytes,
        thumbnail=_encode_jpeg(small, quality=THUMBNAIL_QUALITY),
        width=clean.width,
        height=clean.height,
        content_type=PHOTO_CONTENT_TYPE,
        sha256=hashlib.sha256(image_bytes).hexdigest(),
    )


def photo_read(*, file: IO[bytes], max_bytes: int = PHOTO_MAX_BYTES) -> bytes:
    """Read an upload (e.g. a Django `UploadedFile`) without reading past `max_bytes` + 1.

    Pass the result to `photo_process`, which refuses it if it is over the limit.
    """
    return file.read(max_bytes + 1)


def photo_accepted_formats() -> list[str]:
    """The formats accepted right now, for messages and `accept=` hints (e.g. JPEG, PNG)."""
    Image.init()
    return [_FORMAT_LABELS[name] for name in _ACCEPTED_FORMATS if name in Image.OPEN]


# ----------------------------------------------------------------------------- internals


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=PHOTO_FIELD)


def _format_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} 字节"


def _not_an_image() -> ValidationFailed:
    return _refuse(
        f"文件不是可识别的照片，请上传 {'、'.join(photo_accepted_formats())} 格式的图片。",
        "photo_not_image",
    )


def _corrupt() -> ValidationFailed:
    return _refuse("照片文件已损坏或不完整，请重新拍摄或选择。", "photo_corrupt")


def _too_many_pixels(max_pixels: int) -> ValidationFailed:
    return _refuse(
        f"照片像素过多（不能超过 {max_pixels / 10_000:g} 万像素），请缩小后再上传。",
        "photo_too_many_pixels",
    )


def _open(data: bytes, formats: list[str], max_pixels: int) -> Image.Image:
    """Open (header only) with the accepted plugins, refusing by size before any decoding."""
    try:
        picture = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's global guard (or its warning, when warnings are errors).
        raise _too_many_pixels(max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise _not_an_image() from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    width, height = picture.size
    if width <= 0 or height <= 0:
        raise _corrupt()
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    return picture


def _decode(data: bytes, *, max_pixels: int) -> Image.Image:
    """Verify the file, then decode its first frame fully into memory."""
    Image.init()
    formats: list[str] = [name for name in _ACCEPTED_FORMATS if name in Image.OPEN]
    try:
        _open(data, formats, max_pixels).verify()
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc

    picture = _open(data, formats, max_pixels)  # verify() leaves the object unusable
    try:
        if getattr(picture, "n_frames", 1) > 1:
            picture.seek(0)  # animated or multi-picture: the first frame only
        if picture.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the output.
            picture.draft(None, (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        picture.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    return picture


def _upright(picture: Image.Image) -> Image.Image:
    """Apply the EXIF orientation to the pixels (the EXIF itself is dropped later)."""
    try:
        orientation = picture.getexif().get(_ORIENTATION_TAG, 1)
    except _DECODE_ERRORS:
        return picture  # unreadable EXIF: keep the pixels as stored
    method = _TRANSPOSE_FOR_ORIENTATION.get(orientation)
    if method is None:
        return picture
    upright = picture.transpose(method)
    upright.info = dict(picture.info)  # keep the ICC profile for the colour conversion
    return upright


def _to_rgb(picture: Image.Image) -> Image.Image:
    """Plain 8-bit RGB: alpha composited on white, colours converted to sRGB if profiled."""
    icc = picture.info.get("icc_profile")
    mode = picture.mode
    try:
        if mode == "CMYK":
            converted = _icc_to_srgb(picture, icc) if icc else None
            return converted or picture.convert("RGB")
        if mode in _SIXTEEN_BIT_MODES:
            grey = picture if mode == "I" else picture.convert("I")
            picture = grey.point(lambda value: value * (1 / 256)).convert("L")
        elif mode in _ALPHA_MODES or (mode in _KEYED_MODES and "transparency" in picture.info):
            picture = picture.convert("RGBA")  # palette or colour-key transparency included
        if picture.mode == "RGBA":
            flat = Image.new("RGB", picture.size, _WHITE)
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    if icc:
        return _icc_to_srgb(picture, icc) or picture
    return picture


def _icc_to_srgb(picture: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert through the embedded profile; None if the profile is unusable (then ignored)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(picture, source, srgb, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    return converted


def _encode_jpeg(picture: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Only pixels go in: no exif=, icc_profile=, xmp= or comment= is passed, and `picture`
    # is a fresh image whose `info` is empty, so nothing is copied from the upload.
    picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
