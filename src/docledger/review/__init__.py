"""Review library: the fields.json contract, page words, layout fingerprints and learned regions.

Pure functions over plain data; the review stage and the review service use them, the ledger
stores what they compute (``docledger.ledger.review``).
"""
