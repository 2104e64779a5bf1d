"""Report photos: checked by content, size-limited, re-encoded without any metadata."""

import dataclasses
import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, features

from linli.core.errors import ValidationFailed
from linli.core.photos import (
    PHOTO_MAX_SIDE,
    THUMBNAIL_MAX_SIDE,
    ProcessedPhoto,
    photo_accepted_formats,
    photo_process,
    photo_read,
)

RED = (255, 0, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


# ----------------------------------------------------------------------------- helpers


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _two_tone(size=(60, 40), left=RED, right=BLUE, mode="RGB") -> Image.Image:
    """Left half one colour, right half another: shows which way the image was turned."""
    image = Image.new(mode, size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def _exif_with_gps(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (39.0, 54.0, 27.0)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (116.0, 23.0, 30.0)  # GPSLongitude
    return exif


def _with_xmp(jpeg: bytes, packet: bytes) -> bytes:
    """Insert an XMP APP1 segment right after SOI (works on every Pillow version)."""
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _phone_jpeg(orientation: int = 6) -> bytes:
    """A 60x40 JPEG as a phone writes it: EXIF with GPS and orientation, XMP, ICC, comment."""
    jpeg = _encode(
        _two_tone(),
        "JPEG",
        quality=95,
        exif=_exif_with_gps(orientation),
        icc_profile=_srgb_icc(),
        comment=b"secret comment",
    )
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="39,54.45N" exif:GPSLongitude="116,23.5E" tiff:Orientation="6"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    return _with_xmp(jpeg, xmp)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_bomb(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, tiny on disk however large its dimensions."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    parts = []
    for start in range(0, height, 1000):
        parts.append(compressor.compress(row * min(1000, height - start)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _close(pixel, expected, tolerance=24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def _refused(data: bytes, code: str, **limits) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        photo_process(data=data, **limits)
    error = caught.value
    assert error.code == code
    assert error.field == "photos"
    assert error.status == 400
    assert error.message  # a message a resident can read
    return error


# ----------------------------------------------------------------------------- metadata


def test_phone_photo_loses_every_piece_of_metadata():
    data = _phone_jpeg()
    original = _open(data)
    assert original.getexif().get_ifd(GPS_IFD)  # the test input really carries GPS
    assert b"Exif" in data and b"ICC_PROFILE" in data and b"ns.adobe.com/xap" in data

    result = photo_process(data=data)

    out = _open(result.image)
    assert out.format == "JPEG"
    assert len(out.getexif()) == 0
    assert not out.getexif().get_ifd(GPS_IFD)
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
        assert key not in out.info
    for marker in (b"Exif", b"GPS", b"ICC_PROFILE", b"ns.adobe.com", b"secret comment"):
        assert marker not in result.image
        assert marker not in result.thumbnail
    assert len(_open(result.thumbnail).getexif()) == 0


def test_orientation_is_applied_to_the_pixels():
    result = photo_process(data=_phone_jpeg(orientation=6))  # stored 60x40, shown rotated

    assert (result.width, result.height) == (40, 60)
    out = _open(result.image).convert("RGB")
    assert out.size == (40, 60)
    # Orientation 6 = turn 90° clockwise: the stored left half (red) ends up on top.
    assert _close(out.getpixel((20, 5)), RED)
    assert _close(out.getpixel((20, 55)), BLUE)


@pytest.mark.parametrize(
    ("orientation", "size", "top_left"),
    [(1, (60, 40), RED), (3, (60, 40), BLUE), (8, (40, 60), BLUE), (2, (60, 40), BLUE)],
)
def test_other_orientations(orientation, size, top_left):
    result = photo_process(data=_phone_jpeg(orientation=orientation))
    out = _open(result.image).convert("RGB")
    assert out.size == size == (result.width, result.height)
    assert _close(out.getpixel((3, 3)), top_left)


# ----------------------------------------------------------------------------- the result


def test_result_shape():
    result = photo_process(data=_phone_jpeg())
    assert isinstance(result, ProcessedPhoto)
    assert result.content_type == "image/jpeg"
    assert result.sha256 == hashlib.sha256(result.image).hexdigest()
    assert _open(result.image).mode == "RGB"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.width = 1  # type: ignore[misc]


def test_large_photo_is_scaled_down_and_thumbnailed():
    data = _encode(_two_tone((3000, 1000)), "JPEG", quality=90)
    result = photo_process(data=data)

    assert (result.width, result.height) == (PHOTO_MAX_SIDE, 683)
    assert _open(result.image).size == (PHOTO_MAX_SIDE, 683)
    thumb = _open(result.thumbnail)
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= THUMBNAIL_MAX_SIDE
    assert thumb.size == (320, 107)


def test_portrait_photo_is_capped_on_its_longest_side():
    data = _encode(_two_tone((1200, 4000)), "JPEG")
    result = photo_process(data=data)
    assert result.height == PHOTO_MAX_SIDE and result.width < PHOTO_MAX_SIDE
    assert max(_open(result.thumbnail).size) == THUMBNAIL_MAX_SIDE


def test_small_photo_is_not_enlarged():
    result = photo_process(data=_encode(_two_tone((100, 50)), "PNG"))
    assert (result.width, result.height) == (100, 50)
    assert _open(result.thumbnail).size == (100, 50)


def test_same_input_gives_the_same_bytes_and_hash():
    data = _phone_jpeg()
    first, second = photo_process(data=data), photo_process(data=data)
    assert first.sha256 == second.sha256
    assert first.image == second.image and first.thumbnail == second.thumbnail
    other = photo_process(data=_encode(_two_tone(left=BLUE, right=RED), "JPEG"))
    assert other.sha256 != first.sha256


def test_bytearray_and_memoryview_are_accepted():
    data = _encode(_two_tone(), "PNG")
    expected = photo_process(data=data).sha256
    assert photo_process(data=bytearray(data)).sha256 == expected  # type: ignore[arg-type]
    assert photo_process(data=memoryview(data)).sha256 == expected  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- formats and modes


def test_png_alpha_is_composited_on_white():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))  # transparent black
    image.paste((255, 0, 0, 255), (0, 0, 20, 40))  # opaque red left half
    result = photo_process(data=_encode(image, "PNG"))
    out = _open(result.image)
    assert out.mode == "RGB"
    assert _close(out.getpixel((5, 20)), RED)
    assert _close(out.getpixel((35, 20)), WHITE)


def test_half_transparent_pixels_blend_with_white():
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 128))
    out = _open(photo_process(data=_encode(image, "PNG")).image)
    assert _close(out.getpixel((10, 10)), (127, 127, 127), tolerance=6)


def test_palette_png_with_transparent_index_becomes_white():
    image = Image.new("P", (30, 30), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 15, 30))
    result = photo_process(data=_encode(image, "PNG", transparency=0))
    out = _open(result.image)
    assert _close(out.getpixel((3, 15)), RED)
    assert _close(out.getpixel((27, 15)), WHITE)


def test_grey_alpha_png():
    image = Image.new("LA", (20, 20), (0, 0))
    out = _open(photo_process(data=_encode(image, "PNG")).image)
    assert out.mode == "RGB"
    assert _close(out.getpixel((10, 10)), WHITE)


def test_rgb_png_with_colour_key_transparency():
    image = Image.new("RGB", (20, 20), (0, 255, 0))
    out = _open(photo_process(data=_encode(image, "PNG", transparency=(0, 255, 0))).image)
    assert _close(out.getpixel((10, 10)), WHITE)


def test_cmyk_jpeg_becomes_rgb():
    image = Image.new("CMYK", (30, 30), (0, 255, 255, 0))  # red in CMYK
    result = photo_process(data=_encode(image, "JPEG"))
    out = _open(result.image)
    assert out.mode == "RGB"
    assert _close(out.getpixel((15, 15)), RED, tolerance=40)


def test_greyscale_and_one_bit_images_become_rgb():
    for image in (Image.new("L", (20, 20), 200), Image.new("1", (20, 20), 1)):
        out = _open(photo_process(data=_encode(image, "PNG")).image)
        assert out.mode == "RGB"


def test_sixteen_bit_greyscale_png_keeps_its_brightness():
    image = Image.new("I;16", (20, 20), 60000)
    out = _open(photo_process(data=_encode(image, "PNG")).image)
    assert out.mode == "RGB"
    assert _close(out.getpixel((10, 10)), (234, 234, 234), tolerance=4)


def test_icc_profile_is_converted_then_dropped():
    data = _encode(_two_tone(), "PNG", icc_profile=_srgb_icc())
    assert "icc_profile" in _open(data).info
    result = photo_process(data=data)
    out = _open(result.image)
    assert "icc_profile" not in out.info
    assert b"ICC_PROFILE" not in result.image
    assert _close(out.getpixel((5, 20)), RED)


def test_broken_icc_profile_is_ignored():
    data = _encode(_two_tone(), "JPEG", icc_profile=b"not a profile" * 10)
    result = photo_process(data=data)
    assert b"ICC_PROFILE" not in result.image
    assert _close(_open(result.image).getpixel((5, 20)), RED)


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_webp_is_accepted():
    exif = _exif_with_gps(orientation=1)
    result = photo_process(data=_encode(_two_tone(), "WEBP", quality=90, exif=exif))
    out = _open(result.image)
    assert out.format == "JPEG"
    assert len(out.getexif()) == 0 and b"GPS" not in result.image


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_animated_webp_keeps_its_first_frame():
    frames = [Image.new("RGB", (30, 30), RED), Image.new("RGB", (30, 30), BLUE)]
    data = _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert getattr(_open(data), "n_frames", 1) == 2
    out = _open(photo_process(data=data).image)
    assert _close(out.getpixel((15, 15)), RED)


def test_animated_png_keeps_its_first_frame():
    frames = [Image.new("RGB", (30, 30), RED), Image.new("RGB", (30, 30), BLUE)]
    data = _encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert getattr(_open(data), "n_frames", 1) == 2
    out = _open(photo_process(data=data).image)
    assert _close(out.getpixel((15, 15)), RED)


def test_multi_picture_jpeg_from_a_phone_is_accepted():
    frames = [_two_tone(), Image.new("RGB", (60, 40), BLUE)]
    data = _encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert _open(data).format == "MPO"
    result = photo_process(data=data)
    out = _open(result.image)
    assert out.format == "JPEG"
    assert _close(out.getpixel((5, 20)), RED)


def test_accepted_formats_are_the_listed_ones():
    formats = photo_accepted_formats()
    assert formats[:3] == ["JPEG", "PNG", "WebP"]
    assert set(formats) <= {"JPEG", "PNG", "WebP", "HEIC"}


# ----------------------------------------------------------------------------- refusals


def test_empty_data_is_refused():
    _refused(b"", "photo_empty")


def test_oversize_data_is_refused_before_decoding():
    error = _refused(b"\xff\xd8\xff" + bytes(10 * 1024 * 1024), "photo_too_large")
    assert "照片不能超过 10 MB" in error.message


def test_size_limit_is_inclusive():
    data = _encode(_two_tone(), "JPEG")
    assert photo_process(data=data, max_bytes=len(data)).width == 60
    error = _refused(data, "photo_too_large", max_bytes=len(data) - 1)
    assert "照片不能超过" in error.message


def test_text_file_named_jpg_is_refused(tmp_path):
    path = tmp_path / "现场照片.jpg"
    path.write_text("这不是照片, just text\n" * 20, encoding="utf-8")
    error = _refused(path.read_bytes(), "photo_not_image")
    assert "JPEG" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        b"PK\x03\x04" + bytes(100),  # a zip (office document)
        b"\xff\xd8\xff",  # a JPEG signature and nothing else
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
    ],
    ids=["pdf", "svg", "eps", "zip", "jpeg-signature", "png-signature"],
)
def test_other_documents_are_refused(data):
    _refused(data, "photo_not_image")


def test_broken_webp_is_refused():
    _refused(b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(50), "photo_corrupt")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_real_images_in_other_formats_are_refused(fmt):
    _refused(_encode(_two_tone(), fmt), "photo_not_image")


@pytest.mark.skipif("HEIC" in photo_accepted_formats(), reason="a HEIF plugin is registered")
def test_heic_is_refused_without_a_heif_plugin():
    fake_heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + bytes(64)
    _refused(fake_heic, "photo_not_image")


def test_truncated_jpeg_is_refused():
    data = _encode(_two_tone((400, 300)), "JPEG", quality=95)
    error = _refused(data[: len(data) // 2], "photo_corrupt")
    assert "损坏" in error.message


def test_truncated_png_is_refused():
    image = Image.effect_noise((200, 200), 64).convert("RGB")
    data = _encode(image, "PNG")
    _refused(data[: len(data) // 2], "photo_corrupt")


def test_png_with_a_damaged_chunk_is_refused():
    data = bytearray(_encode(Image.effect_noise((64, 64), 64), "PNG"))
    data[len(data) // 2] ^= 0xFF  # breaks the IDAT checksum
    _refused(bytes(data), "photo_corrupt")


def test_bomb_helper_makes_a_valid_png():
    result = photo_process(data=_png_bomb(64, 33))
    assert (result.width, result.height) == (64, 33)


def test_decompression_bomb_is_refused():
    data = _png_bomb(20_000, 20_000)  # 400 million pixels in about 50 KB
    assert len(data) < 100_000
    error = _refused(data, "photo_too_many_pixels")
    assert "4000 万像素" in error.message


def test_image_over_the_pixel_limit_is_refused_before_decoding():
    _refused(_png_bomb(8000, 6000), "photo_too_many_pixels")  # 48 MP > 40 MP, under Pillow's
    data = _encode(_two_tone((100, 100)), "JPEG")
    _refused(data, "photo_too_many_pixels", max_pixels=9_999)
    assert photo_process(data=data, max_pixels=10_000).width == 100


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_warning_as_error_is_refused_too():
    _refused(_png_bomb(10_000, 10_000), "photo_too_many_pixels", max_pixels=200_000_000)


# ----------------------------------------------------------------------------- reading uploads


def test_photo_read_stops_after_the_limit():
    upload = io.BytesIO(b"x" * 1000)
    assert photo_read(file=upload, max_bytes=100) == b"x" * 101
    small = io.BytesIO(b"abc")
    assert photo_read(file=small, max_bytes=100) == b"abc"
    _refused(
        photo_read(file=io.BytesIO(b"x" * 1000), max_bytes=100), "photo_too_large", max_bytes=100
    )
