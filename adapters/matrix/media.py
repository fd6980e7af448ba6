"""Residents' photos (``m.image``) from the homeserver's media repository.

nio 0.26 downloads from the authenticated media API (``/_matrix/client/v1/media``, the only
one Synapse serves new media from since 1.120). In an encrypted room the event carries a
``file`` object (its ``mxc://`` URL, the AES key, IV and SHA-256): the bytes are decrypted
and checked with them. A file over the size limit is not downloaded when the event says its
size, and is dropped when it turns out larger.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, MemoryDownloadResponse  # type: ignore[import-untyped]
from nio.crypto.attachments import decrypt_attachment  # type: ignore[import-untyped]

log = logging.getLogger(__name__)


async def fetch_media(client: AsyncClient, content: dict[str, Any], limit: int) -> bytes | None:
    info = content.get("info")
    size = info.get("size") if isinstance(info, dict) else None
    if isinstance(size, int) and size > limit:
        return None
    encrypted = content.get("file")
    url = encrypted.get("url") if isinstance(encrypted, dict) else content.get("url")
    if not isinstance(url, str) or not url.startswith("mxc://"):
        return None
    try:
        response = await client.download(mxc=url)
    except Exception as exc:  # a network fault: the resident is asked to send it again
        log.info("a photo could not be downloaded: %s", type(exc).__name__)
        return None
    if not isinstance(response, MemoryDownloadResponse):
        log.info("a photo could not be downloaded: %s", getattr(response, "message", response))
        return None
    data = response.body
    if isinstance(encrypted, dict):
        try:
            data = decrypt_attachment(data, encrypted["key"]["k"],
                                      encrypted["hashes"]["sha256"], encrypted["iv"])
        except Exception as exc:  # a wrong key or hash: not the file the event described
            log.warning("an encrypted photo could not be decrypted: %s", type(exc).__name__)
            return None
    return data if len(data) <= limit else None
