"""Sign-in through an OpenID Connect provider: the authorization code flow with PKCE (S256),
a nonce, and the ``id_token``'s signature and claims checked against the provider's keys.

Authlib builds the authorization request and the PKCE challenge; joserfc (Authlib's JOSE
library) checks the tokens; aiohttp carries the requests (Authlib's HTTP integration needs
an httpx this project's Telegram client cannot take). ProConnect specifics are covered:
``acr_values``, ``email`` read from a signed UserInfo answer, and logout through the
provider's ``end_session_endpoint``.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import aiohttp
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..config import OidcSettings
from ..errors import AnimabotError

log = logging.getLogger(__name__)
PENDING_SECONDS = 600  # a sign-in started and not finished within ten minutes is forgotten
KEYS_SECONDS = 3600  # the provider's keys are read again after an hour, or on an unknown key


class OidcError(AnimabotError):
    """The provider could not be reached, or answered something that cannot be trusted."""


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    started: float


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str | None
    claims: Mapping[str, Any]
    id_token: str


def _basic(client_id: str, secret: str) -> str:
    """HTTP Basic client authentication, each part form-encoded first (RFC 6749 § 2.3.1)."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class OidcClient:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._keys_at = 0.0
        self._pending: dict[str, PendingSignIn] = {}

    async def _get(self, url: str, token: str | None = None) -> aiohttp.ClientResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http, \
                    http.get(url, headers=headers) as response:
                await response.read()
                return response
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OidcError(f"the OpenID provider cannot be reached at {url}: {exc}") from exc

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = await self._get(url)
            if response.status != 200:
                raise OidcError(f"{url} answered {response.status}: check [web.oidc] issuer")
            found: dict[str, Any] = await response.json(content_type=None)
            if found.get("issuer", "").rstrip("/") != self.settings.issuer.rstrip("/"):
                raise OidcError(f"{url} names another issuer ({found.get('issuer')!r}): "
                                "[web.oidc] issuer must be written exactly as the provider's")
            self._metadata = found
        return self._metadata

    async def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh or time.monotonic() - self._keys_at > KEYS_SECONDS:
            response = await self._get((await self.metadata())["jwks_uri"])
            self._keys = KeySet.import_key_set(await response.json(content_type=None))
            self._keys_at = time.monotonic()
        return self._keys

    async def start(self, redirect_uri: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization URL to send the browser to, and what to remember."""
        self._forget_stale()
        pending = PendingSignIn(generate_token(32), generate_token(32), generate_token(64),
                                redirect_uri, time.monotonic())
        self._pending[pending.state] = pending
        params = {
            "response_type": "code", "client_id": self.settings.client_id,
            "redirect_uri": pending.redirect_uri, "scope": " ".join(self.settings.scopes),
            "state": pending.state, "nonce": pending.nonce,
            "code_challenge": create_s256_code_challenge(pending.code_verifier),
            "code_challenge_method": "S256",
        }
        if self.settings.acr_values:
            params["acr_values"] = self.settings.acr_values
        url = add_params_to_uri((await self.metadata())["authorization_endpoint"],
                                list(params.items()))
        return url, pending

    def take(self, state: str | None) -> PendingSignIn | None:
        """The sign-in this ``state`` started, once: a replayed answer finds nothing."""
        self._forget_stale()
        return self._pending.pop(state, None) if state else None

    def _forget_stale(self) -> None:
        limit = time.monotonic() - PENDING_SECONDS
        for state in [s for s, p in self._pending.items() if p.started < limit]:
            del self._pending[state]

    async def finish(self, pending: PendingSignIn, code: str) -> Identity:
        """Trade the code for tokens and check the ``id_token``; raises :class:`OidcError`."""
        metadata = await self.metadata()
        tokens = await self._exchange(metadata, pending, code)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the provider sent no id_token: is 'openid' among the scopes?")
        claims = await self._verified(id_token, {"nonce": pending.nonce})
        wanted = self.settings.acr_values.split()
        if wanted and claims.get("acr") not in wanted:  # ProConnect: check the level reached
            raise OidcError(f"the provider signed in at level {claims.get('acr')!r}, not one "
                            f"of [web.oidc] acr_values ({' '.join(wanted)})")
        if claims.get("email") is None and metadata.get("userinfo_endpoint"):
            claims = {**await self._userinfo(metadata["userinfo_endpoint"],
                                             tokens.get("access_token"), claims["sub"]),
                      **claims}
        email = claims.get("email")
        return Identity(str(claims["sub"]), email if isinstance(email, str) else None,
                        claims, id_token)

    async def _exchange(self, metadata: Mapping[str, Any], pending: PendingSignIn,
                        code: str) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": pending.redirect_uri, "code_verifier": pending.code_verifier,
                "client_id": self.settings.client_id}
        secret = self.settings.secret() or ""
        methods = metadata.get("token_endpoint_auth_methods_supported",
                               ["client_secret_basic"])
        headers = {"Accept": "application/json"}
        if "client_secret_basic" in methods:
            headers["Authorization"] = _basic(self.settings.client_id, secret)
        else:
            form["client_secret"] = secret
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http, http.post(
                    metadata["token_endpoint"], data=form, headers=headers) as response:
                body: dict[str, Any] = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise OidcError(f"the provider's token endpoint failed: {exc}") from exc
        if response.status != 200:
            raise OidcError(f"the provider refused the code ({response.status}): "
                            f"{body.get('error')} {body.get('error_description', '')}")
        return body

    async def _verified(self, token: str, expected: Mapping[str, str]) -> dict[str, Any]:
        """The claims of a signed JWT from the provider, checked: signature, issuer,
        audience, expiry, and ``expected`` values (the nonce)."""
        metadata = await self.metadata()
        algorithms = [a for a in metadata.get("id_token_signing_alg_values_supported",
                                              ["RS256"]) if a != "none" and
                      not a.startswith("HS")]
        try:
            try:
                decoded = jwt.decode(token, await self._key_set(), algorithms=algorithms)
            except JoseError:  # the provider may have rolled its keys
                decoded = jwt.decode(token, await self._key_set(refresh=True),
                                     algorithms=algorithms)
            options: dict[str, Any] = {
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": self.settings.client_id},
                "sub": {"essential": True}, "exp": {"essential": True},
            }
            options.update({name: {"essential": True, "value": value}
                            for name, value in expected.items()})
            jwt.JWTClaimsRegistry(leeway=60, **options).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise OidcError(f"the provider's token does not check out: {exc}") from exc
        return dict(decoded.claims)

    async def _userinfo(self, url: str, access_token: object, subject: str
                        ) -> dict[str, Any]:
        if not isinstance(access_token, str):
            return {}
        response = await self._get(url, access_token)
        if response.status != 200:
            raise OidcError(f"the provider's userinfo answered {response.status}")
        if response.content_type == "application/jwt":  # ProConnect signs it
            claims = await self._verified(await response.text(), {})
        else:
            claims = await response.json(content_type=None)
        if claims.get("sub") != subject:
            raise OidcError("the provider's userinfo is about someone else")
        return dict(claims)

    async def logout_url(self, id_token: str, after: str) -> str | None:
        """Where to send the browser so the provider ends its session too, if it can."""
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except OidcError as exc:
            log.warning("%s: signed out here only", exc)
            return None
        if not isinstance(endpoint, str) or not endpoint:
            return None
        url: str = add_params_to_uri(endpoint, [("id_token_hint", id_token),
                                            ("state", generate_token(16)),
                                            ("post_logout_redirect_uri", after)])
        return url
