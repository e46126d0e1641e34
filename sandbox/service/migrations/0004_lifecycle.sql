-- The life of an application after its receipt: withdrawal (取下げ),
-- correction requests (補正依頼) and amendments (補正). The status column
-- is remade with the two new statuses (a column's CHECK cannot be
-- changed in place; dropping and renaming keeps every other column).
ALTER TABLE applications ADD COLUMN lifecycle_status TEXT NOT NULL DEFAULT 'received'
    CHECK (lifecycle_status IN ('received', 'reviewing', 'completed', 'returned', 'withdrawn', 'correction-requested'));
UPDATE applications SET lifecycle_status = status;
ALTER TABLE applications DROP COLUMN status;
ALTER TABLE applications RENAME COLUMN lifecycle_status TO status;

-- Each step after the arrival, numbered per application. An amendment
-- keeps its body's package file, media type, signer and key here; the
-- key is what a retry of the same amendment is recognised by.
CREATE TABLE application_events (
    arrival_number     TEXT NOT NULL REFERENCES applications (arrival_number),
    seq                INTEGER NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('advanced', 'withdrawn', 'correction-requested', 'amended')),
    status             TEXT NOT NULL,
    at                 INTEGER NOT NULL,
    notice_id          TEXT,
    package_sha256     TEXT,
    media_type         TEXT,
    size               INTEGER,
    signer_cert_sha256 TEXT,
    idempotency_key    TEXT,
    PRIMARY KEY (arrival_number, seq),
    UNIQUE (arrival_number, idempotency_key)
) STRICT;
