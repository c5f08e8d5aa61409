"""The CLI with what seized tables and other tools really hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run

TABLE_OPTS = ("--agency", "ES police", "--country", "ES", "--case", "ES/1",
              "--handling", "H2", "--evaluation", "B2")  # fmt: skip


def test_ingest_table_with_empty_cells_imports_the_rest(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "users.csv"
    table.write_text(
        "id,source,name,username,email\n"
        "7,forum-a,Juan García,jg77,jg@mail.example\n"
        "8,forum-a,Ana Pérez,,ana@mail.example\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "ingest-table", str(table), "--mapping", "forum-users", *TABLE_OPTS
    )
    assert code == 0, err
    code, out, _ = run(capsys, "entities", "--schema", "Person", "--format", "jsonl")
    assert "Ana Pérez" in out and "Juan García" in out
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "owner_username,network,contact_name,contact_username,contact_phone\n"
        "jg77,social.example,Luis Gómez,,+34600000001\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "ingest-table", str(contacts), "--mapping", "contact-list",
                       *TABLE_OPTS, "--contribution-id", "c_contacts")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "entities", "--schema", "Person", "--format", "jsonl")
    assert "Luis Gómez" in out


def test_ingest_table_rows_ftm_refuses_are_reported_or_bad_input(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "self.yml"
    mapping.write_text(
        "entities:\n"
        "  p: {schema: Person, keys: [a], properties: {name: {column: a}}}\n"
        "  acc: {schema: UserAccount, keys: [a, b],"
        " properties: {username: {column: b}, owner: {entity: p}}}\n",
        encoding="utf-8",
    )
    table = tmp_path / "t.csv"
    table.write_text("a,b\nx,y\nz,\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest-table", str(table), "--mapping", str(mapping), *TABLE_OPTS)
    assert code == 0, err
    assert "line 3" in err and "skipped" in err and "2 entities" in out
    only_bad = tmp_path / "bad.csv"
    only_bad.write_text("a,b\nz,\n", encoding="utf-8")
    code, _, err = run(capsys, "ingest-table", str(only_bad), "--mapping", str(mapping),
                       *TABLE_OPTS, "--contribution-id", "c_bad")  # fmt: skip
    assert code == 2 and "line 2" in err and "internal" not in err


def test_bank_from_pytx_output_exports_pdq_text_pytx_reads(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    pdq = "ddcbcead0ca420098b5a84f5daac20faab430cdb23a3f65963d536ba1feb083a"
    printed = tmp_path / "pytx.txt"
    printed.write_text(f"pdq {pdq}\nROTATE90 pdq {'a' * 64}\n", encoding="utf-8")
    code, out, err = run(capsys, "bank", "import", str(printed), "--name", "tx", "--format",
                         "pdq-text")  # fmt: skip
    assert code == 0 and "2 entries added" in out, err
    out_file = tmp_path / "tx.txt"
    code, _, err = run(capsys, "bank", "export", "tx", "--format", "pdq-text", "--out",
                       str(out_file))  # fmt: skip
    assert code == 0, err
    back = out_file.read_text(encoding="ascii").splitlines()
    assert sorted(PdqSignal.validate_signal_str(line) for line in back) == sorted([pdq, "a" * 64])
