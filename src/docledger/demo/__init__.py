"""Demo content: generated sample documents that exercise every route and failure."""
