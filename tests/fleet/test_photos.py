"""Uploaded images: car photos and the photos of tyres, batteries and dashcams.

Only real JPEG, PNG and WebP images of at most 10 MB and 40 megapixels are stored, under a random
name with the real format's extension in the company's media folder; anything else is a 400 that
leaves neither a row nor a file behind. Files go with their rows (once the transaction commits),
and `/media/<schema>/...` serves a company's files on its own host only."""

import functools
import io
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.utils import timezone
from PIL import Image

from shared_apps.accounts.roles import Role
from tenant_apps.fleet import services
from tenant_apps.fleet.models import Accumulator, Car, CarPhoto, Recorder, Tires
from tests.factories import CarFactory, SpareFactory, TiresFactory, png_bytes

pytestmark = pytest.mark.django_db

CARS = "/api/v1/cars/"
PHOTOS = "/api/v1/cars/photos/"
MAX_BYTES = 10 * 1024 * 1024
INVALID_IMAGE = "Upload a valid JPEG, PNG or WebP image; this file is not one or is damaged."
NOT_FOUND = {
    "type": "client_error",
    "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


# --- Images, made in memory ---------------------------------------------------------------------


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def photo_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), seed: int = 0) -> bytes:
    """A small image of random pixels, so that cutting it in half cuts into the image data."""
    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    return encode(Image.frombytes("RGB", size, pixels), fmt)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_exactly(total: int) -> bytes:
    """A valid PNG of exactly `total` bytes: a small image padded with a private chunk."""
    png = photo_bytes("PNG")
    body, iend = png[:-12], png[-12:]
    padding = total - len(png) - 12
    return body + png_chunk(b"prVt", bytes(padding)) + iend


def bilevel_png(width: int, height: int) -> bytes:
    """A black-and-white PNG: tens of megapixels in a few kilobytes."""
    return encode(Image.new("1", (width, height)), "PNG")


@functools.cache
def png_bomb(width: int, height: int) -> bytes:
    """A complete, valid PNG of width x height black pixels, built without Pillow: ~100 KB that
    would decode into width * height / 8 bytes."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + one bit per pixel
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row * 1000) for _ in range(height // 1000))
    idat += compressor.compress(row * (height % 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- Fixtures and helpers -------------------------------------------------------------------------


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def stored_name(url: str, folder: str, extension: str, company: str = "acme") -> str:
    """The storage name behind a company's file URL; fails unless it is a random hex name."""
    match = re.fullmatch(
        rf"http://{company}\.localhost/media/{company}/"
        rf"({re.escape(folder)}/[0-9a-f]{{32}}\.{extension})",
        url,
    )
    assert match, url
    return match[1]


def local_iso(value) -> str:
    return timezone.localtime(value).isoformat()


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


@pytest.fixture
def car(in_acme) -> Car:
    return CarFactory()


def post_photo(client, car: Car, name: str, data: bytes, comment: str = ""):
    return client.post(
        f"{CARS}{car.pk}/photos/",
        {"image": upload(name, data), "comment": comment},
        format="multipart",
    )


def image_error(code: str, detail: str, attr: str = "image") -> dict:
    return {
        "type": "validation_error",
        "errors": [{"code": code, "detail": detail, "attr": attr}],
    }


# --- Car photos: uploads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "client_name"),
    [
        ("JPEG", "front-view.png"),
        ("PNG", "holiday-snap.jpg"),
        ("WEBP", "../../../etc/passwd.jpg"),
    ],
)
def test_upload_stores_the_image_under_a_random_name_with_its_real_extension(
    dispatcher, car, media_root, fmt, client_name
):
    data = photo_bytes(fmt)

    response = post_photo(dispatcher, car, client_name, data, comment="Front, after the wash")

    assert response.status_code == 201
    body = response.json()
    photo = CarPhoto.objects.get()
    name = stored_name(body["image"], "cars/photos", EXTENSIONS[fmt])
    assert body == {
        "id": photo.pk,
        "car": car.pk,
        "image": body["image"],
        "comment": "Front, after the wash",
        "uploaded_at": local_iso(photo.uploaded_at),
        "uploaded_by": dispatcher.user.pk,
    }
    assert photo.image.name == name
    assert files_under(media_root) == [f"acme/{name}"]
    assert (media_root / "acme" / name).read_bytes() == data
    stem = Path(client_name).stem
    assert stem not in body["image"]
    assert stem not in photo.image.name


def test_a_photo_is_read_back_as_it_was_created(dispatcher, car):
    created = post_photo(dispatcher, car, "a.png", photo_bytes("PNG"), comment="Left").json()

    response = dispatcher.get(f"{PHOTOS}{created['id']}/")

    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize(
    ("name", "data", "code", "detail"),
    [
        pytest.param(
            "photo.jpg", b"Not an image at all.\n" * 20, "invalid_image", INVALID_IMAGE, id="text"
        ),
        pytest.param(
            "photo.png",
            photo_bytes("PNG")[: len(photo_bytes("PNG")) // 2],
            "invalid_image",
            INVALID_IMAGE,
            id="truncated-png",
        ),
        pytest.param(
            "photo.jpg",
            photo_bytes("JPEG")[: len(photo_bytes("JPEG")) // 2],
            "invalid_image",
            INVALID_IMAGE,
            id="truncated-jpeg",
        ),
        pytest.param(
            "photo.webp",
            photo_bytes("WEBP")[: len(photo_bytes("WEBP")) // 2],
            "invalid_image",
            INVALID_IMAGE,
            id="truncated-webp",
        ),
        pytest.param("photo.gif", photo_bytes("GIF"), "invalid_image", INVALID_IMAGE, id="gif"),
        pytest.param("photo.bmp", photo_bytes("BMP"), "invalid_image", INVALID_IMAGE, id="bmp"),
        pytest.param("photo.png", b"", "empty", "The submitted file is empty.", id="empty-file"),
    ],
)
def test_a_file_that_is_not_an_allowed_image_is_refused(
    dispatcher, car, media_root, name, data, code, detail
):
    response = post_photo(dispatcher, car, name, data)

    assert response.status_code == 400
    assert response.json() == image_error(code, detail)
    assert not CarPhoto.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_of_exactly(11 * 1024 * 1024), id="11MB-valid-png"),
        pytest.param(random.Random(1).randbytes(11 * 1024 * 1024), id="11MB-of-noise"),
        pytest.param(png_of_exactly(MAX_BYTES + 1), id="10MiB-plus-one-byte"),
    ],
)
def test_a_file_over_10_mb_is_refused(dispatcher, car, media_root, data):
    response = post_photo(dispatcher, car, "big.png", data)

    assert response.status_code == 400
    assert response.json() == image_error("file_too_large", "The image is larger than 10 MB.")
    assert not CarPhoto.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize(
    ("data", "width", "height"),
    [
        pytest.param(bilevel_png(7100, 7100), 7100, 7100, id="50MP"),
        pytest.param(bilevel_png(8000, 5001), 8000, 5001, id="40MP-plus-one-row"),
        # Past Pillow's own bomb limits (89 MP warns, 179 MP raises): still "too large", and
        # refused from the header alone (the 30000x30000 one would decode into 112 MB).
        pytest.param(png_bomb(10000, 10000), 10000, 10000, id="bomb-100MP"),
        pytest.param(png_bomb(30000, 30000), 30000, 30000, id="bomb-900MP"),
    ],
)
def test_an_image_over_40_megapixels_is_refused(dispatcher, car, media_root, data, width, height):
    response = post_photo(dispatcher, car, "huge.png", data)

    assert response.status_code == 400
    assert response.json() == image_error(
        "image_too_large",
        f"The image has {width}x{height} pixels; at most 40 megapixels are accepted.",
    )
    assert not CarPhoto.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_of_exactly(MAX_BYTES), id="exactly-10MiB"),
        pytest.param(bilevel_png(8000, 5000), id="exactly-40MP"),
    ],
)
def test_an_image_at_the_limits_is_accepted(dispatcher, car, media_root, data):
    response = post_photo(dispatcher, car, "limit.png", data)

    assert response.status_code == 201
    name = stored_name(response.json()["image"], "cars/photos", "png")
    assert (media_root / "acme" / name).read_bytes() == data


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param(
            {"comment": "no file"},
            {"code": "required", "detail": "No file was submitted.", "attr": "image"},
            id="missing",
        ),
        pytest.param(
            {"image": "photo.jpg"},
            {
                "code": "invalid",
                "detail": "The submitted data was not a file. Check the encoding type on the form.",
                "attr": "image",
            },
            id="text-instead-of-file",
        ),
    ],
)
def test_an_upload_without_a_file_is_refused(dispatcher, car, media_root, data, error):
    response = dispatcher.post(f"{CARS}{car.pk}/photos/", data, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"type": "validation_error", "errors": [error]}
    assert not CarPhoto.objects.exists()
    assert files_under(media_root) == []


def test_a_json_body_is_refused_with_415(dispatcher, car, media_root):
    response = dispatcher.post(
        f"{CARS}{car.pk}/photos/", {"image": "aGVsbG8=", "comment": "x"}, format="json"
    )

    assert response.status_code == 415
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "unsupported_media_type",
                "detail": 'Unsupported media type "application/json" in request.',
                "attr": None,
            }
        ],
    }
    assert not CarPhoto.objects.exists()
    assert files_under(media_root) == []


# --- Car photos: list and delete ------------------------------------------------------------------


def test_photos_are_listed_newest_first_and_only_the_cars_own(dispatcher, in_acme):
    car, other = CarFactory(), CarFactory()
    created = [
        post_photo(dispatcher, car, f"{n}.png", photo_bytes("PNG", seed=n), comment=str(n)).json()
        for n in range(3)
    ]
    post_photo(dispatcher, other, "other.png", photo_bytes("PNG", seed=9))

    response = dispatcher.get(f"{CARS}{car.pk}/photos/")

    assert response.status_code == 200
    assert response.json() == created[::-1]
    other_photos = dispatcher.get(f"{CARS}{other.pk}/photos/").json()
    assert [p["comment"] for p in other_photos] == [""]


def test_a_car_without_photos_lists_none(dispatcher, car):
    response = dispatcher.get(f"{CARS}{car.pk}/photos/")

    assert response.status_code == 200
    assert response.json() == []


def test_deleting_a_photo_removes_its_file_once_committed(
    dispatcher, car, media_root, django_capture_on_commit_callbacks
):
    kept = post_photo(dispatcher, car, "kept.png", photo_bytes("PNG", seed=1)).json()
    gone = post_photo(dispatcher, car, "gone.jpg", photo_bytes("JPEG", seed=2)).json()
    kept_name = stored_name(kept["image"], "cars/photos", "png")
    gone_name = stored_name(gone["image"], "cars/photos", "jpg")

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.delete(f"{PHOTOS}{gone['id']}/")
        assert (media_root / "acme" / gone_name).exists()  # until the deletion is committed

    assert response.status_code == 204
    assert list(CarPhoto.objects.values_list("pk", flat=True)) == [kept["id"]]
    assert files_under(media_root) == [f"acme/{kept_name}"]
    assert dispatcher.get(f"{PHOTOS}{gone['id']}/").status_code == 404


def test_deleting_a_car_without_history_removes_its_photo_files(
    dispatcher, in_acme, media_root, django_capture_on_commit_callbacks
):
    car, other = CarFactory(), CarFactory()
    for n in range(2):
        post_photo(dispatcher, car, f"{n}.png", photo_bytes("PNG", seed=n))
    recorder = dispatcher.post(
        "/api/v1/recorders/",
        {"car": car.pk, "model": "70mai A500S", "photo": upload("cam.png", photo_bytes("PNG"))},
        format="multipart",
    )
    assert recorder.status_code == 201
    kept = post_photo(dispatcher, other, "other.webp", photo_bytes("WEBP", seed=5)).json()
    assert len(files_under(media_root)) == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.delete(f"{CARS}{car.pk}/")

    assert response.status_code == 204
    assert list(Car.objects.values_list("pk", flat=True)) == [other.pk]
    assert list(CarPhoto.objects.values_list("pk", flat=True)) == [kept["id"]]
    assert not Recorder.objects.exists()
    assert files_under(media_root) == [f"acme/{stored_name(kept['image'], 'cars/photos', 'webp')}"]


def test_a_car_with_history_keeps_its_photo_files(
    dispatcher, car, media_root, django_capture_on_commit_callbacks
):
    post_photo(dispatcher, car, "a.png", photo_bytes("PNG"))
    SpareFactory(car=car)
    files = files_under(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.delete(f"{CARS}{car.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "car_has_history",
                "detail": "This car has history (spares); "
                "set its status to decommissioned instead.",
                "attr": None,
            }
        ],
    }
    assert Car.objects.filter(pk=car.pk).exists()
    assert CarPhoto.objects.filter(car=car).count() == 1
    assert len(files) == 1
    assert files_under(media_root) == files


# --- Serving media ----------------------------------------------------------------------------


@pytest.fixture
def served_photo(dispatcher, car):
    """(URL path, bytes) of a photo of acme's."""
    data = photo_bytes("JPEG")
    body = post_photo(dispatcher, car, "served.png", data).json()
    name = stored_name(body["image"], "cars/photos", "jpg")
    return f"/media/acme/{name}", data


def test_a_photo_is_served_on_its_company_host_without_a_token(client_for, acme, served_photo):
    path, data = served_photo

    response = client_for(acme).get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue() == data
    response.close()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_each_format_is_served_with_its_content_type(dispatcher, car, client_for, acme, fmt):
    data = photo_bytes(fmt)
    body = post_photo(dispatcher, car, "x.jpg", data).json()
    extension = EXTENSIONS[fmt]
    name = stored_name(body["image"], "cars/photos", extension)

    response = client_for(acme).get(f"/media/acme/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[extension]
    assert response.getvalue() == data
    response.close()


def test_a_photo_is_not_served_on_another_company_host(client_for, globex, served_photo):
    path, _ = served_photo
    in_globex_folder = path.replace("/media/acme/", "/media/globex/", 1)

    for url in (path, in_globex_folder):
        response = client_for(globex).get(url)
        assert response.status_code == 404, url
        assert response.json() == NOT_FOUND


def test_media_is_not_served_on_the_public_host(client_for, served_photo):
    path, _ = served_photo

    response = client_for(None).get(path)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.fixture
def globex_photo(globex, make_user, client_for, media_root) -> str:
    """The storage name of a photo in globex's folder, uploaded through globex's API."""
    connection.set_tenant(globex)
    globex_car = CarFactory()
    admin = client_for(globex, make_user(globex, Role.COMPANY_ADMIN))
    body = post_photo(admin, globex_car, "g.png", photo_bytes("PNG", seed=7)).json()
    name = stored_name(body["image"], "cars/photos", "png", company="globex")
    assert (media_root / "globex" / name).is_file()
    return name


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/media/acme/cars/photos/00000000000000000000000000000000.jpg", id="missing"),
        pytest.param("/media/acme/cars/photos/", id="folder"),
        pytest.param("/media/acme/cars", id="folder-no-slash"),
        pytest.param("/media/acme/../../../../etc/passwd", id="dotdot"),
        pytest.param("/media/acme/cars/../../../../etc/passwd", id="dotdot-inside"),
        pytest.param("/media/acme/%2e%2e/%2e%2e/%2e%2e/etc/passwd", id="dotdot-encoded"),
        pytest.param("/media/acme/..%2f..%2f..%2fetc%2fpasswd", id="slash-encoded"),
        pytest.param("/media/acme//etc/passwd", id="absolute"),
        pytest.param("/media/acme/cars/photos/x%00.jpg", id="nul-byte"),
        pytest.param("/media/acme/" + "a" * 300 + ".jpg", id="name-too-long"),
        pytest.param("{photo}/x.jpg", id="below-a-file"),
    ],
)
def test_a_missing_or_outside_file_is_a_404(client_for, acme, served_photo, path):
    """Never a 500: `{photo}` stands for the path of a real photo of acme's."""
    response = client_for(acme).get(path.format(photo=served_photo[0]))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_another_company_file_cannot_be_reached_by_traversal(client_for, acme, globex_photo):
    for path in (
        f"/media/acme/../globex/{globex_photo}",
        f"/media/acme/cars/photos/../../../globex/{globex_photo}",
        f"/media/globex/{globex_photo}",
    ):
        response = client_for(acme).get(path)
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("segment", ["globex", "public", "nobody"])
def test_an_own_file_under_another_schema_segment_is_a_404(client_for, acme, served_photo, segment):
    """On its own host a company's files come from its own folder, whatever the URL says; the
    URL's schema segment must still be the host's, or one file would answer under every name."""
    path, data = served_photo

    response = client_for(acme).get(path.replace("/media/acme/", f"/media/{segment}/", 1))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    served = client_for(acme).get(path)  # the control: under its own segment it is served
    assert (served.status_code, served.getvalue()) == (200, data)
    served.close()


@pytest.fixture
def acme_export_file(in_acme, media_root) -> str:
    """An export file in acme's media folder, as the export worker leaves it."""
    folder = media_root / "acme" / "exports"
    folder.mkdir(parents=True)
    (folder / "job.csv").write_text("numplate,liters\n01KG123ABC,50\n")
    return "exports/job.csv"


@pytest.mark.parametrize(
    "path",
    [
        "/media/acme/cars/photos/../../exports/job.csv",
        "/media/acme/cars/photos/..%2f..%2fexports%2fjob.csv",
        "/media/acme/cars/photos%2f..%2f..%2fexports/job.csv",
        "/media/acme/tires/../exports/job.csv",
        "/media/acme/recorders/./../exports/job.csv",
        "/media/acme/accumulators//../exports/job.csv",
        "/media/acme/exports/job.csv",
    ],
)
def test_an_export_file_is_never_served_as_media(client_for, acme, acme_export_file, path):
    """Exports have their own signed, expiring, creator-only links: the media view, which needs
    no token, serves the image folders only, however the path climbs out of them."""
    response = client_for(acme).get(path)

    assert response.status_code == 404, path
    assert response.json() == NOT_FOUND


# --- Photos of tyres, batteries and dashcams ----------------------------------------------------

RECORDS = {
    "tires": (
        Tires,
        {"model": "Nokian Hakkapeliitta 10", "size": "205/55 R16", "installed_at": "2026-03-01"},
    ),
    "accumulators": (
        Accumulator,
        {"model": "Varta Blue Dynamic", "capacity_ah": 60, "installed_at": "2026-02-01"},
    ),
    "recorders": (Recorder, {"model": "70mai A500S", "serial_number": "SN000001"}),
}


def create_record(client, resource: str, car: Car, photo: bytes, name: str = "photo.jpg"):
    _, fields = RECORDS[resource]
    return client.post(
        f"/api/v1/{resource}/",
        {"car": car.pk, **fields, "photo": upload(name, photo)},
        format="multipart",
    )


@pytest.mark.parametrize("resource", RECORDS)
def test_a_record_is_created_with_its_photo(dispatcher, car, media_root, resource):
    model, _ = RECORDS[resource]
    data = photo_bytes("PNG")

    response = create_record(dispatcher, resource, car, data, name="photo.jpg")

    assert response.status_code == 201
    name = stored_name(response.json()["photo"], resource, "png")
    assert model.objects.get().photo.name == name
    assert files_under(media_root) == [f"acme/{name}"]
    assert (media_root / "acme" / name).read_bytes() == data


@pytest.mark.parametrize("resource", RECORDS)
def test_replacing_a_record_photo_removes_the_old_file_once_committed(
    dispatcher, car, media_root, resource, django_capture_on_commit_callbacks
):
    created = create_record(dispatcher, resource, car, photo_bytes("PNG")).json()
    old_name = stored_name(created["photo"], resource, "png")
    new_data = photo_bytes("JPEG", seed=3)

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.patch(
            f"/api/v1/{resource}/{created['id']}/",
            {"photo": upload("new.png", new_data)},
            format="multipart",
        )
        assert (media_root / "acme" / old_name).exists()  # until the update is committed

    assert response.status_code == 200
    new_name = stored_name(response.json()["photo"], resource, "jpg")
    assert files_under(media_root) == [f"acme/{new_name}"]
    assert (media_root / "acme" / new_name).read_bytes() == new_data


@pytest.mark.parametrize("resource", RECORDS)
def test_an_update_without_a_photo_keeps_the_file(
    dispatcher, car, media_root, resource, django_capture_on_commit_callbacks
):
    model, _ = RECORDS[resource]
    created = create_record(dispatcher, resource, car, photo_bytes("PNG")).json()
    files = files_under(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.patch(
            f"/api/v1/{resource}/{created['id']}/", {"model": "Renamed"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["photo"] == created["photo"]
    assert model.objects.get().model == "Renamed"
    assert len(files) == 1
    assert files_under(media_root) == files


@pytest.mark.parametrize("resource", RECORDS)
def test_deleting_a_record_removes_its_photo_file(
    dispatcher, car, media_root, resource, django_capture_on_commit_callbacks
):
    model, _ = RECORDS[resource]
    created = create_record(dispatcher, resource, car, photo_bytes("PNG")).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.delete(f"/api/v1/{resource}/{created['id']}/")

    assert response.status_code == 204
    assert not model.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("resource", RECORDS)
def test_a_record_with_an_invalid_photo_is_refused(dispatcher, car, media_root, resource):
    model, _ = RECORDS[resource]

    response = create_record(dispatcher, resource, car, b"GIF89a but not really", "p.png")

    assert response.status_code == 400
    assert response.json() == image_error("invalid_image", INVALID_IMAGE, attr="photo")
    assert not model.objects.exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("resource", RECORDS)
def test_replacing_a_photo_with_an_invalid_one_keeps_the_old(
    dispatcher, car, media_root, resource, django_capture_on_commit_callbacks
):
    model, _ = RECORDS[resource]
    created = create_record(dispatcher, resource, car, photo_bytes("PNG")).json()
    files = files_under(media_root)
    truncated = photo_bytes("JPEG")[:200]

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.patch(
            f"/api/v1/{resource}/{created['id']}/",
            {"photo": upload("new.jpg", truncated)},
            format="multipart",
        )

    assert response.status_code == 400
    assert response.json() == image_error("invalid_image", INVALID_IMAGE, attr="photo")
    assert model.objects.get().photo.name == files[0].removeprefix("acme/")
    assert files_under(media_root) == files


def test_a_refused_duplicate_dashcam_leaves_no_file(dispatcher, car, media_root):
    first = create_record(dispatcher, "recorders", car, photo_bytes("PNG", seed=1)).json()

    response = create_record(dispatcher, "recorders", car, photo_bytes("PNG", seed=2))

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "unique", "detail": "A recorder with this car already exists.", "attr": "car"}
        ],
    }
    assert list(Recorder.objects.values_list("pk", flat=True)) == [first["id"]]
    assert files_under(media_root) == [f"acme/{stored_name(first['photo'], 'recorders', 'png')}"]


# --- Found in review ----------------------------------------------------------------------------


def mpo_bytes() -> bytes:
    """A multi-picture JPEG, as phones and cameras write them; Pillow calls the format MPO."""
    first, second = Image.new("RGB", (32, 24), "red"), Image.new("RGB", (32, 24), "blue")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    return buffer.getvalue()


def test_a_multi_picture_jpeg_is_stored_as_jpg(dispatcher, car, media_root):
    data = mpo_bytes()
    assert Image.open(io.BytesIO(data)).format == "MPO"

    response = post_photo(dispatcher, car, "camera.jpg", data)

    assert response.status_code == 201
    name = stored_name(response.json()["image"], "cars/photos", "jpg")
    assert (media_root / "acme" / name).read_bytes() == data


def test_other_files_of_the_media_folder_are_not_served(client_for, acme, in_acme, media_root):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "exports/0f8fad5b-d9cb-469f-a165-70867728950e.csv", ContentFile(b"x")
    )
    assert (media_root / "acme" / name).exists()

    response = client_for(acme).get(f"/media/acme/{name}")

    assert response.status_code == 404


@pytest.mark.parametrize("resource", RECORDS)
def test_a_record_photo_is_removed_with_null(
    dispatcher, car, media_root, resource, django_capture_on_commit_callbacks
):
    model, _ = RECORDS[resource]
    created = create_record(dispatcher, resource, car, photo_bytes("PNG")).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = dispatcher.patch(
            f"/api/v1/{resource}/{created['id']}/", {"photo": None}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["photo"] is None
    assert model.objects.get().photo.name == ""
    assert files_under(media_root) == []


def test_an_upload_over_the_request_limit_is_413_before_it_is_read(
    dispatcher, car, media_root, settings
):
    settings.MAX_UPLOAD_REQUEST_BYTES = 1024 * 1024

    response = post_photo(dispatcher, car, "big.png", png_of_exactly(2 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "request_too_large",
                "detail": "The request is larger than 1 MB.",
                "attr": None,
            }
        ],
    }
    assert files_under(media_root) == []


def test_a_photo_sent_to_a_record_deleted_meanwhile_is_a_404_and_leaves_no_file(
    in_acme, media_root
):
    tires = TiresFactory()
    Tires.objects.filter(pk=tires.pk).delete()  # another request deleted it

    with pytest.raises(Http404):
        services.record_update(instance=tires, photo=upload("side.png", png_bytes()))

    assert files_under(media_root) == []
    assert not Tires.objects.filter(pk=tires.pk).exists()


def test_the_admin_saving_a_record_deleted_meanwhile_is_a_404(in_acme):
    tires = TiresFactory()
    Tires.objects.filter(pk=tires.pk).delete()
    tires.model = "Hakkapeliitta"

    with pytest.raises(Http404):
        services.record_save(instance=tires)
    assert not Tires.objects.filter(pk=tires.pk).exists()
