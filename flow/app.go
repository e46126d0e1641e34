package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// Config is what an App needs to know about the computer, the service and
// the trust it places in certificates. The zero value of every optional
// field is a safe default.
type Config struct {
	// ServiceURL is the shared service, "https://host[:port]". Empty means
	// no service: finding credentials, forms, pre-checks (without the
	// service's lines) and verifying a notice file still work; the use
	// cases that talk to the service fail with ErrNoService.
	ServiceURL string
	// ServiceAnchors are the authorities trusted for the service's TLS
	// certificate: the LGPKI application CA's root, a private CA, …
	ServiceAnchors []*x509.Certificate
	// ServiceSystemRoots also trusts the operating system's roots for the
	// service (a service certificate from a public CA).
	ServiceSystemRoots bool
	// ServiceVA is the certificate that signs the answers of the service's
	// validation authority (its /ocsp endpoint), trusted directly. With
	// it, the revocation of a JPKI certificate is asked there and the
	// signed answer verified. Without it, the VA the service's catalogue
	// announces (GET /trust) is used the same way, and when the
	// catalogue names none, the service's /validation endpoint is asked
	// over the authenticated TLS connection.
	ServiceVA *x509.Certificate
	// TSAURL is the RFC 3161 time-stamp authority asked for a
	// signature-time-stamp right after signing and at submit; empty means
	// the one the service's catalogue announces, if any.
	TSAURL string
	// Proxy chooses a proxy per request; nil uses HTTPS_PROXY/NO_PROXY.
	Proxy func(*http.Request) (*url.URL, error)
	// Timeout bounds each request to the service; zero means
	// submit.DefaultTimeout.
	Timeout time.Duration

	// Module is the PKCS#11 module's path; empty means every known module
	// found on this computer (pkcs11.FindModules).
	Module string
	// Libraries are PKCS#11 libraries the caller opened itself (a fake
	// module in tests, a library shared with another part of the
	// program). When set they are used instead of Module, and Close
	// leaves them open.
	Libraries []*pkcs11.Library
	// TriesReader reads the exact tries left of a My Number card's PIN
	// without spending one; nil means pcsc.JPKITries.
	TriesReader pkcs11.TriesReader
	// NoModules uses no PKCS#11 module at all, whatever Module and
	// Libraries say: only certificate files can sign. The sandbox sets it
	// on a computer without SoftHSM, so that its practice shows neither a
	// missing-module warning nor a real card its PKI does not trust.
	NoModules bool
	// SuggestedFiles are certificate files (.p12) that FindCredentials
	// offers next to the tokens, so the user need not browse for them
	// (the sandbox's practice certificate). Those that do not exist are
	// left out.
	SuggestedFiles []CredentialFile

	// DataDir holds the outbox, the receipts journal (receipts.jsonl),
	// signed packages (signed/) and downloaded notices (notices/).
	// Required by Sign, Submit and everything that reads receipts.
	DataDir string

	// TrustAnchors are the roots signers' certificates are checked
	// against: the JPKI roots (pinned), the registrar certificates, LGPKI,
	// private CAs the user configured. Without them, a pre-check uses the
	// signer anchors (and intermediates) the service's catalogue
	// announces (GET /trust), read over the TLS connection
	// ServiceAnchors authenticate.
	TrustAnchors []*x509.Certificate
	// Intermediates may help to build certificate paths.
	Intermediates []*x509.Certificate
	// RevocationCacheDir keeps fetched CRLs and OCSP answers across runs;
	// empty keeps them in memory only.
	RevocationCacheDir string
	// Offline forbids fetching CRLs and asking OCSP responders named in
	// certificates; the service itself is still asked.
	Offline bool

	// Lang is the user's language, the default for texts the App renders
	// itself; every Text carries both languages anyway.
	Lang i18n.Lang

	// Keyring keeps account passwords, session tokens and signature
	// certificates read from cards; nil means the OS keyring
	// (submit.OSKeyring). Nothing of the kind is ever written to a plain
	// file.
	Keyring submit.Store
	// DoNotKeepCertificates stops Sign from keeping a card's signature
	// certificate in the keyring (so the next pre-check would need the
	// PIN again).
	DoNotKeepCertificates bool
	// NoPrecheck has Register and LoginWithCertificate use the credential
	// without pre-checking its certificate or asking Callbacks.ConfirmSign:
	// the service verifies the signed request anyway. It is for a caller
	// that holds no trust anchors for signers, such as the command line
	// (whose check command pre-checks a certificate on request). Sign
	// and SignFiles always pre-check.
	NoPrecheck bool

	// Retry bounds the sending attempts of one Submit; zero means
	// submit.DefaultRetry.
	Retry submit.RetryPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// App holds what the use cases share: the service's client, the keyring
// credentials, the outbox and the receipts journal, the PKCS#11 libraries
// and the revocation sources. It holds no global state; make it with Open
// and Close it when done. Its methods are safe for concurrent use, but a
// token is used by one signature at a time.
type App struct {
	cfg     Config
	store   submit.Store
	client  *submit.Client      // nil without a service
	creds   *submit.Credentials // nil without a service
	outbox  *submit.Outbox      // nil without a data directory
	journal *submit.Journal     // nil without a data directory
	own     []*pkcs11.Library   // libraries Open opened, closed by Close
	libs    []libraryEntry      // every library used, in order
	libErrs []libraryProblem    // modules that could not be loaded
	libMu   sync.Mutex          // guards libs, libErrs and own
	revoc   *revocationSources  // built on first use
	revocMu sync.Mutex
	closed  bool
	closeMu sync.Mutex
	// entered holds the logins made with a password typed for this use
	// (SubmitRequest.EnterPassword, StatusQuery.EnterPassword), by account.
	entered   map[string]enteredLogin
	enteredMu sync.Mutex

	// trust is what the service's catalogue announces (serviceTrust),
	// asked once.
	trust      *submit.ServiceTrust
	trustAsked bool
	trustMu    sync.Mutex

	// card is where a My Number card's signature token was last opened
	// for a login (token_memo.go); nil when none is known.
	card   *knownCard
	cardMu sync.Mutex
	// pcsc is the PC/SC context the default tries reader reads the cards
	// through, kept between readings (pcsc.Kept).
	pcsc pcsc.Kept

	// probeHC is the client of the pre-check's look at the service
	// (probe.go), made on first use; its connection is kept between
	// looks.
	probeHC *http.Client
	probeMu sync.Mutex
}

// libraryEntry is a PKCS#11 library with the module it was opened from.
type libraryEntry struct {
	path, name string
	lib        *pkcs11.Library
}

// libraryProblem is a module that could not be loaded.
type libraryProblem struct {
	path string
	err  error
}

// Open makes an App from cfg: the service's client and keyring
// credentials when a service is configured, the outbox and journal when a
// data directory is. PKCS#11 modules are loaded on first use. The context
// bounds nothing here yet but is kept for symmetry with the use cases.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, store: cfg.Keyring}
	if a.store == nil {
		a.store = submit.OSKeyring{}
	}
	if cfg.ServiceURL != "" {
		c, err := submit.New(submit.Config{BaseURL: cfg.ServiceURL, Anchors: cfg.ServiceAnchors,
			UseSystemRoots: cfg.ServiceSystemRoots, Proxy: cfg.Proxy, Timeout: cfg.Timeout, UserAgent: "shinsei"})
		if err != nil {
			return nil, &Error{Op: "service", Err: err}
		}
		creds, err := submit.NewCredentials(a.store, c.BaseURL())
		if err != nil {
			return nil, &Error{Op: "keyring", Err: err}
		}
		a.client, a.creds = c, creds
	}
	if cfg.DataDir != "" {
		// OpenOutbox makes the data directory (mode 0700) as it makes the
		// outbox in it.
		ob, err := submit.OpenOutbox(cfg.DataDir)
		if err != nil {
			return nil, &Error{Op: "outbox", Err: err}
		}
		j, err := submit.OpenJournal(filepath.Join(cfg.DataDir, JournalName))
		if err != nil {
			return nil, &Error{Op: "journal", Err: err}
		}
		a.outbox, a.journal = ob, j
	}
	return a, nil
}

// JournalName is the receipts journal's file name inside the data
// directory, the same as the command line's.
const JournalName = "receipts.jsonl"

// Close releases the PKCS#11 libraries the App loaded and the client's
// idle connections. It is idempotent.
func (a *App) Close() error {
	a.closeMu.Lock()
	defer a.closeMu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	a.enteredMu.Lock()
	clear(a.entered) // the typed passwords and sessions
	a.enteredMu.Unlock()
	var errs []error
	for _, l := range a.own {
		errs = append(errs, l.Close())
	}
	if a.client != nil {
		a.client.CloseIdleConnections()
	}
	a.closeProbeClient()
	errs = append(errs, a.pcsc.Close())
	return errors.Join(errs...)
}

// Config returns the configuration the App was opened with.
func (a *App) Config() Config { return a.cfg }

// Client returns the service's client, or nil when no service is
// configured.
func (a *App) Client() *submit.Client { return a.client }

// Lang returns the configured language (Japanese unless English was
// asked for).
func (a *App) Lang() i18n.Lang {
	if a.cfg.Lang == i18n.English {
		return i18n.English
	}
	return i18n.Japanese
}

// Outbox returns the outbox, or nil without a data directory.
func (a *App) Outbox() *submit.Outbox { return a.outbox }

// Journal returns the receipts journal, or nil without a data directory.
func (a *App) Journal() *submit.Journal { return a.journal }

func (a *App) now() time.Time {
	if a.cfg.Now != nil {
		return a.cfg.Now()
	}
	return time.Now()
}

func (a *App) needService() error {
	if a.client == nil {
		return ErrNoService
	}
	return nil
}

func (a *App) needDataDir() error {
	if a.outbox == nil {
		return ErrNoDataDir
	}
	return nil
}
