package signer

import (
	"bytes"
	"crypto"
	_ "crypto/sha512" // SHA-384 and SHA-512 in manifests
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Names and values fixed by the package format.
const (
	mimetypeName    = "mimetype"
	mimetypeASiCE   = "application/vnd.etsi.asic-e+zip"
	metaInf         = "META-INF/"
	manifestName    = metaInf + "ASiCManifest.xml"
	signatureName   = metaInf + "signature001.p7s"
	signatureMime   = "application/pkcs7-signature"
	asicNS          = "http://uri.etsi.org/02918/v1.2.1#"
	dsNS            = "http://www.w3.org/2000/09/xmldsig#"
	sha256DigestURI = "http://www.w3.org/2001/04/xmlenc#sha256"
	maxNameBytes    = 1024
)

// checkName says why name cannot be the name of a file in a package, or
// returns nil. It refuses everything that could escape or confuse an
// extraction directory on any platform.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case len(name) > maxNameBytes:
		return fmt.Errorf("name longer than %d bytes", maxNameBytes)
	case !utf8.ValidString(name):
		return errors.New("name is not valid UTF-8")
	case strings.ContainsAny(name, `\:`):
		return errors.New(`name contains "\" or ":"`)
	case strings.HasPrefix(name, "/"):
		return errors.New("name is an absolute path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return errors.New("name contains a control character")
		}
	}
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "":
			return errors.New("name has an empty path segment")
		case ".", "..":
			return fmt.Errorf("name has a %q path segment", seg)
		}
	}
	return nil
}

// reserved reports whether name belongs to the container itself.
func reserved(name string) bool {
	return strings.EqualFold(name, mimetypeName) || len(name) >= len(metaInf) && strings.EqualFold(name[:len(metaInf)], metaInf)
}

// nameKey is the form under which two names collide when extracted on a
// case-insensitive or normalizing file system.
func nameKey(name string) string { return strings.ToLower(norm.NFC.String(name)) }

// mimeTypes maps extensions to the MIME types written into the manifest;
// a fixed table keeps packages identical on every platform.
var mimeTypes = map[string]string{
	".pdf": "application/pdf", ".xml": "application/xml", ".json": "application/json",
	".txt": "text/plain", ".csv": "text/csv", ".html": "text/html",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".zip":  "application/zip",
}

func mimeType(name string) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// manifestEntry is one DataObjectReference.
type manifestEntry struct {
	Name     string
	MimeType string
	SHA256   []byte // written by Build
	Root     bool
	// Hash and Digest are the digest read from a manifest.
	Hash   crypto.Hash
	Digest []byte
}

// marshalManifest writes the ASiCManifest for entries, signed by the
// signature sigRef.
func marshalManifest(sigRef string, entries []manifestEntry) []byte {
	return writeManifest(sigRef, signatureMime, entries)
}

// writeManifest writes an ASiCManifest whose SigReference is sigRef of
// type sigMime (a signature, or an archive time-stamp token), naming
// entries with their SHA-256.
func writeManifest(sigRef, sigMime string, entries []manifestEntry) []byte {
	var b bytes.Buffer
	attr := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s)) // writes to memory: cannot fail
		return e.String()
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	fmt.Fprintf(&b, "<asic:ASiCManifest xmlns:asic=%q xmlns:ds=%q>\n", asicNS, dsNS)
	fmt.Fprintf(&b, "  <asic:SigReference URI=%q MimeType=%q/>\n", sigRef, sigMime)
	for _, e := range entries {
		root := ""
		if e.Root {
			root = ` Rootfile="true"`
		}
		u := (&url.URL{Path: e.Name}).EscapedPath()
		fmt.Fprintf(&b, "  <asic:DataObjectReference URI=\"%s\" MimeType=\"%s\"%s>\n", attr(u), attr(e.MimeType), root)
		fmt.Fprintf(&b, "    <ds:DigestMethod Algorithm=%q/>\n", sha256DigestURI)
		fmt.Fprintf(&b, "    <ds:DigestValue>%s</ds:DigestValue>\n", base64.StdEncoding.EncodeToString(e.SHA256))
		b.WriteString("  </asic:DataObjectReference>\n")
	}
	b.WriteString("</asic:ASiCManifest>\n")
	return b.Bytes()
}

type xmlManifest struct {
	XMLName xml.Name `xml:"http://uri.etsi.org/02918/v1.2.1# ASiCManifest"`
	SigRef  []struct {
		URI      string `xml:"URI,attr"`
		MimeType string `xml:"MimeType,attr"`
	} `xml:"http://uri.etsi.org/02918/v1.2.1# SigReference"`
	Refs []struct {
		URI      string `xml:"URI,attr"`
		MimeType string `xml:"MimeType,attr"`
		Rootfile bool   `xml:"Rootfile,attr"`
		Method   struct {
			Algorithm string `xml:"Algorithm,attr"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# DigestMethod"`
		Value string `xml:"http://www.w3.org/2000/09/xmldsig# DigestValue"`
	} `xml:"http://uri.etsi.org/02918/v1.2.1# DataObjectReference"`
}

// digestMethods are the digest algorithms a manifest may use (XML
// Signature and XML Encryption identifiers).
var digestMethods = map[string]crypto.Hash{
	sha256DigestURI: crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// parsedManifest is an ASiCManifest as read: the signature or timestamp
// it names and its data object references.
type parsedManifest struct {
	SigRef  string
	Entries []manifestEntry
}

// isManifestName, isSignatureName and isTimestampName recognise the
// container's own entries by the names EN 319 162-1 gives them:
// META-INF/*ASiCManifest*.xml, META-INF/*signature*.p7s and
// META-INF/*.tst.
func isManifestName(name string) bool {
	base, ok := strings.CutPrefix(name, metaInf)
	return ok && !strings.Contains(base, "/") && strings.Contains(base, "ASiCManifest") && strings.HasSuffix(base, ".xml")
}

// isArchiveManifestName recognises META-INF/ASiCArchiveManifest*.xml, the
// manifest an archive time-stamp seals (EN 319 162-1 §A).
func isArchiveManifestName(name string) bool {
	base, ok := strings.CutPrefix(name, metaInf)
	return ok && !strings.Contains(base, "/") && strings.HasPrefix(base, "ASiCArchiveManifest") && strings.HasSuffix(base, ".xml")
}

func isSignatureName(name string) bool {
	base, ok := strings.CutPrefix(name, metaInf)
	return ok && !strings.Contains(base, "/") && strings.Contains(base, "signature") && strings.HasSuffix(base, ".p7s")
}

func isTimestampName(name string) bool {
	base, ok := strings.CutPrefix(name, metaInf)
	return ok && !strings.Contains(base, "/") && len(base) > len(".tst") && strings.HasSuffix(base, ".tst")
}

// parseManifest reads an ASiCManifest that names one signature or
// timestamp in META-INF and digests (SHA-256, SHA-384 or SHA-512) of
// distinct, well-named files outside META-INF, at most one of them the
// form (Rootfile).
func parseManifest(data []byte) (*parsedManifest, error) {
	if err := checkManifestXML(data); err != nil {
		return nil, err
	}
	var m xmlManifest
	if err := xml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not an ASiCManifest: %w", err)
	}
	if len(m.SigRef) != 1 {
		return nil, fmt.Errorf("%d SigReferences, want one", len(m.SigRef))
	}
	sigRef, err := url.PathUnescape(m.SigRef[0].URI)
	if err != nil || !isSignatureName(sigRef) && !isTimestampName(sigRef) {
		return nil, fmt.Errorf("SigReference %q names no META-INF/*signature*.p7s or META-INF/*.tst", m.SigRef[0].URI)
	}
	if len(m.Refs) == 0 {
		return nil, errors.New("no DataObjectReference")
	}
	if len(m.Refs) > maxEntries {
		return nil, fmt.Errorf("%d DataObjectReferences, more than a package can hold", len(m.Refs))
	}
	seen := make(map[string]bool)
	var entries []manifestEntry
	for i, r := range m.Refs {
		name, err := url.PathUnescape(r.URI)
		if err == nil {
			err = checkName(name)
		}
		// A time-stamp token may seal the container's own entries (an
		// archive manifest: signatures, manifests), never the mimetype.
		if err == nil && reserved(name) && (!isTimestampName(sigRef) || strings.EqualFold(name, mimetypeName)) {
			err = errors.New("name is reserved for the container")
		}
		if err == nil && seen[nameKey(name)] {
			err = errors.New("URI listed twice")
		}
		if err != nil {
			return nil, fmt.Errorf("DataObjectReference %d: %w", i+1, err)
		}
		seen[nameKey(name)] = true
		h, ok := digestMethods[strings.TrimSpace(r.Method.Algorithm)]
		if !ok {
			return nil, fmt.Errorf("DataObjectReference %d: digest method %q, want SHA-256, SHA-384 or SHA-512", i+1, r.Method.Algorithm)
		}
		sum, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(r.Value), ""))
		if err != nil || len(sum) != h.Size() {
			return nil, fmt.Errorf("DataObjectReference %d: DigestValue is not a base64 %s digest", i+1, h)
		}
		entries = append(entries, manifestEntry{Name: name, MimeType: r.MimeType, Hash: h, Digest: sum, Root: r.Rootfile})
	}
	roots := 0
	for _, e := range entries {
		if e.Root {
			roots++
		}
	}
	if roots > 1 {
		return nil, fmt.Errorf("%d DataObjectReferences are marked Rootfile; a package has one form", roots)
	}
	return &parsedManifest{SigRef: sigRef, Entries: entries}, nil
}

// checkManifestXML refuses what would make a manifest mean different
// things to different readers: a document type or entity declaration
// (any <!…> directive), and more than one top-level element (a reader
// that stops after the first would miss the second).
func checkManifestXML(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, tops := 0, 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not an ASiCManifest: %w", err)
		}
		switch tok.(type) {
		case xml.Directive:
			return errors.New("a DOCTYPE or ENTITY declaration is not allowed in the manifest")
		case xml.StartElement:
			if depth == 0 {
				if tops++; tops > 1 {
					return errors.New("the manifest has more than one top-level element")
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}
