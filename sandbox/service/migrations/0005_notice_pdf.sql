-- Notices are issued as a signed PDF too (PAdES, the 職責 certificate):
-- the SHA-256 of that file in the package store; NULL for notices
-- issued before.
ALTER TABLE notices ADD COLUMN pdf_sha256 TEXT;
