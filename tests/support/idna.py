"""Count what Python's IDNA codec encodes: its punycode step is quadratic in a label's
length and runs once per label, so a long host must be refused before it gets there."""

from __future__ import annotations

import encodings.idna

import pytest


def idna_labels(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lengths of the labels Python's IDNA codec encodes from now on."""
    lengths: list[int] = []
    to_ascii = encodings.idna.ToASCII

    def counting(label: str) -> bytes:
        lengths.append(len(label))
        return to_ascii(label)

    monkeypatch.setattr(encodings.idna, "ToASCII", counting)
    return lengths
