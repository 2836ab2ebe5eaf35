"""Uploaded images (car photos; tyre, battery and dashcam photos): what is accepted and where it
is stored.

Only the header is trusted for the size checks, so a decompression bomb is refused before a
single pixel is decoded. The file is then verified, and JPEG/WebP are decoded (JPEG at 1/8 scale)
because `verify()` alone does not notice a truncated JPEG."""

import uuid
import warnings

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Pillow reads some JPEGs from phones and cameras (several pictures in one file) as "MPO".
STORED_EXTENSION = {**IMAGE_EXTENSIONS, "MPO": "jpg"}
# Pillow's own readers, used directly to read the declared size: `Image.open` would already
# refuse a bomb, but with an error that does not say why.
_HEADER_READERS = (
    JpegImagePlugin.JpegImageFile,
    PngImagePlugin.PngImageFile,
    WebPImagePlugin.WebPImageFile,
)
IMAGE_HELP_TEXT = "A JPEG, PNG or WebP image of at most 10 MB and 40 megapixels."
# What `validate_image_upload` raises, by code (the API's upload field declares them too).
IMAGE_ERROR_MESSAGES = {
    "file_too_large": _("The image is larger than 10 MB."),
    "invalid_image": _(
        "Upload a valid JPEG, PNG or WebP image; this file is not one or is damaged."
    ),
    "image_too_large": _(
        "The image has %(width)sx%(height)s pixels; at most 40 megapixels are accepted."
    ),
}


def validate_image_upload(upload) -> None:
    """Refuse anything but a real JPEG, PNG or WebP of at most 10 MB and 40 megapixels."""
    if getattr(upload, "_committed", False):
        return  # an already stored file (an update that keeps it) was checked when uploaded
    if upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(IMAGE_ERROR_MESSAGES["file_too_large"], code="file_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            _check_image(upload)
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of error for a broken file
        raise ValidationError(IMAGE_ERROR_MESSAGES["invalid_image"], code="invalid_image") from exc
    finally:
        upload.seek(0)


def _declared_size(upload) -> tuple[int, int]:
    for reader in _HEADER_READERS:
        upload.seek(0)
        try:
            with reader(upload) as image:
                return image.size
        except (SyntaxError, OSError, ValueError, EOFError):  # not this format
            continue
    raise ValueError("Not a JPEG, PNG or WebP image.")


def _check_image(upload) -> None:
    width, height = _declared_size(upload)
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            IMAGE_ERROR_MESSAGES["image_too_large"] % {"width": width, "height": height},
            code="image_too_large",
        )
    upload.seek(0)
    with Image.open(upload, formats=tuple(IMAGE_EXTENSIONS)) as image:
        if image.format not in STORED_EXTENSION:
            raise ValueError(f"Unexpected image format {image.format}.")
        image.verify()
    upload.seek(0)
    with Image.open(upload, formats=tuple(IMAGE_EXTENSIONS)) as image:
        if image.format != "PNG":  # PNG's verify() has already checked every chunk's CRC
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()


def _image_extension(upload) -> str:
    upload.seek(0)
    try:
        with Image.open(upload, formats=tuple(IMAGE_EXTENSIONS)) as image:
            return STORED_EXTENSION[image.format]
    finally:
        upload.seek(0)


class ImageFileField(models.FileField):
    """A validated image stored as `<upload_to>/<random hex>.<real format's extension>` under
    the company's media folder: the name never comes from the client, and cannot be guessed."""

    default_validators = [validate_image_upload]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", IMAGE_HELP_TEXT)
        super().__init__(*args, **kwargs)

    def generate_filename(self, instance, filename):
        current = getattr(instance, self.attname)
        if current and not current._committed:  # an upload about to be stored
            extension = _image_extension(current.file)
        else:  # `FieldFile.save(name, content)` from code: trust the name's extension
            extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return super().generate_filename(instance, f"{uuid.uuid4().hex}.{extension}")
