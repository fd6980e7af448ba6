"""The id_token checks of the OpenID client, against tokens signed here: only a token signed
by the provider's key, for this client, from this issuer, unexpired, and carrying the nonce
of this sign-in is accepted."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from animabot.config import OidcSettings
from animabot.web.oidc import OidcClient, OidcError, PendingSignIn

ISSUER = "https://auth.example.gouv.fr/api/v2"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})


class Offline(OidcClient):
    """The client with the provider's discovery and keys already read."""

    def __init__(self) -> None:
        super().__init__(OidcSettings(enabled=True, issuer=ISSUER, client_id="animabot",
                                      acr_values="eidas1"))
        self._metadata = {"issuer": ISSUER, "jwks_uri": "https://unused",
                          "id_token_signing_alg_values_supported": ["RS256", "none"]}
        self._keys = KeySet([KEY])
        self._keys_at = time.monotonic()

    async def _key_set(self, refresh: bool = False) -> KeySet:
        assert self._keys is not None
        return self._keys


def token(key: RSAKey = KEY, alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "animabot", "sub": "s-1", "nonce": "n-1", "iat": now,
              "exp": now + 300, "acr": "eidas1", **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key)


async def test_a_good_token_is_accepted() -> None:
    claims = await Offline()._verified(token(), {"nonce": "n-1"})
    assert claims["sub"] == "s-1"


@pytest.mark.parametrize("bad", [
    {"nonce": "n-2"}, {"aud": "another-client"}, {"iss": "https://evil.example"},
    {"exp": int(time.time()) - 3600}, {"sub": None},
], ids=["nonce", "audience", "issuer", "expired", "no-subject"])
async def test_a_token_with_a_wrong_claim_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(OidcError, match="does not check out"):
        await Offline()._verified(token(**bad), {"nonce": "n-1"})


async def test_a_token_signed_by_another_key_is_refused() -> None:
    with pytest.raises(OidcError, match="does not check out"):
        await Offline()._verified(token(key=OTHER), {"nonce": "n-1"})


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_an_unsigned_token_is_refused_though_the_provider_lists_none() -> None:
    unsigned = f"{b64({'alg': 'none'})}.{b64({'iss': ISSUER, 'aud': 'animabot', 'sub': 's'})}."
    with pytest.raises(OidcError):
        await Offline()._verified(unsigned, {"nonce": "n-1"})


async def test_a_sign_in_state_is_used_once() -> None:
    client = Offline()
    client._metadata = {**(client._metadata or {}), "authorization_endpoint":
                        "https://auth.example.gouv.fr/api/v2/authorize"}
    url, pending = await client.start("https://a.example/cb")
    assert "code_challenge_method=S256" in url and "acr_values=eidas1" in url
    assert f"nonce={pending.nonce}" in url and "redirect_uri=https%3A%2F%2Fa.example" in url
    assert client.take(pending.state) == pending
    assert client.take(pending.state) is None


def test_the_issuer_must_be_https_except_on_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        OidcSettings(issuer="http://auth.example.gouv.fr")
    assert OidcSettings(issuer="http://127.0.0.1:8000").issuer


def test_an_enabled_provider_names_the_keys_it_still_needs() -> None:
    assert OidcSettings(enabled=True, issuer=ISSUER).missing() == ["client_id",
                                                                    "client_secret"]
    assert OidcSettings(enabled=False).missing() == []


class Answering(Offline):
    """The client, with the provider's token endpoint answering ``tokens``."""

    def __init__(self, tokens: dict[str, Any]) -> None:
        super().__init__()
        self.tokens = tokens

    async def _exchange(self, metadata: Any, pending: Any, code: str) -> dict[str, Any]:
        return self.tokens


async def test_a_sign_in_at_a_lower_level_than_acr_values_asks_is_refused() -> None:
    pending = PendingSignIn("st", "n-1", "verifier", "https://a.example/cb", time.monotonic())
    identity = await Answering({"id_token": token(email="a@b.fr")}).finish(pending, "code")
    assert (identity.subject, identity.email) == ("s-1", "a@b.fr")
    with pytest.raises(OidcError, match="level 'eidas0'"):
        await Answering({"id_token": token(acr="eidas0")}).finish(pending, "code")
    with pytest.raises(OidcError, match="no id_token"):
        await Answering({"access_token": "x"}).finish(pending, "code")
