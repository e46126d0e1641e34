package responder

// The sandbox encodes its OCSP answers itself, with cryptobyte, rather than
// with golang.org/x/crypto/ocsp.CreateResponse: that one cannot carry a
// nonce (response extensions), name the responder by key hash, set
// producedAt, or be told to get the CertID wrong — and a peer written
// apart from the client's parser tests that parser better.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	// OIDOCSPNonce is id-pkix-ocsp-nonce (RFC 8954).
	OIDOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	// OIDOCSPNoCheck is id-pkix-ocsp-nocheck: a delegated responder's
	// certificate need not itself be checked for revocation.
	OIDOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// ocspCertID is the CertID of an OCSP request or answer.
type ocspCertID struct {
	hashOID  asn1.ObjectIdentifier
	nameHash []byte
	keyHash  []byte
	serial   *big.Int
}

// ocspRequest is what the sandbox reads from a request: the first CertID
// and the nonce extension's value, if any.
type ocspRequest struct {
	id    ocspCertID
	nonce []byte // the extnValue, as sent
}

func newHash(oid asn1.ObjectIdentifier) (hash.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New(), true
	case oid.Equal(oidSHA256):
		return sha256.New(), true
	case oid.Equal(oidSHA384):
		return sha512.New384(), true
	case oid.Equal(oidSHA512):
		return sha512.New(), true
	}
	return nil, false
}

// parseOCSPRequest reads an OCSPRequest (RFC 6960 §4.1.1). Only the first
// Request of the list is answered.
func parseOCSPRequest(der []byte) (*ocspRequest, error) {
	malformed := errors.New("malformed OCSP request")
	in := cryptobyte.String(der)
	var outer, tbs, list cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() ||
		!outer.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, malformed
	}
	var first, certID, alg cryptobyte.String
	req := &ocspRequest{id: ocspCertID{serial: new(big.Int)}}
	if !list.ReadASN1(&first, cbasn1.SEQUENCE) ||
		!first.ReadASN1(&certID, cbasn1.SEQUENCE) ||
		!certID.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&req.id.hashOID) ||
		!certID.ReadASN1Bytes(&req.id.nameHash, cbasn1.OCTET_STRING) ||
		!certID.ReadASN1Bytes(&req.id.keyHash, cbasn1.OCTET_STRING) ||
		!certID.ReadASN1Integer(req.id.serial) {
		return nil, malformed
	}
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, cbasn1.Tag(2).Constructed().ContextSpecific()) {
		return nil, malformed
	}
	if present {
		var seq cryptobyte.String
		if !exts.ReadASN1(&seq, cbasn1.SEQUENCE) {
			return nil, malformed
		}
		for !seq.Empty() {
			var ext cryptobyte.String
			var oid asn1.ObjectIdentifier
			var value []byte
			if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) {
				return nil, malformed
			}
			if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.SkipASN1(cbasn1.BOOLEAN) {
				return nil, malformed
			}
			if !ext.ReadASN1Bytes(&value, cbasn1.OCTET_STRING) {
				return nil, malformed
			}
			if oid.Equal(OIDOCSPNonce) {
				req.nonce = value
			}
		}
	}
	return req, nil
}

// certIDFor computes the CertID of serial under issuer with the hash
// algorithm hashOID.
func certIDFor(issuer *x509.Certificate, serial *big.Int, hashOID asn1.ObjectIdentifier) (ocspCertID, error) {
	h, ok := newHash(hashOID)
	if !ok {
		return ocspCertID{}, fmt.Errorf("responder: unsupported CertID hash %v", hashOID)
	}
	h.Write(issuer.RawSubject)
	nameHash := h.Sum(nil)
	key, err := publicKeyBits(issuer)
	if err != nil {
		return ocspCertID{}, err
	}
	h.Reset()
	h.Write(key)
	return ocspCertID{hashOID: hashOID, nameHash: nameHash, keyHash: h.Sum(nil), serial: serial}, nil
}

// publicKeyBits returns the subjectPublicKey BIT STRING's bytes, which
// issuer key hashes and responder key hashes are computed over.
func publicKeyBits(c *x509.Certificate) ([]byte, error) {
	spki := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var inner cryptobyte.String
	var bits []byte
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.SkipASN1(cbasn1.SEQUENCE) || !inner.ReadASN1BitStringAsBytes(&bits) {
		return nil, errors.New("responder: malformed subjectPublicKeyInfo")
	}
	return bits, nil
}

func (id ocspCertID) matches(other ocspCertID) bool {
	return id.hashOID.Equal(other.hashOID) && bytes.Equal(id.nameHash, other.nameHash) && bytes.Equal(id.keyHash, other.keyHash)
}

// ocspAnswer is one signed OCSP response to encode.
type ocspAnswer struct {
	id         ocspCertID
	status     pki.CertStatus
	revokedAt  time.Time
	reason     pki.RevocationReason
	thisUpdate time.Time
	nextUpdate time.Time // zero: omitted
	producedAt time.Time
	nonce      []byte // extnValue to echo; nil: none

	signer   *Identity
	byKey    bool // responder ID by key hash rather than by name
	withCert bool // include the signer's certificate
	// corrupt flips a byte of the signature, as a forger would produce.
	corrupt bool
}

func addTime(b *cryptobyte.Builder, t time.Time) {
	b.AddASN1GeneralizedTime(t.UTC().Truncate(time.Second))
}

// encode builds the DER OCSPResponse (successful, basic).
func (a *ocspAnswer) encode() ([]byte, error) {
	var tbs cryptobyte.Builder
	var buildErr error
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if a.byKey {
			key, err := publicKeyBits(a.signer.Cert)
			if err != nil {
				buildErr = err
				return
			}
			sum := sha1.Sum(key)
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(sum[:])
			})
		} else {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(a.signer.Cert.RawSubject)
			})
		}
		addTime(b, a.producedAt)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(a.id.hashOID)
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(a.id.nameHash)
					b.AddASN1OctetString(a.id.keyHash)
					b.AddASN1BigInt(a.id.serial)
				})
				switch a.status {
				case pki.CertGood:
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				case pki.CertRevoked, pki.CertOnHold:
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						addTime(b, a.revokedAt)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1Enum(int64(a.reason))
						})
					})
				default:
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				addTime(b, a.thisUpdate)
				if !a.nextUpdate.IsZero() {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						addTime(b, a.nextUpdate)
					})
				}
			})
		})
		if a.nonce != nil {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(OIDOCSPNonce)
						b.AddASN1OctetString(a.nonce)
					})
				})
			})
		}
	})
	tbsDER, err := tbs.Bytes()
	if buildErr != nil {
		return nil, buildErr
	}
	if err != nil {
		return nil, fmt.Errorf("responder: encode OCSP response: %w", err)
	}
	sigOID, sig, err := signSHA256(a.signer.Key, tbsDER)
	if err != nil {
		return nil, err
	}
	if a.corrupt {
		sig[len(sig)/2] ^= 0x01
	}
	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(sigOID)
			if sigOID.Equal(oidSHA256WithRSA) {
				b.AddASN1NULL()
			}
		})
		b.AddASN1BitString(sig)
		if a.withCert {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddBytes(a.signer.Cert.Raw)
				})
			})
		}
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, fmt.Errorf("responder: encode OCSP response: %w", err)
	}
	var resp cryptobyte.Builder
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0) // successful
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	der, err := resp.Bytes()
	if err != nil {
		return nil, fmt.Errorf("responder: encode OCSP response: %w", err)
	}
	return der, nil
}

// signSHA256 signs data with SHA-256 and returns the algorithm's OID and
// the signature (PKCS #1 v1.5 for RSA, ASN.1 for ECDSA).
func signSHA256(key crypto.Signer, data []byte) (asn1.ObjectIdentifier, []byte, error) {
	var oid asn1.ObjectIdentifier
	switch key.Public().(type) {
	case *rsa.PublicKey:
		oid = oidSHA256WithRSA
	case *ecdsa.PublicKey:
		oid = oidECDSAWithSHA256
	default:
		return nil, nil, fmt.Errorf("responder: unsupported responder key %T", key.Public())
	}
	digest := sha256.Sum256(data)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("responder: sign OCSP response: %w", err)
	}
	return oid, sig, nil
}
