"""Hash lists to and from other tools: ThreatExchange's pytx CLI and HMA, read by their own code."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from crosscheck.exc import InvalidData
from crosscheck.exchange.banks import BankFormat, read_bank
from crosscheck.exchange.banks.formats import write_pdq_text
from crosscheck.model.banks import BankEntry


def _noise(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random((32, 32, 3)) * 255).astype("uint8")).resize((256, 256)).save(path)
    return path


def _pytx(tmp_path: Path, *args: str) -> str:
    """The real `threatexchange` CLI, its state kept under tmp_path."""
    cli = Path(sys.executable).parent / "threatexchange"
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run([str(cli), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def test_pytx_hash_output_is_a_bank(tmp_path: Path) -> None:
    photos = [_noise(tmp_path / f"p{i}.png", i) for i in range(2)]
    printed = _pytx(tmp_path, "hash", "photo", *map(str, photos))
    assert printed.splitlines()[0].startswith("pdq ")  # what the CLI prints today
    rotated = _pytx(tmp_path, "hash", "--photo-preprocess", "rotations", "photo", str(photos[0]))
    listing = tmp_path / "pytx.txt"
    listing.write_text(printed + rotated, encoding="utf-8")
    entries = list(read_bank(listing, BankFormat.pdq_text))
    wanted = [PdqSignal.hash_from_file(p) for p in photos]
    assert [e.pdq for e in entries[:2]] == wanted
    assert len(entries) == 2 + len(rotated.splitlines())
    assert entries[2].pdq == wanted[0] and "ORIGINAL" in entries[2].ref


def test_pytx_dataset_and_video_lines(tmp_path: Path) -> None:
    md5 = "0123456789abcdef0123456789abcdef"
    pdq = "f" * 64
    listing = tmp_path / "dataset.txt"
    listing.write_text(
        f"pdq {pdq} 'Sample Data' FetchedSignalMetadata(...)\nvideo_md5 {md5}\n{pdq},87,a.jpg\n",
        encoding="utf-8",
    )
    entries = list(read_bank(listing, BankFormat.pdq_text))
    assert [(e.pdq, e.md5) for e in entries] == [(pdq, None), (None, md5), (pdq, None)]
    assert entries[2].ref == "a.jpg"  # the reference hasher's `hash,quality,file`
    VideoMD5Signal.validate_signal_str(entries[1].md5 or "")
    listing.write_text(f"url_md5 {md5}\n", encoding="utf-8")
    with pytest.raises(InvalidData, match=r"line 1: .*url_md5"):
        list(read_bank(listing, BankFormat.pdq_text))


def test_hma_hash_answers_are_read(tmp_path: Path) -> None:
    pdq = "e" * 64
    listing = tmp_path / "hma.jsonl"
    listing.write_text(f'{{"pdq": "{pdq}"}}\n', encoding="utf-8")
    assert [e.pdq for e in read_bank(listing, BankFormat.pdq_text)] == [pdq]


def test_our_pdq_text_is_read_by_pytx(tmp_path: Path) -> None:
    photo = _noise(tmp_path / "p.png", 3)
    pdq = PdqSignal.hash_from_file(photo)
    stream = io.BytesIO()
    count = write_pdq_text([BankEntry(ref="x", pdq=pdq.upper()), BankEntry(ref="md5 only",
                            md5="a" * 32)], stream)  # fmt: skip
    lines = stream.getvalue().decode().splitlines()
    assert count == 1 and [PdqSignal.validate_signal_str(line) for line in lines] == [pdq]
    hashes = tmp_path / "ours.txt"
    hashes.write_bytes(stream.getvalue())
    assert [e.pdq for e in read_bank(hashes, BankFormat.pdq_text)] == [pdq]  # and back
