-- The archive: the SHA-256 of the package as archived on receipt (with
-- the service's validation data and archive time-stamp), which the
-- receipt carries; NULL when no archive time-stamp could be added.
ALTER TABLE applications ADD COLUMN archived_sha256 TEXT;
