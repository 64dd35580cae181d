"""IGS satellite metadata SINEX: the shipped copy, lookups by PRN and date, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import BRD4, SHARED
from gnss_interop import load_ephemerides
from gnss_interop.errors import SinexError
from gnss_interop.reading.sinex import read_satellite_metadata
from gnss_interop.resources import SATELLITE_METADATA

DAY = np.datetime64("2023-03-12T12:00")


@pytest.fixture(scope="module")
def meta():
    return read_satellite_metadata(SATELLITE_METADATA)


def test_shipped_copy_reads(meta):
    assert len(meta.satellites) == 291 and len(meta.prns) == 374
    assert meta.satellites["C201"].block == "BDS-3M-CAST"
    assert meta.satellites["C201"].cospar_id == "2017-069A"


def test_lookups_follow_prn_reassignment(meta):
    # C19 was held by C201 until 2018:164, by C102 for a while, then by C201 again
    assert meta.svn("C19", np.datetime64("2018-01-01")) == "C201"
    assert meta.svn("C19", np.datetime64("2018-08-01")) == "C102"
    assert meta.svn("C19", DAY) == "C201"
    assert meta.block("R09", DAY) == "GLO-K1B" and meta.frequency_channel("R09", DAY) == -2
    assert meta.plane_slot("C19", DAY) == "B-7"
    assert meta.svn("C99", DAY) is None and meta.block("C19", np.datetime64("1990-01-01")) is None


@pytest.mark.real_data
def test_shipped_copy_is_the_public_file():
    assert SATELLITE_METADATA.read_bytes() == (SHARED / "metadata" / "igs_satellite_metadata.snx").read_bytes()


@pytest.mark.real_data
def test_beidou_generations_on_2023_03_12_agree_with_the_rinex4_messages(meta):
    """44 BeiDou satellites: 15 BDS-2 and 29 BDS-3. RINEX 4 corroborates: every satellite
    with BDS-3 CNAV records (CNV1/CNV2) is BDS-3; the BDS-3 GEOs C59, C60 send none."""
    rec = load_ephemerides(BRD4).records(load_ephemerides(BRD4).systems[0])
    present = sorted(set(rec["sv"].tolist()))
    blocks = {sv: meta.block(sv, DAY) for sv in present}
    assert len(present) == 44 and None not in blocks.values()
    assert sum(b.startswith("BDS-2") for b in blocks.values()) == 15
    assert sum(b.startswith("BDS-3") for b in blocks.values()) == 29
    cnav = set(rec["sv"][np.isin(rec["message"], ["CNV1", "CNV2"])].tolist())
    assert all(blocks[sv].startswith("BDS-3") for sv in cnav)
    assert {sv for sv, b in blocks.items() if b.startswith("BDS-3")} - cnav == {"C59", "C60"}


def _write(tmp_path, text: str):
    p = tmp_path / "meta.snx"
    p.write_text(text)
    return p


HEAD = "%=SNX 2.02 DLR 26:035:25117 DLR 78:053:00000 00:000:00000 P 00000 0\n"
IDENT = ("+SATELLITE/IDENTIFIER\n*SVN_ COSPAR ID SatCat Block__________ Comment\n"
         " C201 2017-069A  43001 BDS-3M-CAST     Launched 2017-11-05\n-SATELLITE/IDENTIFIER\n")


@pytest.mark.parametrize("body, message", [
    ("", r"meta\.snx, line 1: not a SINEX file"),
    (HEAD + IDENT + "+SATELLITE/PRN\n C201 2017:309:00000 0000:000:00000 C19\n",
     r"line 7: block 'SATELLITE/PRN' is not closed"),
    (HEAD + IDENT + "+SATELLITE/PRN\n C201 2017:399:00000 0000:000:00000 C19\n-SATELLITE/PRN\n",
     r"line 7: epoch '2017:399:00000' out of range"),
    (HEAD + IDENT + "+SATELLITE/PRN\n C201 2017:3x9:00000 0000:000:00000 C19\n-SATELLITE/PRN\n",
     r"line 7: unreadable epoch '2017:3x9:00000'"),
    (HEAD + IDENT + "+SATELLITE/PRN\n C999 2017:309:00000 0000:000:00000 C19\n-SATELLITE/PRN\n",
     r"SVNs without an identifier: C999"),
    (HEAD + IDENT, r"no SATELLITE/PRN block"),
    (HEAD + IDENT + "+SATELLITE/PRN\n C201 2018:309:00000 2017:309:00000 C19\n-SATELLITE/PRN\n",
     r"line 7: SATELLITE/PRN of C201: ends before it starts"),
])
def test_bad_files_name_file_and_line(tmp_path, body, message):
    with pytest.raises(SinexError, match=message):
        read_satellite_metadata(_write(tmp_path, body or "garbage\n"))


def test_binary_file_is_a_named_error(tmp_path):
    p = tmp_path / "meta.snx"
    p.write_bytes(b"%=SNX \xff\xfe")
    with pytest.raises(SinexError, match="not an ASCII text file"):
        read_satellite_metadata(p)
