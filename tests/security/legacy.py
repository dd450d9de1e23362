"""Password hashes as versions before Argon2id wrote them, to check they still work and are
upgraded (`scrypt$16384$8$1$<salt>$<key>`, base64)."""

from __future__ import annotations

import base64
import hashlib
import secrets


def scrypt_hash(password: str, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024
    )
    return "$".join(
        (
            "scrypt",
            str(n),
            str(r),
            str(p),
            base64.b64encode(salt).decode(),
            base64.b64encode(key).decode(),
        )
    )
