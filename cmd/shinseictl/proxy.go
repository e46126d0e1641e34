package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// Proxy filing (代理申請) on the command line, two steps of sign:
//
//	the principal:  sign --power-of-attorney (--proxy NAME | --proxy-account ID) --procedure ID [--valid-until YYYY-MM-DD] --out POA.asice (--p12 FILE | --module PATH)
//	the proxy:      sign --proxy-for POA.asice --out PKG.asice (--p12 FILE | --module PATH) FORM [ATTACHMENT...]
//
// The first signs a power of attorney (委任状) into a package of its own;
// the second signs the principal's form as the proxy, carrying that
// package's signature beside the proxy's. flow checks before any PIN that
// the procedure allows a proxy and that the power of attorney's signer
// is the form's applicant, and that the power of attorney is within its
// validity (有効期限, --valid-until); the pre-check says whether the signer
// is the named proxy.

// proxyFlags are sign's flags for proxy filing.
type proxyFlags struct {
	poa          *bool
	proxy        *string
	proxyAccount *string
	procedure    *string
	validUntil   *string
	proxyFor     *string
}

func registerProxyFlags(fs *flag.FlagSet) proxyFlags {
	return proxyFlags{
		poa:          fs.Bool("power-of-attorney", false, "sign a power of attorney (委任状) as the principal, naming the proxy (--proxy or --proxy-account) and the procedure (--procedure), into --out POA.asice; no FORM"),
		proxy:        fs.String("proxy", "", "with --power-of-attorney: the proxy's `NAME` as in the proxy's certificate (e.g. \"佐藤　次郎\")"),
		proxyAccount: fs.String("proxy-account", "", "with --power-of-attorney: the proxy's user `ID` on the service (the proxy then submits logged in with it)"),
		procedure:    fs.String("procedure", "", "with --power-of-attorney: the procedure's `ID` (e.g. move-out-notification)"),
		validUntil: fs.String("valid-until", "", fmt.Sprintf("with --power-of-attorney: the last day `YYYY-MM-DD` the proxy may file with it, up to %d months ahead (default: %d months ahead)",
			submit.PowerOfAttorneyMaxMonths, submit.PowerOfAttorneyDefaultMonths)),
		proxyFor: fs.String("proxy-for", "", "sign FORM as the proxy, with the principal's power of attorney `POA.asice` (made by sign --power-of-attorney)"),
	}
}

// check refuses combinations that make no sense, before anything else.
func (p proxyFlags) check(operands []string) error {
	switch {
	case *p.poa && *p.proxyFor != "":
		return usageError("the principal signs the power of attorney (--power-of-attorney); the proxy signs the form with it (--proxy-for)", "sign: --power-of-attorney and --proxy-for together")
	case *p.poa && len(operands) > 0:
		return usageError("a power of attorney is written from --proxy and --procedure; give no FORM", "sign: --power-of-attorney takes no FORM")
	case *p.poa && (*p.proxy == "") == (*p.proxyAccount == ""):
		return usageError("name the proxy with --proxy NAME (as in the proxy's certificate) or --proxy-account ID, one of them", "sign: --power-of-attorney needs one of --proxy and --proxy-account")
	case *p.poa && *p.procedure == "":
		return usageError("name the procedure with --procedure ID", "sign: --power-of-attorney needs --procedure")
	case !*p.poa && (*p.proxy != "" || *p.proxyAccount != "" || *p.procedure != "" || *p.validUntil != ""):
		return usageError("--proxy, --proxy-account, --procedure and --valid-until go with --power-of-attorney", "sign: --proxy, --proxy-account, --procedure or --valid-until without --power-of-attorney")
	}
	if _, err := p.until(); err != nil {
		return usageError("give the last day as a date, e.g. --valid-until 2027-03-31", "sign: --valid-until %q is not a date YYYY-MM-DD", *p.validUntil)
	}
	return nil
}

// until is --valid-until as a date; the zero time (the default) without it.
func (p proxyFlags) until() (time.Time, error) {
	if *p.validUntil == "" {
		return time.Time{}, nil
	}
	return time.Parse(submit.DateLayout, *p.validUntil)
}

// signPowerOfAttorney signs the power of attorney (flow.SignPowerOfAttorney).
func (p proxyFlags) sign(ctx context.Context, app *flow.App, choice flow.CredentialChoice, out string, force, acceptIndeterminate bool, cb flow.Callbacks) (*flow.Signed, error) {
	until, _ := p.until() // checked by check
	return app.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: *p.procedure,
		Proxy: submit.ProxyRef{Name: *p.proxy, Account: *p.proxyAccount}, Credential: choice, Out: out,
		Overwrite: force, AcceptIndeterminate: acceptIndeterminate, ValidUntil: until}, cb)
}

// proxyView is what sign prints about a power of attorney: the one it
// wrote, or the one the application carries.
type proxyView struct {
	Procedure    string `json:"procedure"`
	Principal    string `json:"principal"`
	Proxy        string `json:"proxy,omitempty"`
	ProxyAccount string `json:"proxy_account,omitempty"`
	// ValidUntil is its last day (有効期限), YYYY-MM-DD.
	ValidUntil string `json:"valid_until,omitempty"`
}

// proxyViewOf describes signed's power of attorney; nil when it has none.
func proxyViewOf(signed *flow.Signed, written *submit.ProxyRef, procedure string) *proxyView {
	switch {
	case signed.PowerOfAttorney != nil:
		d := signed.PowerOfAttorney.Document
		return &proxyView{Procedure: d.Procedure, Principal: signed.PowerOfAttorney.Principal.Subject.String(),
			Proxy: d.Proxy.Name, ProxyAccount: d.Proxy.Account, ValidUntil: d.ValidUntil}
	case written != nil:
		v := &proxyView{Procedure: procedure, Principal: signed.Certificate.Subject.String(), Proxy: written.Name, ProxyAccount: written.Account}
		if signed.Written != nil {
			v.ValidUntil = signed.Written.ValidUntil
		}
		return v
	}
	return nil
}

// printProxy writes the human lines about v.
func printProxy(std *stdio, v *proxyView, wrote bool) {
	if v == nil {
		return
	}
	named := v.Proxy
	if named == "" {
		named = "account " + v.ProxyAccount
	}
	if wrote {
		fmt.Fprintf(std.out, "  power of attorney: %s may file %s for the signer, until %s\n", named, v.Procedure, v.ValidUntil)
		return
	}
	fmt.Fprintf(std.out, "  filed as proxy (%s) for %s, with the power of attorney for %s, valid until %s\n", named, v.Principal, v.Procedure, v.ValidUntil)
}
