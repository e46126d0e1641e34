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
// 1 MiB). Sizes are enforced on the bytes read, not on the headers.
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
