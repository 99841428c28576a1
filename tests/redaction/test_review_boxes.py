"""Boxes drawn on an image or a document page (issue 15): a box that does not lie on a
page of the item — negative, zero-size, past the edge, NaN or infinite, on a page the
item does not have, or on an item without pixels — is a 400 problem JSON and the plan
keeps its version; a box on the page is saved in the page's pixels."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.app_kit import Api

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
sqlite_only = pytest.mark.parametrize("api", ["sqlite"], indirect=True)


def _png(width: int = 480, height: int = 320) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).text((20, 40), "Свидетель Иванов", fill="black",
                               font=ImageFont.truetype(FONT, 28))  # fmt: skip
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pdf(pages: int = 2) -> bytes:
    images = [Image.new("RGB", (600, 800), "white") for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=100)
    return out.getvalue()


def _plan(api: Api, team, data: bytes, name: str) -> dict:  # type: ignore[no-untyped-def]
    r = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert r.status_code == 201, r.text
    r = api.client.post(
        f"/api/v1/items/{r.json()['id']}/redactions", json={}, headers=team["prosecutor"]
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _post_raw(api: Api, team, plan_id: str, target: str):  # type: ignore[no-untyped-def]
    # Raw JSON: NaN and Infinity are what a careless client sends, not what json.dumps makes.
    body = '{"items": [{"target": ' + target + "}]}"
    headers = {**team["prosecutor"], "Content-Type": "application/json"}
    return api.client.post(f"/api/v1/redactions/{plan_id}/proposals", content=body,
                           headers=headers)  # fmt: skip


def _versions(api: Api, team, item_id: str) -> int:  # type: ignore[no-untyped-def]
    r = api.client.get(f"/api/v1/items/{item_id}/redactions", headers=team["prosecutor"])
    return len(r.json())


@sqlite_only
def test_bad_boxes_are_refused_and_change_nothing(api: Api, team) -> None:
    image = _plan(api, team, _png(), "photo.png")
    assert image["source_kind"] == "pages"
    doc = _plan(api, team, _pdf(2), "scan.pdf")
    text = _plan(api, team, "Просто текст.".encode(), "note.txt")

    def box(**kw: object) -> str:
        return json.dumps({"kind": "box", "page": 1, "left": 10, "top": 10, "width": 50,
                           "height": 20} | kw)  # fmt: skip

    bad = {
        "negative edge": box(left=-5),
        "negative size": box(width=-10),
        "zero width": box(width=0),
        "zero height": box(height=0),
        "past the right edge": box(left=470, width=20),
        "past the bottom edge": box(top=300, height=40),
        "far outside": box(left=100000),
        "NaN": box().replace('"left": 10', '"left": NaN'),
        "Infinity": box().replace('"width": 50', '"width": Infinity'),
        "page 0": box(page=0),
        "page out of range": box(page=2),
        "missing height": json.dumps({"kind": "box", "page": 1, "left": 1, "top": 1, "width": 5}),
        "a string": box(top="high"),
        "a list": box(top=[1]),
    }
    for why, target in bad.items():
        r = _post_raw(api, team, image["id"], target)
        assert r.status_code == 400, (why, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), why
        assert r.json()["status"] == 400 and r.json()["detail"], why
    assert _versions(api, team, image["item_id"]) == 1  # nothing changed

    # A two-page scan: page 3 does not exist, page 2 does; its edge is its own.
    pages = {p["page"]: p for p in _pages(api, team, doc)}
    width, height = pages[2]["width"], pages[2]["height"]
    for target in (box(page=3), box(page=2, left=width - 10, width=11), box(page=2, top=height)):
        r = _post_raw(api, team, doc["id"], target)
        assert r.status_code == 400, (target, r.text)
    assert _versions(api, team, doc["item_id"]) == 1
    # Nothing to draw on in a text item.
    r = _post_raw(api, team, text["id"], box())
    assert r.status_code == 400 and "no pages or frames" in r.json()["detail"]
    assert _versions(api, team, text["item_id"]) == 1

    # The good box fits exactly to the corner and is kept in the page's pixels.
    good = box(page=2, left=width - 40, top=height - 30, width=40, height=30)
    r = _post_raw(api, team, doc["id"], good)
    assert r.status_code == 201, r.text
    added = r.json()["proposals"][-1]
    assert added["target"] == json.loads(good) and added["decision"] == "accepted"


def _pages(api: Api, team, plan: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    r = api.client.get(f"/api/v1/redactions/{plan['id']}/pages", headers=team["prosecutor"])
    assert r.status_code == 200, r.text
    return list(r.json()["pages"])


@sqlite_only
def test_page_images_boxes_moves_and_undo(api: Api, team) -> None:
    """The picture is served at screen width from a cached derivative, each view a
    recorded read; a moved box is saved in page pixels and burned exactly there in the
    preview; undo brings the box back."""
    from sqlmodel import Session, select

    from custody.models import LedgerEntry
    from evidence.models import Item

    plan = _plan(api, team, _png(1600, 900), "wide.png")
    c, h = api.client, team["prosecutor"]
    listed = _pages(api, team, plan)
    assert listed == [{"page": 1, "width": 1600, "height": 900, "dpi": listed[0]["dpi"],
                       "open": listed[0]["open"]}]  # fmt: skip

    def reads() -> int:
        with Session(api.engine) as s:
            return len(s.exec(select(LedgerEntry)).all())

    def cached() -> int:
        with Session(api.engine) as s:
            return len(s.exec(select(Item).where(Item.derivative_kind == "review_page")).all())

    # The analysis rendered the first page at the review's width: the first view is a hit.
    assert cached() == 1
    before = reads()
    first = c.get(f"/api/v1/redactions/{plan['id']}/pages/1/image", headers=h)
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    assert first.headers["x-page-width"] == "1600" and first.headers["cache-control"] == "no-store"
    with Image.open(io.BytesIO(first.content)) as shown:
        assert shown.size == (1200, 675)
    assert reads() == before + 1  # a recorded read of the cached page
    # A width not seen yet is rendered from the original (its read and the derivative).
    before = reads()
    wide = c.get(f"/api/v1/redactions/{plan['id']}/pages/1/image?width=2400", headers=h)
    with Image.open(io.BytesIO(wide.content)) as shown:
        assert shown.size == (1600, 900)  # never larger than the image itself
    assert reads() >= before + 2 and cached() == 2
    again = c.get(f"/api/v1/redactions/{plan['id']}/pages/1/image?width=2400", headers=h)
    assert again.content == wide.content and cached() == 2
    for bad in ("/pages/2/image", "/pages/1/image?width=999"):
        assert c.get(f"/api/v1/redactions/{plan['id']}{bad}", headers=h).status_code == 400
    assert c.get(f"/api/v1/redactions/{plan['id']}/pages/1/image").status_code == 401

    # A drawn box, then moved: stored and burned exactly where it was put.
    r = c.post(f"/api/v1/redactions/{plan['id']}/proposals", headers=h, json={"items": [
        {"target": {"kind": "box", "page": 1, "left": 100, "top": 100, "width": 200, "height": 100}}
    ]})  # fmt: skip
    assert r.status_code == 201, r.text
    drawn = r.json()
    number = drawn["proposals"][-1]["number"]
    moved_box = {"page": 1, "left": 800, "top": 400, "width": 400, "height": 200}
    r = c.put(f"/api/v1/redactions/{drawn['id']}/proposals/{number}/boxes", headers=h,
              json={"boxes": [moved_box]})  # fmt: skip
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["proposals"][-1]["target"] == {"kind": "box", **moved_box}
    r = c.put(f"/api/v1/redactions/{moved['id']}/proposals/{number}/boxes", headers=h,
              json={"boxes": [{**moved_box, "left": 1500}]})  # fmt: skip
    assert r.status_code == 400  # past the edge: refused, nothing changed
    r = c.get(f"/api/v1/redactions/{moved['id']}/pages", headers=h).json()
    mine = next(b for b in r["boxes"] if b["number"] == number)
    assert (mine["left"], mine["top"], mine["width"], mine["height"]) == (800, 400, 400, 200)
    preview = c.get(f"/api/v1/redactions/{moved['id']}/pages/1/preview", headers=h)
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(preview.content)) as shown:
        px = shown.convert("L")
        scale = 1200 / 1600
        assert px.getpixel((int(850 * scale), int(450 * scale))) == 0  # inside: black
        assert px.getpixel((int(120 * scale), int(120 * scale))) > 200  # the old place: white
        assert px.getpixel((int(790 * scale), int(450 * scale))) > 200  # just outside

    r = c.post(f"/api/v1/redactions/{moved['id']}/undo", headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["proposals"][-1]["target"]["left"] == 100
    assert r.json()["version"] == moved["version"] + 1
    r = c.post(f"/api/v1/redactions/{plan['id']}/undo", headers=h)
    assert r.status_code == 409  # not the latest, and the first version has nothing to undo


@sqlite_only
def test_faces_and_plates_proposed_on_images(api: Api, team) -> None:
    """The video's detectors on a photo: the astronaut's face and a plate are box
    proposals in the image's pixels; hidden, the copy no longer shows either."""
    from skimage import data

    photo = Image.new("RGB", (1600, 1000), (90, 90, 100))
    photo.paste(Image.fromarray(data.astronaut()).resize((400, 400)), (100, 100))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((900, 700, 1230, 775), fill="white", outline="black", width=4)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 52)
    draw.text((915, 705), "123 ABC 02", fill="black", font=font)
    out = io.BytesIO()
    photo.save(out, "PNG")
    plan = _plan(api, team, out.getvalue(), "street.png")
    found = {p["entity_type"]: p for p in plan["proposals"] if p["source"] in ("face", "plate")}
    assert set(found) == {"FACE", "KZ_VEHICLE_PLATE"}, plan["proposals"]
    face, plate = found["FACE"]["target"], found["KZ_VEHICLE_PLATE"]["target"]
    assert found["FACE"]["explanation"] == "face detector"
    # Inside the pasted photo, around its middle (the astronaut's face), in full-size pixels.
    assert 100 <= face["left"] < 350 and 100 <= face["top"] < 350 and face["width"] > 40, face
    assert face["left"] + face["width"] <= 500 and face["page"] == 1
    # The plate's lettering is covered, by a box not much bigger than the plate.
    assert plate["left"] <= 915 and plate["left"] + plate["width"] >= 1150, plate
    assert plate["top"] <= 710 and plate["top"] + plate["height"] >= 765, plate
    assert plate["width"] < 2 * 330 and plate["height"] < 3 * 75, plate
    c, h = api.client, team["prosecutor"]
    r = c.patch(f"/api/v1/redactions/{plan['id']}/proposals", json={"default": "accepted"},
                headers=h)  # fmt: skip
    assert r.status_code == 200, r.text
    r = c.post(f"/api/v1/redactions/{r.json()['id']}/approve", headers=h)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["releasable"], done["residual"]
    copy = c.get(f"/api/v1/items/{done['derivative_id']}/content", headers=h)
    with Image.open(io.BytesIO(copy.content)) as rendered:
        gray = rendered.convert("L")
        for box in (face, plate):
            region = gray.crop((box["left"], box["top"], box["left"] + box["width"],
                                box["top"] + box["height"]))  # fmt: skip
            assert region.getextrema() == (0, 0)
        assert gray.getpixel((1500, 100)) == photo.convert("L").getpixel((1500, 100))
