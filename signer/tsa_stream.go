package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// CheckTimestampStream checks token, an RFC 3161 time-stamp token, over
// the bytes of content, read once and hashed as they stream with the
// token's imprint algorithm: as a signature-time-stamp is checked, the
// token intact (ReasonTimestampInvalid), its imprint
// (ReasonTimestampImprintMismatch), its authority's id-kp-timeStamping
// (ReasonTimestampNotTSA) and path to opts.Roots and opts.TSARoots at the
// time at (ReasonTimestampUntrusted). It is how a PDF's document
// time-stamp is verified. The certificate returned is the authority's,
// when the token carries it. The error is content's, or ctx's.
func CheckTimestampStream(ctx context.Context, token []byte, content io.Reader, opts VerifyOptions, at time.Time) (TimestampResult, *x509.Certificate, error) {
	res, err := checkTimestampOver(token, func(h crypto.Hash) ([]byte, error) {
		hh := h.New()
		if _, err := io.Copy(hh, iox.WithContext(ctx, content)); err != nil {
			return nil, err
		}
		return hh.Sum(nil), nil
	}, opts, at)
	if err != nil {
		return res, nil, err
	}
	var cert *x509.Certificate
	if p7, perr := pkcs7.Parse(token); perr == nil {
		cert = p7.GetOnlySigner()
	}
	return res, cert, nil
}
