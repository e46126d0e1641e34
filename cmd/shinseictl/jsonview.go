package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/signer"
)

// The --json documents follow one style (DESIGN.md §4): snake_case keys,
// and a certificate's serial number only as serial_sha256. These views
// give the core's types that form where their own JSON differs.

// verifyView is verify's JSON document.
type verifyView struct {
	Format      string        `json:"format,omitempty"`
	Integrity   signer.Check  `json:"integrity"`
	Certificate signer.Check  `json:"certificate"`
	SigningTime *time.Time    `json:"signing_time,omitempty"` // as the signer claims it
	Files       []fileView    `json:"files,omitempty"`
	Signer      *certSummary  `json:"signer,omitempty"`
	Chain       []certSummary `json:"chain,omitempty"`
	// Unsigned and OCSPResponses are what the (first) signature carries
	// beyond CAdES-BES: reported, not validated.
	Unsigned      []string `json:"unsigned_attributes,omitempty"`
	OCSPResponses int      `json:"ocsp_responses,omitempty"`
	// Timestamps are the signature-time-stamp tokens, each checked;
	// ProvenTime is the earliest good one's time, at which the signer's
	// certificate was checked, and ProvenBy its authority.
	Timestamps []signer.TimestampResult `json:"timestamps,omitempty"`
	ProvenTime *time.Time               `json:"proven_time,omitempty"`
	ProvenBy   string                   `json:"proven_by,omitempty"`
	// Signatures lists a package's signatures and time-stamp tokens,
	// each over its own manifest.
	Signatures []signatureView `json:"signatures,omitempty"`
	// Conformance lists warnings that do not touch integrity; Undecided
	// what could not be decided.
	Conformance []signer.Remark `json:"conformance,omitempty"`
	Undecided   []signer.Remark `json:"undecided,omitempty"`
	// Revocation says how revocation was judged: "embedded" when the
	// OCSP responses and CRLs the signature carries establish that every
	// certificate of the path was good at the time checked (RevocationCheck
	// says how), "embedded-incomplete" when they do not establish it, and
	// "not-checked" when the signature carries none: verify never asks a
	// responder.
	Revocation      string          `json:"revocation"`
	RevocationCheck *revocationView `json:"revocation_check,omitempty"`
	// Outcome is valid, invalid or undecided (exit 0, 1 or 4).
	Outcome string `json:"outcome"`
	OK      bool   `json:"ok"`
}

// revocationView is the revocation check made from the validation data
// a signature carries (signer.EmbeddedRevocation).
type revocationView struct {
	Source string         `json:"source"`
	At     time.Time      `json:"at"`
	Check  signer.Check   `json:"check"`
	Path   []embeddedView `json:"path,omitempty"`
}

// embeddedView is what the embedded data said of one certificate.
type embeddedView struct {
	Certificate string    `json:"certificate"`
	Status      string    `json:"status"`
	Kind        string    `json:"kind,omitempty"`
	ThisUpdate  time.Time `json:"this_update,omitzero"`
	NextUpdate  time.Time `json:"next_update,omitzero"`
	Detail      string    `json:"detail,omitempty"`
}

// signatureView is one signature of a package.
type signatureView struct {
	Name          string        `json:"name"`
	Manifest      string        `json:"manifest"`
	Kind          string        `json:"kind"`
	Format        string        `json:"format,omitempty"`
	Integrity     signer.Check  `json:"integrity"`
	Certificate   signer.Check  `json:"certificate"`
	Time          *time.Time    `json:"signing_time,omitempty"`
	Signer        *certSummary  `json:"signer,omitempty"`
	Chain         []certSummary `json:"chain,omitempty"`
	Unsigned      []string      `json:"unsigned_attributes,omitempty"`
	OCSPResponses int           `json:"ocsp_responses,omitempty"`
	Covers        []string      `json:"covers,omitempty"`
}

// fileView is one file of a package.
type fileView struct {
	Name     string `json:"name"`
	MimeType string `json:"mime_type,omitempty"`
	Form     bool   `json:"form,omitempty"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256,omitempty"`
	Status   string `json:"status"`
	// Manifests are the manifests with a verified signature covering it.
	Manifests []string `json:"manifests,omitempty"`
}

// certSummary is a certificate in a JSON document.
type certSummary struct {
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	SerialSHA256 string    `json:"serial_sha256"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	SHA256       string    `json:"sha256"`
}

func newVerifyView(r *signer.Report) verifyView {
	v := verifyView{Format: r.Format, Integrity: r.Integrity, Certificate: r.Certificate,
		SigningTime: r.SigningTime, Files: fileViews(r.Files), Revocation: "not-checked", OK: r.OK(),
		Unsigned: r.Unsigned, OCSPResponses: r.OCSPResponses, Conformance: r.Conformance, Undecided: r.Undecided, Outcome: r.Outcome(),
		Timestamps: r.Timestamps, ProvenTime: r.ProvenTime, ProvenBy: r.ProvenBy}
	if rv := r.Revocation; rv != nil {
		v.Revocation = "embedded-incomplete"
		if rv.Check.OK {
			v.Revocation = "embedded"
		}
		v.RevocationCheck = &revocationView{Source: rv.Source, At: rv.At, Check: rv.Check}
		for _, p := range rv.Path {
			v.RevocationCheck.Path = append(v.RevocationCheck.Path, embeddedView{Certificate: p.Certificate, Status: p.Status, Kind: p.Kind,
				ThisUpdate: p.ThisUpdate, NextUpdate: p.NextUpdate, Detail: p.Detail})
		}
	}
	for _, s := range r.Signatures {
		sv := signatureView{Name: s.Name, Manifest: s.Manifest, Kind: s.Kind, Format: s.Format, Integrity: s.Integrity,
			Certificate: s.Certificate, Time: s.SigningTime, Unsigned: s.Unsigned, OCSPResponses: s.OCSPResponses, Covers: s.Covers}
		if s.Signer != nil {
			sum := summarize(s.Signer)
			sv.Signer = &sum
		}
		for _, c := range s.Chain {
			sv.Chain = append(sv.Chain, summarize(c))
		}
		v.Signatures = append(v.Signatures, sv)
	}
	if r.Signer != nil {
		s := summarize(r.Signer)
		v.Signer = &s
	}
	for _, c := range r.Chain {
		v.Chain = append(v.Chain, summarize(c))
	}
	return v
}

func fileViews(files []signer.FileResult) []fileView {
	var out []fileView
	for _, f := range files {
		out = append(out, fileView{Name: f.Name, MimeType: f.MimeType, Form: f.Form, Size: f.Size, SHA256: f.SHA256, Status: f.Status, Manifests: f.Manifests})
	}
	return out
}

func summarize(c *x509.Certificate) certSummary {
	sum := sha256.Sum256(c.Raw)
	return certSummary{Subject: c.Subject.String(), Issuer: c.Issuer.String(), SerialSHA256: certcheck.SerialSHA256(c.SerialNumber),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:])}
}

// hashSHA256 is the SHA-256 of s, in hex (a token's serial, as diag gives it).
func hashSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MarshalJSON gives sign's document its files in the one style, whatever
// else signView holds.
func (v signView) MarshalJSON() ([]byte, error) {
	type plain signView
	return json.Marshal(struct {
		plain
		Files []fileView `json:"files"`
	}{plain(v), fileViews(v.Files)})
}
