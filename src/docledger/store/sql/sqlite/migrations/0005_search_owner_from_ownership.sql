-- Search rows no longer copy the owner: search reads it from ownership, so an ownership change
-- applies to search at once (sqlite).
ALTER TABLE search_pages DROP COLUMN owner;
