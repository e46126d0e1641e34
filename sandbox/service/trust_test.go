package service

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

func TestTheCatalogueAnnouncesTheSignerAnchorsAndTheValidationAuthorityTheServiceUses(t *testing.T) {
	e := newSvcEnv(t)
	var got submit.Trust
	e.do(testRequest{method: http.MethodGet, path: "/trust"}).decode(t, &got)
	p := e.creds.pki
	want := [][]byte{p.JPKISign.Cert.Raw, p.JPKISignOld.Cert.Raw, p.Registrar.Cert.Raw, p.LGPKIRoot.Cert.Raw}
	if len(got.SignerAnchors) != len(want) {
		t.Fatalf("%d signer anchors, want %d", len(got.SignerAnchors), len(want))
	}
	for i := range want {
		if !bytes.Equal(got.SignerAnchors[i], want[i]) {
			t.Errorf("signer anchor %d is not the service's", i)
		}
	}
	for _, der := range got.SignerAnchors {
		if bytes.Equal(der, p.Private.Cert.Raw) {
			t.Error("the private CA, which the service does not accept, is announced")
		}
	}
	va := got.ValidationAuthority
	if va == nil || va.OCSPPath != submit.APIPrefix+"/ocsp" || !bytes.Equal(va.Certificate, e.svc.VACert().Raw) {
		t.Fatalf("validation authority %+v", va)
	}

	// The client reads the same, and reaches the VA at the announced path.
	c, err := submit.New(submit.Config{BaseURL: e.svc.URL(), Anchors: []*x509.Certificate{e.svc.CACert()}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Trust(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.SignerAnchors) != len(want) || !st.VA.Equal(e.svc.VACert()) || st.VAPath != va.OCSPPath || len(st.Intermediates) != 2 {
		t.Errorf("client's trust %+v", st)
	}
	if got.TimestampAuthority != nil || st.TSAURL != "" {
		t.Errorf("a service configured without a time-stamp authority announces %+v", got.TimestampAuthority)
	}
}

func TestTheCatalogueAnnouncesTheTimestampAuthorityBesideTheValidationAuthority(t *testing.T) {
	const tsa = "http://127.0.0.1:9/tsa"
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = tsa })
	var got submit.Trust
	e.do(testRequest{method: http.MethodGet, path: "/trust"}).decode(t, &got)
	if got.TimestampAuthority == nil || got.TimestampAuthority.URL != tsa || got.ValidationAuthority == nil {
		t.Fatalf("announced %+v beside %+v", got.TimestampAuthority, got.ValidationAuthority)
	}
	c, err := submit.New(submit.Config{BaseURL: e.svc.URL(), Anchors: []*x509.Certificate{e.svc.CACert()}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Trust(context.Background())
	if err != nil || st.TSAURL != tsa {
		t.Fatalf("the client reads %q, %v", st.TSAURL, err)
	}
}
