"""Bloom filter maths: sizing from capacity and error rate, and bit positions.

Pure functions, no Redis: the bits live in a Redis bitmap that ``lua/_lib.lua`` reads and
sets with ``BITFIELD``; this module only decides how many bits, how many hashes, and where.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: A Redis string holds at most 512 MiB, i.e. 2**32 bits.
MAX_BITS = 2**32


@dataclass(frozen=True)
class BloomShape:
    bits: int  # m, size of the bitmap
    hashes: int  # k, bits set per item

    @classmethod
    def for_capacity(cls, capacity: int, error_rate: float) -> BloomShape:
        """The smallest filter whose false-positive rate is *error_rate* at *capacity* items."""
        if capacity <= 0:
            raise ValueError(f"a Bloom filter needs a positive capacity, got {capacity}")
        if not 0 < error_rate < 1:
            raise ValueError(f"a Bloom error rate is between 0 and 1, got {error_rate}")
        bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
        bits = (bits + 7) // 8 * 8  # whole bytes
        if bits > MAX_BITS:
            raise ValueError(
                f"{capacity} items at error rate {error_rate} need {bits} bits, more than one "
                f"Redis string holds ({MAX_BITS}); lower the capacity or raise the error rate"
            )
        hashes = max(1, round(bits / capacity * math.log(2)))
        return cls(bits, hashes)

    @property
    def nbytes(self) -> int:
        return self.bits // 8

    def positions(self, fingerprint: bytes) -> list[int]:
        """The k bit positions of one item, by double hashing of its fingerprint.

        Fingerprints are cryptographic hashes (SHA1, 20 bytes), so two 64-bit slices of one
        are independent uniform hashes (Kirsch and Mitzenmacher, 2006).
        """
        if len(fingerprint) < 16:
            raise ValueError("a Bloom fingerprint needs at least 16 bytes")
        h1 = int.from_bytes(fingerprint[:8], "big")
        h2 = int.from_bytes(fingerprint[8:16], "big") | 1
        m = self.bits
        return [(h1 + i * h2) % m for i in range(self.hashes)]

    def false_positive_rate(self, items: int) -> float:
        """The expected false-positive rate once *items* distinct items are in."""
        k, m = self.hashes, self.bits
        return (1 - math.exp(-k * items / m)) ** k

    def estimate_items(self, bits_set: int) -> int:
        """How many distinct items a bitmap with *bits_set* ones holds (Swamidass-Baldi)."""
        m, k = self.bits, self.hashes
        if bits_set >= m:
            return -1
        return round(-m / k * math.log(1 - bits_set / m))
