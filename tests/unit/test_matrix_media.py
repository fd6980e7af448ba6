"""Matrix photos and places: an encrypted room's m.image is decrypted with the event's key
and checked against its hash; a size over the limit is not downloaded; geo URIs are read in
both shapes and out-of-range points refused."""

from __future__ import annotations

from typing import Any

from nio import DownloadError, MemoryDownloadResponse
from nio.crypto.attachments import encrypt_attachment

from adapters.matrix.inbound import geo_point
from adapters.matrix.media import fetch_media


class FakeClient:
    def __init__(self, body: bytes | None) -> None:
        self.body = body
        self.asked: list[str] = []

    async def download(self, mxc: str) -> Any:
        self.asked.append(mxc)
        if self.body is None:
            return DownloadError("M_NOT_FOUND")
        return MemoryDownloadResponse(self.body, "application/octet-stream", "x")


async def test_an_encrypted_image_is_decrypted_and_checked() -> None:
    secret, keys = encrypt_attachment(b"the photo's bytes")
    file = {"url": "mxc://example.org/abc", "key": keys["key"], "iv": keys["iv"],
            "hashes": keys["hashes"], "v": "v2"}
    client = FakeClient(secret)
    assert await fetch_media(client, {"msgtype": "m.image", "file": file},  # type: ignore[arg-type]
                             1000) == b"the photo's bytes"
    assert client.asked == ["mxc://example.org/abc"]
    tampered = FakeClient(secret[:-1] + bytes([secret[-1] ^ 1]))
    assert await fetch_media(tampered, {"file": file}, 1000) is None  # type: ignore[arg-type]


async def test_a_plain_image_over_the_limit_or_missing_is_none() -> None:
    client = FakeClient(b"x" * 50)
    content = {"url": "mxc://example.org/big", "info": {"size": 5000}}
    assert await fetch_media(client, content, 1000) is None  # type: ignore[arg-type]
    assert client.asked == []  # not even downloaded
    assert await fetch_media(client, {"url": "mxc://e/x"}, 10) is None  # type: ignore[arg-type]
    assert await fetch_media(FakeClient(None), {"url": "mxc://e/x"}, 10) is None  # type: ignore[arg-type]
    assert await fetch_media(client, {"url": "https://e/x"}, 1000) is None  # type: ignore[arg-type]


def test_geo_uris_in_both_shapes() -> None:
    assert geo_point({"geo_uri": "geo:48.85661,2.35222;u=12"}) == (48.85661, 2.35222)
    assert geo_point({"org.matrix.msc3488.location": {"uri": "geo:-33.9,151.2"}}) == (
        -33.9, 151.2)
    assert geo_point({"geo_uri": "geo:91,0"}) is None
    assert geo_point({"geo_uri": "geo:abc,def"}) is None
    assert geo_point({"geo_uri": "https://maps"}) is None
    assert geo_point({}) is None
