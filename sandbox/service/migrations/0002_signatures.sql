-- Replays: the service recognises a signed package it already holds by
-- the SHA-256 of its signature value (made canonical), whatever the
-- idempotency key, session or container bytes it arrives with. Per
-- procedure, at most one application holds a signature.
ALTER TABLE applications ADD COLUMN signature_sha256 TEXT;

CREATE UNIQUE INDEX applications_by_signature ON applications (procedure_id, signature_sha256)
    WHERE signature_sha256 IS NOT NULL;
