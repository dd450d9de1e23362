"""Text from fonts without a usable character map is told apart from text, tables and scripts."""

import pytest

from ingest.garbled import UNREADABLE, garbled_reason

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "/g18/g152/g135/g148/g152/g139/g135/g153/g3/g145/g136/g3/g150/g138/g135/g3/g23" * 3,
        "\x00C\x00h\x00e\x00c\x00k\x00l\x00i\x00s\x00t\x00e\x00 \x00S\x00e\x00r\x00v\x00i",
        "\ue001\ue002\ue003\ue004 \ue005\ue006\ue007\ue008\ue009\ue00a",
        "(cid:12)(cid:44)(cid:3)(cid:81)(cid:68)(cid:80)(cid:72)(cid:3)(cid:82)(cid:73)",
        "\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd",
    ],
)
def test_glyph_codes_and_unmappable_characters_are_unreadable(text):
    assert garbled_reason(text) == UNREADABLE


@pytest.mark.parametrize(
    "text",
    [
        "The council must consult the staff before the transfer. " * 10,
        "DOCUMENT NO. DATE PAYEE NAME AMOUNT 260 START END 01/04/2015 31/03/2016 12,450.00",
        "#include <linux/ckevent.h> #include <asm/io.h> int main(void) { return 0; }",
        "Mae'r cyngor yn ymgynghori â'r staff cyn trosglwyddo'r gwasanaeth.",
        "\u5185\u95a3\u5e9c\u4ee4\u7b2c\u4e00\u53f7 \u5b98\u5831",
        "\u0627\u0644\u0645\u062c\u0644\u0633 \u0627\u0644\u0628\u0644\u062f\u064a",
        "",
        "\ue001 A trademark sign in a private-use font, once, in ordinary text of a page.",
    ],
)
def test_text_tables_code_and_other_scripts_are_readable(text):
    assert garbled_reason(text) is None
