package service

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"math/big"

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// signatureKey identifies a signed package by the SHA-256 of its
// signature value, so that the same signature sent again — under another
// idempotency key, session or container layout — is recognised. An ECDSA
// value is made canonical first (r and the lower of s and n−s, fixed
// width): (r, n−s) verifies as well, and would otherwise pass for a new
// signature without the signer's key.
func signatureKey(rep *signer.Report) string {
	v := rep.SignatureValue
	if len(v) == 0 {
		return ""
	}
	if rep.Signer == nil {
		return ""
	}
	if pub, ok := rep.Signer.PublicKey.(*ecdsa.PublicKey); ok {
		var sig struct{ R, S *big.Int }
		n := pub.Curve.Params().N
		size := (n.BitLen() + 7) / 8
		if rest, err := asn1.Unmarshal(v, &sig); err == nil && len(rest) == 0 &&
			sig.R.Sign() > 0 && sig.S.Sign() > 0 && sig.R.Cmp(n) < 0 && sig.S.Cmp(n) < 0 {
			s := new(big.Int).Set(sig.S)
			if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
				s.Sub(n, s)
			}
			v = append(sig.R.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		}
	}
	sum := sha256.Sum256(v)
	return hex.EncodeToString(sum[:])
}

// alreadyReceived is the answer to a signature the service already
// holds for the procedure: 409 already-received, with the earlier
// arrival number only for the account that filed it. Anyone else — another
// account, or a request without a session, even for an application filed
// without one — learns neither its arrival nor its inquiry number.
func alreadyReceived(prev *applicationRow, acct *accountRow) *apiProblem {
	p := fail(submit.ReasonAlreadyReceived, "package: this signature was already received")
	if acct != nil && prev.Owner != "" && prev.Owner == acct.ID {
		p.Problem.ArrivalNumber = prev.Arrival
		m := reasonMessages[submit.ReasonAlreadyReceived]
		p = p.withMessage(m.ja+"到達番号は "+prev.Arrival+" です。", m.en+" Its arrival number is "+prev.Arrival+".")
	}
	return p
}
