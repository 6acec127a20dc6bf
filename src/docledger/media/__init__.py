"""Reading documents: what the bytes are, and what a PDF, image or XML file contains.

Pure functions over files and bytes, with no ledger or store access, so every stage
(and every test) can call them directly. Submodules import their heavy libraries
(pikepdf, pdfium, pdfplumber, Pillow) themselves; importing this package is cheap.

- :mod:`docledger.media.sniff`: media type from magic bytes, and what a file name claims
- :mod:`docledger.media.pdf`: inspect, extract text/words/tables, read AcroForm fields
- :mod:`docledger.media.image`: header-only inspection with decompression-bomb refusal
- :mod:`docledger.media.xmldoc`: safe XML reading (no entity expansion)
"""
