"""Pass tokens: compact, signed with Ed25519, checked with only the public key.

The format is documented in docs/pass-token.md. In short, a token is

    FK1.<BASE32 of payload ‖ signature>        (upper case, no padding)

so that a QR code holds it in its compact alphanumeric mode. The payload is

    version (1 byte, = 1) · key id (2) · first day (2) · last day (2)
    · pass number (1-byte length + ASCII) · holder's person number (1-byte length + ASCII)
    · areas (1-byte count + 2 bytes per area id)

days counted from 2000-01-01, integers big-endian; the signature (64 bytes) is Ed25519 over
b"fangkong-pass-v1" ‖ payload. This module needs no database: a gate device that holds the
public keys (`/api/v1/access/keys`) and, if it can, the revocation list decides offline.
"""

import base64
import dataclasses
import datetime
import re
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "FK1."
VERSION = 1
CONTEXT = b"fangkong-pass-v1"
EPOCH = datetime.date(2000, 1, 1)
SIGNATURE_BYTES = 64
_HEAD = struct.Struct(">BHHH")
_MAX_TOKEN = 400


class TokenError(ValueError):
    """A token that is refused. `code` is one of the gate's refusal reasons: malformed,
    forged, unknown_key or retired_key."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class UnencodableClaims(ValueError):
    """Claims a token cannot carry. `field` names which: number, holder, areas, valid_from
    or valid_until. The server turns it into a message; it is never a UnicodeEncodeError."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(frozen=True)
class Claims:
    kid: int
    number: str
    holder: str
    areas: tuple[int, ...]
    valid_from: datetime.date
    valid_until: datetime.date

    def state_on(self, day: datetime.date) -> str:
        """ "valid", "not_yet_valid" or "expired" on `day`."""
        if day < self.valid_from:
            return "not_yet_valid"
        if day > self.valid_until:
            return "expired"
        return "valid"


@dataclasses.dataclass(frozen=True)
class PublicKey:
    kid: int
    key: Ed25519PublicKey
    retired: bool = False


def _day(field: str, value: datetime.date) -> int:
    days = (value - EPOCH).days
    if not 0 <= days <= 0xFFFF:
        raise UnencodableClaims(field, f"{value} is outside the token's dates (2000-2179)")
    return days


def _text(field: str, value: str) -> bytes:
    # Printable ASCII only: what the format promises a gate, and what a gate can type.
    if not (value.isascii() and value.isprintable()):
        raise UnencodableClaims(field, f"{value!r} is not printable ASCII")
    raw = value.encode("ascii")
    if len(raw) > 255:
        raise UnencodableClaims(field, "text too long for a token")
    return bytes([len(raw)]) + raw


def payload(claims: Claims) -> bytes:
    """The claims as bytes; UnencodableClaims for what the format cannot carry."""
    if len(claims.areas) > 255:
        raise UnencodableClaims("areas", "too many areas for a token")
    if not all(0 <= area <= 0xFFFF for area in claims.areas):
        raise UnencodableClaims("areas", "an area id above 65535")
    head = _HEAD.pack(
        VERSION,
        claims.kid,
        _day("valid_from", claims.valid_from),
        _day("valid_until", claims.valid_until),
    )
    areas = bytes([len(claims.areas)]) + b"".join(struct.pack(">H", a) for a in claims.areas)
    return head + _text("number", claims.number) + _text("holder", claims.holder) + areas


def sign(claims: Claims, private_key: Ed25519PrivateKey) -> str:
    body = payload(claims)
    signature = private_key.sign(CONTEXT + body)
    return PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


def _malformed(message: str = "not a Fangkong pass code") -> TokenError:
    return TokenError("malformed", message)


def _parse(body: bytes) -> Claims:
    try:
        version, kid, first, last = _HEAD.unpack_from(body, 0)
        at = _HEAD.size
        fields = []
        for _ in range(2):
            length = body[at]
            raw = body[at + 1 : at + 1 + length]
            if len(raw) != length:
                raise _malformed("token truncated")
            fields.append(raw.decode("ascii"))
            at += 1 + length
        count = body[at]
        at += 1
        if len(body) != at + 2 * count:
            raise _malformed("token truncated or padded")
        areas = struct.unpack_from(f">{count}H", body, at)
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise _malformed("token truncated") from exc
    if version != VERSION:
        raise _malformed("unknown token version")
    return Claims(
        kid=kid,
        number=fields[0],
        holder=fields[1],
        areas=tuple(areas),
        valid_from=EPOCH + datetime.timedelta(days=first),
        valid_until=EPOCH + datetime.timedelta(days=last),
    )


_BASE32 = re.compile(r"[A-Z2-7]+")
_BASE32_AS_DIGITS = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv"
)


def _b32decode(encoded: str) -> bytes:
    """RFC 4648 base32 without padding, as base64.b32decode reads it but about ten times
    faster (int() in C instead of a Python loop): a gate checks thousands a second."""
    size, spare_bits = divmod(len(encoded) * 5, 8)
    # Unpadded base32 leaves 0-4 spare bits; 5 or more means a character too many or few.
    if spare_bits >= 5 or not _BASE32.fullmatch(encoded):
        raise _malformed("token damaged")
    value = int(encoded.translate(_BASE32_AS_DIGITS), 32)
    # RFC 4648 fills the spare bits with zeros. Dropping them unread would let 2**spare_bits
    # spellings of one token verify (…C and …D alike): the last character must be exact.
    if value & ((1 << spare_bits) - 1):
        raise _malformed("token damaged")
    return (value >> spare_bits).to_bytes(size, "big")


def looks_like_token(text: str) -> bool:
    return text.strip().upper().startswith(PREFIX)


def verify(token: str, keys: dict[int, PublicKey]) -> Claims:
    """The token's claims if its signature holds under one of `keys` (by key id); raises
    TokenError otherwise. Dates, areas and revocation are the caller's to check (`check`)."""
    text = token.strip().upper()
    if not text.startswith(PREFIX) or len(text) > _MAX_TOKEN:
        raise _malformed()
    raw = _b32decode(text[len(PREFIX) :])
    if len(raw) <= SIGNATURE_BYTES + _HEAD.size:
        raise _malformed("token truncated")
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    claims = _parse(body)
    key = keys.get(claims.kid)
    if key is None:
        raise TokenError("unknown_key", f"signed by unknown key {claims.kid}")
    if key.retired:
        raise TokenError("retired_key", f"signed by retired key {claims.kid}")
    try:
        key.key.verify(signature, CONTEXT + body)
    except InvalidSignature as exc:
        raise TokenError("forged", "signature does not match") from exc
    return claims


def check(
    token: str,
    keys: dict[int, PublicKey],
    *,
    day: datetime.date,
    area: int | None = None,
    revoked: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, Claims | None]:
    """What an offline gate decides from a token alone: ("valid", claims) or (reason, claims
    or None), the reason one of malformed, forged, unknown_key, retired_key, revoked,
    not_yet_valid, expired, wrong_area. Household quotas, isolation and fever need the
    server: a device that can reach it asks it instead."""
    try:
        claims = verify(token, keys)
    except TokenError as exc:
        return exc.code, None
    if claims.number in revoked:
        return "revoked", claims
    state = claims.state_on(day)
    if state != "valid":
        return state, claims
    if area is not None and area not in claims.areas:
        return "wrong_area", claims
    return "valid", claims


def public_key_from_bytes(kid: int, raw: bytes, retired: bool = False) -> PublicKey:
    return PublicKey(kid=kid, key=Ed25519PublicKey.from_public_bytes(bytes(raw)), retired=retired)


def keys_from_document(document: dict) -> dict[int, PublicKey]:
    """The key ring from the JSON of /api/v1/access/keys (what a device stores)."""
    ring = {}
    for entry in document.get("keys", []):
        raw = base64.urlsafe_b64decode(entry["public_key"] + "=" * (-len(entry["public_key"]) % 4))
        ring[int(entry["kid"])] = public_key_from_bytes(
            int(entry["kid"]), raw, retired=entry.get("status") == "retired"
        )
    return ring


def key_entry(kid: int, raw_public: bytes, retired: bool) -> dict:
    return {
        "kid": kid,
        "alg": "Ed25519",
        "public_key": base64.urlsafe_b64encode(bytes(raw_public)).decode("ascii").rstrip("="),
        "status": "retired" if retired else "active",
    }
