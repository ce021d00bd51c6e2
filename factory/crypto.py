"""Encryption of secrets at rest with Fernet: connection passwords, access-key secrets, the values of jobs'
sensitive properties and masked parameters, and what an import keeps typed in until it runs.

The key comes from FIELD_ENCRYPTION_KEY or a key file generated under var/ on first run. Ciphertexts are
opaque strings; nothing in the console ever decrypts a secret to show it back.
"""

from __future__ import annotations

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def secret_encrypt(*, plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def secret_decrypt(*, ciphertext: str) -> str:
    """Only for the few places that must use a secret (signature checks). Never for display or export."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:  # a changed FIELD_ENCRYPTION_KEY: fail loudly, never return garbage
        raise ValueError("The secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY.") from exc


def secrets_encrypt(*, values: dict[str, str]) -> str:
    return secret_encrypt(plaintext=json.dumps(values, sort_keys=True)) if values else ""


def secrets_decrypt(*, ciphertext: str) -> dict[str, str]:
    return json.loads(secret_decrypt(ciphertext=ciphertext)) if ciphertext else {}
