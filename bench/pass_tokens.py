"""Offline verification of pass tokens: how many a gate device checks a second, one token
per call, in one process.

The issue's target (issue 5): "offline verification of one token at least 5,000 per second
in one process."

What is measured
    `fangkong.access.tokens.check(token, keys, day=…, area=…, revoked=…)` — what a gate
    device does with only the public keys (the document of /api/v1/access/keys) and the
    revocation list: base32, the payload's layout, the key id, the Ed25519 signature, the
    revocation list, the dates and the area. TOKENS distinct tokens (passes of different
    numbers, holders, areas and dates, signed by three keys) are checked one per call, in
    turn, for ROUND_SECONDS, in ROUNDS rounds; a revocation list of 1,000 numbers. Every
    answer is compared with the one expected (valid, or revoked for the revoked tenth), so
    a fast wrong answer does not count. No database and no Django: the module needs only
    `cryptography`, as a device would.

`python -m bench pass_tokens` (or `make bench BENCH=pass_tokens`) runs this one alone.
Knobs (environment): BENCH_TOKENS_SECONDS (each round; 2), BENCH_TOKENS_ROUNDS (5).
"""

import datetime
import os
import statistics
import time

TOKENS = 1000
ROUND_SECONDS = float(os.environ.get("BENCH_TOKENS_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_TOKENS_ROUNDS", "5"))
TARGET_PER_SECOND = 5000
DAY = datetime.date(2020, 2, 12)


def make_tokens():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from fangkong.access import tokens

    private = {kid: Ed25519PrivateKey.generate() for kid in (1, 2, 3)}
    keys = {kid: tokens.PublicKey(kid=kid, key=key.public_key()) for kid, key in private.items()}
    revoked = {f"TX-2020-{9000 + index:04d}" for index in range(990)}
    cases = []
    for index in range(TOKENS):
        kid = 1 + index % 3
        number = f"TX-2020-{index + 1:04d}"
        if index % 10 == 9:
            revoked.add(number)
        claims = tokens.Claims(
            kid=kid,
            number=number,
            holder=f"2020{index:06d}",
            areas=(3, 4 + index % 5) if index % 2 else (3,),
            valid_from=DAY - datetime.timedelta(days=index % 7),
            valid_until=DAY + datetime.timedelta(days=1 + index % 14),
        )
        expected = "revoked" if number in revoked else "valid"
        cases.append((tokens.sign(claims, private[kid]), expected))
    return keys, frozenset(revoked), cases


def run_round(keys, revoked, cases) -> tuple[int, float, int]:
    from fangkong.access.tokens import check

    checked = wrong = 0
    started = time.perf_counter()
    deadline = started + ROUND_SECONDS
    while True:
        for token, expected in cases:
            state, _claims = check(token, keys, day=DAY, area=3, revoked=revoked)
            if state != expected:
                wrong += 1
        checked += len(cases)
        now = time.perf_counter()
        if now >= deadline:
            return checked, now - started, wrong


def main() -> None:
    print(
        f"Offline pass-token verification: tokens.check, one token per call, one process, "
        f"{TOKENS:,} distinct tokens by 3 keys, a revocation list of 1,000"
    )
    keys, revoked, cases = make_tokens()
    run_round(keys, revoked, cases[:100])  # warm-up, not measured
    rates, wrong_total = [], 0
    for _ in range(ROUNDS):
        checked, elapsed, wrong = run_round(keys, revoked, cases)
        rates.append(checked / elapsed)
        wrong_total += wrong
    median = statistics.median(rates)
    spread = ", ".join(f"{rate:,.0f}" for rate in rates)
    print(f"  tokens/s: median {median:,.0f} of {ROUNDS} rounds of {ROUND_SECONDS:g} s ({spread})")
    print(f"  per token: {1e6 / median:.0f} µs")
    verdict = "met" if median >= TARGET_PER_SECOND else "NOT MET"
    print(f"  target at least {TARGET_PER_SECOND:,} a second: {verdict}")
    verdict = "met" if wrong_total == 0 else "NOT MET"
    print(f"  wrong answers: {wrong_total} (target 0): {verdict}")


if __name__ == "__main__":
    main()
