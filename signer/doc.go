// Package signer builds and verifies application packages: the completed
// form and its attachments, signed together in one ASiC-E container
// (ETSI EN 319 162-1) with a detached CAdES-BES signature.
//
// # Package format
//
// A package is a ZIP file whose entries are, in this order:
//
//	mimetype                     "application/vnd.etsi.asic-e+zip", first,
//	                             stored, no extra field, no data descriptor
//	<form>                       the form, any format (Rootfile="true")
//	<attachment>...              the attachments
//	META-INF/ASiCManifest.xml    one DataObjectReference per file: URI,
//	                             MimeType and the SHA-256 of its bytes
//	META-INF/signature001.p7s    detached CAdES-BES over the manifest bytes
//
// Every entry is stored, not deflated, and carries its CRC and sizes in the
// local header, so that streaming readers (Java's ZipInputStream among
// them) accept it. The signature is CMS SignedData with SHA-256, the
// content-type, message-digest, signing-time and ESS signing-certificate-v2
// signed attributes, and the signer's certificate chain. Files are hashed
// as streams while they are copied into the package, so the memory needed
// does not grow with their size; only the manifest is signed.
//
// # Reading packages
//
// ZIP headers are claims, not facts. The reader refuses entry names that
// could escape an extraction directory on any platform ("..", absolute
// paths, "\", ":", control characters, invalid UTF-8), names that collide
// ignoring case and Unicode normalization, symbolic links, more than 4096
// entries, a ZIP directory over 16 MiB, an entry over 4 GiB−1, entries
// totalling over 16 GiB, and entries that expand more than 100:1 (beyond
// 1 MiB), and more than 64 manifests. Sizes are enforced on the bytes read,
// not on the headers.
//
// # Packages of other producers
//
// Verify reads every conforming ASiC-E CAdES container (EN 319 162-1), not
// only those Build writes: any number of META-INF/*ASiCManifest*.xml, each
// naming through its SigReference a CAdES signature (META-INF/*signature*.p7s)
// or a time-stamp token (META-INF/*.tst); archive manifests
// (META-INF/ASiCArchiveManifest*.xml); SHA-256, SHA-384 and SHA-512
// digests; any namespace prefixes; entries in any order. Every signature
// is verified over its own manifest and reported on its own
// (Report.Signatures); every data file must be covered by at least one
// manifest whose signature verified. What only conformance concerns (the
// mimetype entry misplaced, compressed or missing; directory entries) is a
// remark in Report.Conformance beside an intact signature. Time-stamp
// tokens are checked against their manifest (imprint, and the token's own
// signature when it carries the authority's certificate); the authority is
// not validated yet, so a token over data leaves the report undecided
// (Report.Outcome). Archive time-stamps (archive.go, archive_verify.go)
// are validated: ArchivePackage adds META-INF/ASiCArchiveManifest.xml
// over every entry with its token, renaming the previous one
// ASiCArchiveManifestNNN.xml and sealing it, so that renewals form a
// chain; Verify fails a package whose entries changed, went missing or
// were added since its archive time-stamp, leaves it undecided when a
// token does not hold, and otherwise takes each token's genTime as proof
// that the entries it seals existed then. A time-stamp authority's
// certificate is checked at the time of validation, or at the earlier
// time a later archive time-stamp proves its token existed: an authority
// that expired since proves nothing unless an archive time-stamp from
// before its expiry, itself valid, covers its token. CMS envelopes that github.com/digitorus/pkcs7 cannot
// parse (BER, SignedData versions 3–5, OCSP responses as
// RevocationInfoChoice other, attribute certificates, key-identifier
// signers) are normalised first (cmsnorm.go); unsigned attributes other
// than signature-time-stamps, and carried OCSP responses, are reported,
// not validated.
//
// # Error contract
//
// [Build] and [LoadPKCS12] return an error for anything they cannot do;
// input problems wrap [ErrInvalidFile], [ErrWrongPassword] or
// [ErrNotPKCS12], and I/O errors wrap the underlying error.
//
// [Verify] and [VerifyDetached] separate two kinds of outcome. An error is
// returned only when the input cannot be read at all or is refused
// unread: it wraps [ErrMalformed] (not a ZIP, unsafe entry names,
// truncated CMS, …) or [ErrTooLarge] (beyond the reader's limits), or the
// context's error. Everything else — a definite negative as well as a
// success — is a [Report], whose Integrity and Certificate checks are
// independent: a package can be intact and signed by an expired
// certificate, or altered and signed by a trusted one.
//
// Build's errors name files by their role (the form, attachment N) and wrap
// the operating system's error, which names the path given; the reader's
// errors quote entry names. No error or report detail contains the
// signer's subject or other personal data, a password or a PIN.
package signer
