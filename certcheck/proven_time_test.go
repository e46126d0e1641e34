package certcheck_test

import (
	"context"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// revokedSource says every certificate was revoked at a given time.
type revokedSource struct{ at time.Time }

func (s revokedSource) Check(_ context.Context, _ certcheck.Query) (certcheck.Revocation, bool) {
	return certcheck.Revocation{Status: certcheck.StatusRevoked, Reason: "keyCompromise", RevokedAt: s.at, Source: "crl"}, true
}

func TestCheckJudgesRevocationAtTheTimeChecked(t *testing.T) {
	p, err := pki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := p.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	revokedAt := time.Now().Add(-24 * time.Hour)
	opts := certcheck.Options{Roots: p.Roots(), Intermediates: leaf.Intermediates, Sources: []certcheck.Source{revokedSource{revokedAt}}}
	tests := []struct {
		name    string
		at      time.Time
		outcome certcheck.Outcome
	}{
		{"a certificate checked an hour before its revocation is good", revokedAt.Add(-time.Hour), certcheck.Good},
		{"a certificate checked an hour after its revocation is revoked", revokedAt.Add(time.Hour), certcheck.Bad},
		{"a certificate checked now, after its revocation, is revoked", time.Time{}, certcheck.Bad},
		{"a certificate checked at the very time of its revocation is revoked", revokedAt, certcheck.Bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			o.At = tt.at
			res := certcheck.Check(context.Background(), leaf.Cert, o)
			if res.Outcome != tt.outcome {
				t.Fatalf("got %s %s (%s), want %s; path %+v", res.Outcome, res.Reason, res.Detail, tt.outcome, res.Path)
			}
			if tt.outcome == certcheck.Good && res.Path[0].Revocation.Detail == "" {
				t.Fatal("a revocation after the time checked should be said in the detail")
			}
		})
	}
	t.Run("a revocation without a date stands at any time", func(t *testing.T) {
		o := opts
		o.Sources = []certcheck.Source{revokedSource{}}
		o.At = revokedAt.Add(-time.Hour)
		if res := certcheck.Check(context.Background(), leaf.Cert, o); res.Outcome != certcheck.Bad {
			t.Fatalf("got %s, want bad", res.Outcome)
		}
	})
}
