"""A post's photos: checked, re-encoded upright without their metadata, stored per town under
random names, at most 4."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from PIL import ExifTags, Image

from mutual_aid.factories import category
from mutual_aid.models import Photo, Post
from mutual_aid.posting import services
from mutual_aid.posting.photos import check_photo
from tests.mutual_aid_support import image_bytes, photo_upload

pytestmark = pytest.mark.django_db


def _publish(author, photos):
    return services.publish_post(
        author,
        kind="offer",
        category=category("courses"),
        title="Un panier",
        description="Photos du panier.",
        photos=photos,
    )


def test_a_phone_photo_loses_its_place_and_is_turned_upright(
    town_a, resident_a, media_root
) -> None:
    original = image_bytes(size=(60, 40), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    with schema_context(town_a.schema_name):
        post = _publish(resident_a, [(photo_upload("IMG_Martine_chez_moi.jpg", original), "")])
        [photo] = post.photos.all()
        name = photo.image.name or ""
        stored = media_root / town_a.schema_name / name
    with Image.open(stored) as image:
        assert not image.getexif()  # no GPS, no maker, no orientation left
        assert image.size == (40, 60)  # turned as the phone meant it
    assert (photo.width, photo.height) == (40, 60)
    assert name.startswith("mutual_aid/photos/") and "Martine" not in name
    assert name.endswith(".jpg")


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_keep_their_format(
    town_a, resident_a, media_root, image_format
) -> None:
    with schema_context(town_a.schema_name):
        post = _publish(resident_a, [photo_upload("p.img", image_bytes(image_format, gps=True))])
        [photo] = post.photos.all()
        with Image.open(media_root / town_a.schema_name / (photo.image.name or "")) as image:
            assert image.format == image_format
            assert not image.getexif()


def test_a_gif_is_refused(town_a) -> None:
    with schema_context(town_a.schema_name), pytest.raises(ValidationError) as refused:
        check_photo(photo_upload("anim.gif", image_bytes("GIF")))
    assert refused.value.messages == ["Seules les photos JPEG, PNG ou WebP sont acceptées."]


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(town_a) -> None:
    # 100 million pixels of one colour: a few hundred kilobytes as a PNG.
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 2 * 1024 * 1024
    with schema_context(town_a.schema_name), pytest.raises(ValidationError) as refused:
        check_photo(photo_upload("bombe.png", bomb.getvalue()))
    assert refused.value.messages == ["Cette photo a trop de pixels : 50 millions au maximum."]


def test_a_truncated_jpeg_is_refused_and_nothing_stored(town_a, resident_a, media_root) -> None:
    whole = image_bytes(size=(400, 300))
    with schema_context(town_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            _publish(resident_a, [photo_upload("cut.jpg", whole[: len(whole) // 2])])
        assert "photos" in refused.value.message_dict
        assert not Post.objects.exists() and not Photo.objects.exists()
    assert not list(media_root.rglob("*.jpg"))


def test_a_post_has_at_most_four_photos(town_a, resident_a, media_root) -> None:
    with schema_context(town_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            _publish(resident_a, [photo_upload() for _ in range(5)])
        assert refused.value.message_dict["photos"] == ["Une annonce a 4 photos au maximum."]
        post = _publish(resident_a, [photo_upload() for _ in range(4)])
        with pytest.raises(ValidationError):
            services.update_post(post, resident_a, photos_add=[photo_upload()])
        assert post.photos.count() == 4


def test_each_town_stores_its_photos_in_its_own_folder(
    town_a, town_b, resident_a, resident_b, media_root
) -> None:
    with schema_context(town_a.schema_name):
        _publish(resident_a, [photo_upload()])
    with schema_context(town_b.schema_name):
        _publish(resident_b, [photo_upload()])
    assert len(list((media_root / town_a.schema_name).rglob("*.jpg"))) == 1
    assert len(list((media_root / town_b.schema_name).rglob("*.jpg"))) == 1
