"""XML safety by construction (issue 18 case 12): any part of the archive declaring a
document type or an entity, in UTF-8 or UTF-16, is refused before a parser sees it, and
openpyxl parses with defusedxml (a core dependency)."""

from __future__ import annotations

import openpyxl.xml
import pytest
from robust_parts import rewrite, sheet_part
from workbooks import catalogs, write_minimal

from planner.domain import PlannerError
from planner.io.reader import read_workbook

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize("part", ["sheet", "styles", "workbook", "types"])
@pytest.mark.parametrize(("prolog", "encoding"), [(LAUGHS, "utf-8"), (EXTERNAL, "utf-8"),
                                                  (EXTERNAL, "utf-16-le"),
                                                  (EXTERNAL, "utf-16-be")])
def test_a_part_declaring_entities_is_refused_unparsed(tmp_path, part, prolog, encoding):
    path = write_minimal(tmp_path)
    member = {"sheet": sheet_part(path, "Demand"), "styles": "xl/styles.xml",
              "types": "[Content_Types].xml",
              "workbook": "xl/workbook.xml"}[part]

    def edit(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        text = (prolog + body).decode("utf-8")
        if encoding != "utf-8":
            text = text.replace('version="1.0"?>', f'version="1.0" encoding="{encoding[:6]}"?>')
        return text.encode(encoding)

    hostile = rewrite(path, tmp_path / "entities.xlsx", {member: edit})
    with pytest.raises(PlannerError, match="declares a document type"):
        read_workbook(hostile, *catalogs())


def test_a_part_flagged_encrypted_is_refused_with_a_message(tmp_path):
    """A zip member with the "encrypted" flag makes zipfile raise a bare RuntimeError
    asking for a password (found by the fuzz test): the reader says which part instead."""
    path = write_minimal(tmp_path, "plain.xlsx")
    data = bytearray(path.read_bytes())
    # set bit 0 of the flags of every worksheet's local (offset 6) and central (offset 8)
    # headers; zipfile's writer would clear it
    for sig, flags, name_len, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = data.find(sig)
        while at >= 0:
            n = int.from_bytes(data[at + name_len:at + name_len + 2], "little")
            if data[at + name_at:at + name_at + n].startswith(b"xl/worksheets/"):
                data[at + flags] |= 0x1
            at = data.find(sig, at + 4)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(bytes(data))
    with pytest.raises(PlannerError, match=r"part xl/worksheets/\S+ is encrypted"):
        read_workbook(locked, *catalogs())
