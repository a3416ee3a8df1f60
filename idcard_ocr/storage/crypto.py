"""Encryption of app secrets at rest.

Each server key (``IDCARD_SECRET_KEY``, at least 32 characters) is stretched with HKDF-SHA256
into an AES-256-GCM key and, separately, a short public fingerprint. Every stored secret carries
the fingerprint of the key that sealed it, so a wrong key is reported as such rather than as
garbage, and a :class:`KeyRing` holding the current and previous keys can open secrets sealed
under either while a rotation is under way. The app id is bound in as associated data, so a
ciphertext copied onto another account's row does not open.
"""

from __future__ import annotations

import os
import secrets
import string
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from idcard_ocr.storage.base import SecretKeyMismatch

MIN_KEY_CHARS = 32
_NONCE_BYTES = 12
_SALT = b"idcard-ocr app secrets v1"
_ALNUM = string.ascii_letters + string.digits


def _derive(key: str, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=info).derive(key.encode("utf-8"))


def new_server_key() -> str:
    """A fresh random server key (43 url-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def new_app_id() -> str:
    """``idc`` + 13 random letters and digits (url-safe, ~77 bits)."""
    return "idc" + "".join(secrets.choice(_ALNUM) for _ in range(13))


def new_app_secret() -> str:
    """32 random letters and digits (~190 bits)."""
    return "".join(secrets.choice(_ALNUM) for _ in range(32))


@dataclass(frozen=True)
class SealingKey:
    """One server key, ready to seal and open secrets."""

    fingerprint: str  # 16 hex characters; safe to store and to log
    _aead: AESGCM

    @classmethod
    def from_text(cls, key: str) -> SealingKey:
        """Derive the AES key and fingerprint from the operator's key text."""
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"a secret key must be at least {MIN_KEY_CHARS} characters")
        fingerprint = _derive(key, b"fingerprint", 8).hex()
        return cls(fingerprint, AESGCM(_derive(key, b"aes-256-gcm", 32)))

    def seal(self, plaintext: str, app_id: str) -> bytes:
        """Nonce + AES-GCM ciphertext of ``plaintext`` bound to ``app_id``."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), app_id.encode("utf-8"))

    def open(self, sealed: bytes, app_id: str) -> str:
        """The plaintext; raises :class:`SecretKeyMismatch` if the ciphertext does not verify."""
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], app_id.encode("utf-8"))
        except InvalidTag:
            raise SecretKeyMismatch(
                f"the stored secret of one account does not verify under key {self.fingerprint}"
            ) from None
        return plain.decode("utf-8")


class KeyRing:
    """The current key (seals new secrets) and any older keys still accepted for opening."""

    def __init__(self, current: SealingKey, older: tuple[SealingKey, ...] = ()) -> None:
        self.current = current
        self._by_fingerprint = {k.fingerprint: k for k in older if k.fingerprint != current.fingerprint}
        self._by_fingerprint[current.fingerprint] = current

    @property
    def keys(self) -> tuple[SealingKey, ...]:
        """Every key held, the current one last."""
        return tuple(self._by_fingerprint.values())

    @property
    def fingerprints(self) -> frozenset[str]:
        """Fingerprints of every key held."""
        return frozenset(self._by_fingerprint)

    def holds(self, fingerprint: str) -> bool:
        """Whether a secret sealed under ``fingerprint`` can be opened."""
        return fingerprint in self._by_fingerprint

    def open(self, sealed: bytes, app_id: str, fingerprint: str) -> str:
        """Open a secret sealed under the key with ``fingerprint``."""
        key = self._by_fingerprint.get(fingerprint)
        if key is None:
            raise SecretKeyMismatch(
                f"app secrets were sealed under key {fingerprint}, but this server holds "
                f"{', '.join(sorted(self._by_fingerprint))}: check IDCARD_SECRET_KEY "
                "(and IDCARD_SECRET_KEY_PREVIOUS during a key rotation)"
            )
        return key.open(sealed, app_id)
