"""Safe XML reading: text in document order, element paths, and refusal of entity attacks."""

from __future__ import annotations

import resource

import pytest

from docledger.exceptions import UnprocessableDocument
from docledger.media.xmldoc import MAX_DEPTH, read_xml

CDA = b"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc">
  <title>Discharge Summary</title>
  <recordTarget><patientRole>
    <patient><name><given>Maria</given><family>Gonzalez</family></name></patient>
  </patientRole></recordTarget>
  <component><section><title>MEDICATIONS</title>
    <text>Metformin 500 mg b.i.d. <sdtc:note>with meals</sdtc:note> for 30 days.</text>
  </section></component>
  <component><section><title>FOLLOW UP</title><text>Dr. Smith in two weeks.</text></section></component>
</ClinicalDocument>"""


def test_text_and_paths_in_document_order() -> None:
    doc = read_xml(CDA)
    assert (doc.root_tag, doc.root_namespace) == ("ClinicalDocument", "urn:hl7-org:v3")
    assert doc.text.split("\n") == [
        "Discharge Summary",
        "Maria",
        "Gonzalez",
        "MEDICATIONS",
        "Metformin 500 mg b.i.d.",
        "with meals",
        "for 30 days.",
        "FOLLOW UP",
        "Dr. Smith in two weeks.",
    ]
    paths = {p["path"]: p["text"] for p in doc.element_paths}
    assert paths["/ClinicalDocument/title[1]"] == "Discharge Summary"
    assert paths["/ClinicalDocument/recordTarget[1]/patientRole[1]/patient[1]/name[1]/family[1]"] == "Gonzalez"
    # mixed content: the element's own text includes the tail after its child
    assert paths["/ClinicalDocument/component[1]/section[1]/text[1]"] == "Metformin 500 mg b.i.d. for 30 days."
    assert paths["/ClinicalDocument/component[1]/section[1]/text[1]/note[1]"] == "with meals"
    assert paths["/ClinicalDocument/component[2]/section[1]/title[1]"] == "FOLLOW UP"
    assert all(p["text"] for p in doc.element_paths)  # only elements that hold text


def test_encodings_and_bom() -> None:
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><invoice><payee>Caf\u00e9 M\u00fcller</payee></invoice>'
    assert read_xml(utf16.encode("utf-16")).text == "Caf\u00e9 M\u00fcller"
    assert read_xml(b"\xef\xbb\xbf<a>x</a>").element_paths == [{"path": "/a", "text": "x"}]


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_entity_attacks_are_refused(doc: bytes) -> None:
    with pytest.raises(UnprocessableDocument) as err:
        read_xml(doc)
    assert err.value.code == "corrupt_file"
    assert "entities" in str(err.value)
    assert "root:" not in str(err.value)


def test_plain_doctype_without_entities_is_fine() -> None:
    assert read_xml(b'<?xml version="1.0"?><!DOCTYPE note SYSTEM "note.dtd"><note>ok</note>').text == "ok"


@pytest.mark.parametrize("doc", [b"<invoice><total>12.50</invoice>", b"", b"not xml at all"])
def test_malformed_xml_is_corrupt(doc: bytes) -> None:
    with pytest.raises(UnprocessableDocument) as err:
        read_xml(doc)
    assert err.value.code == "corrupt_file"
    assert "XML is damaged" in str(err.value)


def test_deep_nesting_is_refused_without_blowing_up() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    depth = 50_000
    with pytest.raises(UnprocessableDocument, match=f"deeper than {MAX_DEPTH}"):
        read_xml(b"<a>" * depth + b"x" + b"</a>" * depth)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    ok = read_xml(b"<a>" * MAX_DEPTH + b"x" + b"</a>" * MAX_DEPTH)
    assert ok.element_paths[0]["path"].count("/") == MAX_DEPTH
