-- The reference service's first schema. Times are Unix nanoseconds (UTC).
-- Package bytes live in files named by their SHA-256 next to the
-- database; a row refers to one only after the file is durable.

-- Secrets the service keeps across restarts (the inquiry-number key).
CREATE TABLE service_keys (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Accounts, issued after identity proof by a certificate. The identity is
-- the certificate's: a resident's four attributes or a company's
-- registered number and name. identity_key is a digest of it, unique, so
-- registering again resets the same account.
CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY,
    user_type            TEXT NOT NULL CHECK (user_type IN ('resident', 'company')),
    identity_key         TEXT NOT NULL UNIQUE,
    person_name          TEXT,
    person_name_flags    TEXT,
    person_birth_date    TEXT,
    person_sex           TEXT,
    person_address       TEXT,
    person_address_flags TEXT,
    corporate_number     TEXT,
    corporate_name       TEXT,
    certificate_sha256   TEXT NOT NULL,
    email                TEXT,
    password_hash        TEXT NOT NULL,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    failed_since         INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;

CREATE INDEX accounts_by_corporate_number ON accounts (corporate_number) WHERE corporate_number IS NOT NULL;

-- Sessions by the SHA-256 of their bearer token (the token is not kept).
CREATE TABLE sessions (
    token_sha256 BLOB PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

-- Single-use challenges by the SHA-256 of their value.
CREATE TABLE challenges (
    challenge_sha256 BLOB PRIMARY KEY,
    expires_at       INTEGER NOT NULL
) STRICT;

-- The last arrival number given in each year.
CREATE TABLE arrival_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

-- Applications. owner is the account ID, '' for a submission without a
-- session; (owner, idempotency_key) is what a retry is recognised by.
CREATE TABLE applications (
    arrival_number     TEXT PRIMARY KEY,
    procedure_id       TEXT NOT NULL,
    owner              TEXT NOT NULL DEFAULT '',
    idempotency_key    TEXT NOT NULL,
    package_sha256     TEXT NOT NULL,
    media_type         TEXT NOT NULL,
    size               INTEGER NOT NULL,
    signer_cert_sha256 TEXT,
    status             TEXT NOT NULL CHECK (status IN ('received', 'reviewing', 'completed', 'returned')),
    received_at        INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (owner, idempotency_key)
) STRICT;

-- Official notices, signed packages stored like applications.
CREATE TABLE notices (
    id             TEXT PRIMARY KEY,
    arrival_number TEXT NOT NULL REFERENCES applications (arrival_number),
    title_ja       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    issued_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX notices_by_application ON notices (arrival_number);
