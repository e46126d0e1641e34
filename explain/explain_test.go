package explain

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// coreSentinels names every exported sentinel error the core packages and
// flow declare, by "package.Name". TestEverySentinelIsNamedHere keeps it
// in step with their source, so a new sentinel cannot miss its row.
var coreSentinels = map[string]error{
	"flow.ErrNoService": flow.ErrNoService, "flow.ErrNoDataDir": flow.ErrNoDataDir, "flow.ErrNoCallback": flow.ErrNoCallback,
	"flow.ErrDeclined": flow.ErrDeclined, "flow.ErrPrecheckFailed": flow.ErrPrecheckFailed, "flow.ErrFormInvalid": flow.ErrFormInvalid,
	"flow.ErrNoCredential": flow.ErrNoCredential, "flow.ErrNoModule": flow.ErrNoModule, "flow.ErrWrongLevel": flow.ErrWrongLevel,
	"flow.ErrNoAccount": flow.ErrNoAccount, "flow.ErrPasswordTooShort": flow.ErrPasswordTooShort, "flow.ErrPasswordTooLong": flow.ErrPasswordTooLong,
	"flow.ErrPasswordUnusable": flow.ErrPasswordUnusable, "flow.ErrPasswordGuessable": flow.ErrPasswordGuessable, "flow.ErrUserType": flow.ErrUserType,
	"flow.ErrInputMissing": flow.ErrInputMissing, "flow.ErrInputNotRegular": flow.ErrInputNotRegular, "flow.ErrInputUnreadable": flow.ErrInputUnreadable,
	"flow.ErrFormEmpty": flow.ErrFormEmpty, "flow.ErrFormNotJSON": flow.ErrFormNotJSON, "flow.ErrOutDirMissing": flow.ErrOutDirMissing,
	"flow.ErrOutDirNotWritable": flow.ErrOutDirNotWritable, "flow.ErrOutExists": flow.ErrOutExists, "flow.ErrBatchNameTwice": flow.ErrBatchNameTwice,
	"flow.ErrNoSignatureCertificate": flow.ErrNoSignatureCertificate, "flow.ErrIndeterminate": flow.ErrIndeterminate,
	"flow.ErrAlreadyReceived": flow.ErrAlreadyReceived, "flow.ErrAlreadyFiled": flow.ErrAlreadyFiled, "submit.ErrNotAPI": submit.ErrNotAPI,
	"flow.ErrAlreadyProcessed": flow.ErrAlreadyProcessed, "flow.ErrNotApplicant": flow.ErrNotApplicant,
	"flow.ErrAmendmentNotRequested": flow.ErrAmendmentNotRequested, "flow.ErrCorrectionUnverified": flow.ErrCorrectionUnverified, "flow.ErrOriginalNotKept": flow.ErrOriginalNotKept,
	"flow.ErrNotQueued": flow.ErrNotQueued, "flow.ErrNoticeNotFound": flow.ErrNoticeNotFound, "flow.ErrSecondPrompt": flow.ErrSecondPrompt,
	"flow.ErrProxyNotAllowed": flow.ErrProxyNotAllowed, "flow.ErrPowerOfAttorneyInvalid": flow.ErrPowerOfAttorneyInvalid, "flow.ErrPrincipalNotApplicant": flow.ErrPrincipalNotApplicant,
	"flow.ErrPowerOfAttorneyExpired": flow.ErrPowerOfAttorneyExpired, "flow.ErrPowerOfAttorneyNotYetValid": flow.ErrPowerOfAttorneyNotYetValid, "flow.ErrValidUntilOutOfRange": flow.ErrValidUntilOutOfRange,

	"pkcs11.ErrModuleNotLoadable": pkcs11.ErrModuleNotLoadable, "pkcs11.ErrNoToken": pkcs11.ErrNoToken, "pkcs11.ErrAmbiguousToken": pkcs11.ErrAmbiguousToken,
	"pkcs11.ErrNotLoggedIn": pkcs11.ErrNotLoggedIn, "pkcs11.ErrPINIncorrect": pkcs11.ErrPINIncorrect, "pkcs11.ErrPINLocked": pkcs11.ErrPINLocked,
	"pkcs11.ErrPINFormat": pkcs11.ErrPINFormat, "pkcs11.ErrFinalTryNotConfirmed": pkcs11.ErrFinalTryNotConfirmed, "pkcs11.ErrCardRemoved": pkcs11.ErrCardRemoved,
	"pkcs11.ErrKeyNotFound": pkcs11.ErrKeyNotFound, "pkcs11.ErrNotProvisionable": pkcs11.ErrNotProvisionable, "pkcs11.ErrNoCertificate": pkcs11.ErrNoCertificate,

	"pcsc.ErrUnavailable": pcsc.ErrUnavailable, "pcsc.ErrNoReader": pcsc.ErrNoReader, "pcsc.ErrNoCard": pcsc.ErrNoCard, "pcsc.ErrNotJPKI": pcsc.ErrNotJPKI,

	"signer.ErrWrongPassword": signer.ErrWrongPassword, "signer.ErrNotPKCS12": signer.ErrNotPKCS12, "signer.ErrMalformed": signer.ErrMalformed,
	"signer.ErrTooLarge": signer.ErrTooLarge, "signer.ErrInvalidFile": signer.ErrInvalidFile,
	"flow.ErrNoTSA": flow.ErrNoTSA, "signer.ErrTSAUnreachable": signer.ErrTSAUnreachable, "signer.ErrTSABadReply": signer.ErrTSABadReply, "signer.ErrArchiveSealed": signer.ErrArchiveSealed,

	"certcheck.ErrNotPinned": certcheck.ErrNotPinned, "certcheck.ErrInvalidOptions": certcheck.ErrInvalidOptions, "certcheck.ErrVANotServing": certcheck.ErrVANotServing,
	"signer.ErrKeyMismatch": signer.ErrKeyMismatch, "submit.ErrInvalidAccountID": submit.ErrInvalidAccountID, "certcheck.ErrCRLSignerRevoked": certcheck.ErrCRLSignerRevoked, "certcheck.ErrCRLTooLarge": certcheck.ErrCRLTooLarge,
	"certcheck.ErrCRLNotFetchable": certcheck.ErrCRLNotFetchable, "certcheck.ErrCRLMalformed": certcheck.ErrCRLMalformed,
	"certcheck.ErrCRLSignature": certcheck.ErrCRLSignature, "certcheck.ErrCRLSigner": certcheck.ErrCRLSigner,
	"certcheck.ErrCRLStale": certcheck.ErrCRLStale, "certcheck.ErrCRLCritical": certcheck.ErrCRLCritical,
	"certcheck.ErrOCSPNotFetchable": certcheck.ErrOCSPNotFetchable, "certcheck.ErrOCSPUnreachable": certcheck.ErrOCSPUnreachable,
	"certcheck.ErrOCSPHTTPStatus": certcheck.ErrOCSPHTTPStatus, "certcheck.ErrOCSPTooLarge": certcheck.ErrOCSPTooLarge,
	"certcheck.ErrOCSPMalformed": certcheck.ErrOCSPMalformed, "certcheck.ErrOCSPResponseStatus": certcheck.ErrOCSPResponseStatus,
	"certcheck.ErrOCSPSignature": certcheck.ErrOCSPSignature, "certcheck.ErrOCSPUnauthorized": certcheck.ErrOCSPUnauthorized,
	"certcheck.ErrOCSPNotOCSPSigning": certcheck.ErrOCSPNotOCSPSigning, "certcheck.ErrOCSPResponderInvalid": certcheck.ErrOCSPResponderInvalid,
	"certcheck.ErrOCSPCertIDMismatch": certcheck.ErrOCSPCertIDMismatch, "certcheck.ErrOCSPNotYetValid": certcheck.ErrOCSPNotYetValid,
	"certcheck.ErrOCSPStale": certcheck.ErrOCSPStale, "certcheck.ErrOCSPNonce": certcheck.ErrOCSPNonce, "certcheck.ErrOCSPCritical": certcheck.ErrOCSPCritical,

	"identity.ErrNotJPKI": identity.ErrNotJPKI, "identity.ErrNotCorporate": identity.ErrNotCorporate, "identity.ErrMalformed": identity.ErrMalformed,
	"identity.ErrMissingAttribute": identity.ErrMissingAttribute, "identity.ErrBadBirthDate": identity.ErrBadBirthDate, "identity.ErrBadSex": identity.ErrBadSex,
	"identity.ErrBadFlags": identity.ErrBadFlags, "identity.ErrFlagsLength": identity.ErrFlagsLength,

	"submit.ErrBusy": submit.ErrBusy, "submit.ErrNoItem": submit.ErrNoItem, "submit.ErrUntrustedServer": submit.ErrUntrustedServer,
	"submit.ErrUnreachable": submit.ErrUnreachable, "submit.ErrBadReply": submit.ErrBadReply, "submit.ErrRefused": submit.ErrRefused,
	"submit.ErrNoKeyring": submit.ErrNoKeyring, "submit.ErrNotStored": submit.ErrNotStored, "submit.ErrSecretTooLarge": submit.ErrSecretTooLarge,
	"submit.ErrKept": submit.ErrKept, "submit.ErrNotForm": submit.ErrNotForm,

	"pades.ErrMalformed": pades.ErrMalformed, "pades.ErrTooLarge": pades.ErrTooLarge, "pades.ErrEncrypted": pades.ErrEncrypted,
	"pades.ErrActiveContent": pades.ErrActiveContent, "pades.ErrNoSignature": pades.ErrNoSignature, "pades.ErrByteRange": pades.ErrByteRange, "pades.ErrBox": pades.ErrBox, "pades.ErrText": pades.ErrText,
}

// corePackages are the folders whose sentinels the table must explain.
var corePackages = []string{"flow", "pkcs11", "pcsc", "signer", "certcheck", "identity", "submit", "pades"}

// declaredSentinels reads the exported Err… variables the packages'
// non-test sources declare, as "package.Name".
func declaredSentinels(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, dir := range corePackages {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no sources in %s: %v", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if strings.HasPrefix(n.Name, "Err") && n.IsExported() {
							names = append(names, f.Name.Name+"."+n.Name)
						}
					}
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

func TestEverySentinelIsNamedHere(t *testing.T) {
	declared := declaredSentinels(t)
	if len(declared) < 50 {
		t.Fatalf("found only %d sentinels in the core sources; is the layout as expected?", len(declared))
	}
	for _, n := range declared {
		if _, ok := coreSentinels[n]; !ok {
			t.Errorf("%s is declared but not named in coreSentinels: add it there and give it a row", n)
		}
	}
	if len(coreSentinels) != len(declared) {
		t.Errorf("coreSentinels names %d errors, the sources declare %d", len(coreSentinels), len(declared))
	}
}

func TestEverySentinelOfTheCoreHasItsOwnRow(t *testing.T) {
	for name, err := range coreSentinels {
		found := false
		for _, r := range sentinels {
			found = found || r.err == err
		}
		if !found {
			t.Errorf("%s has no row in the table", name)
		}
	}
}

// checkEntry fails when an entry lacks a language, a hint or a valid
// exit class.
func checkEntry(t *testing.T, what string, e Entry) {
	t.Helper()
	complete := func(x i18n.Text) bool { return strings.TrimSpace(x.Ja) != "" && strings.TrimSpace(x.En) != "" }
	if !complete(e.Message) {
		t.Errorf("%s: the message lacks a language: %+v", what, e.Message)
	}
	if !complete(e.Hint) {
		t.Errorf("%s: the hint lacks a language: %+v", what, e.Hint)
	}
	if !e.Command.IsZero() && !complete(e.Command) {
		t.Errorf("%s: the command line's hint lacks a language: %+v", what, e.Command)
	}
	if e.Class < Negative || e.Class > Indeterminate {
		t.Errorf("%s: exit class %d is not one of the contract's failures (1–4)", what, e.Class)
	}
}

func TestEveryRowHasBothLanguagesAHintAndAnExitClass(t *testing.T) {
	for _, r := range sentinels {
		e := Of(r.err)
		if r.err == flow.ErrAlreadyReceived || r.err == flow.ErrAlreadyFiled {
			// The outcomes that are no failure: nothing was filed twice
			// because the package was already received — by the journal's
			// record, or by the service's answer (the promise kept), exit 0.
			if e.Class != Done {
				t.Errorf("an already received package is exit class %d, want 0", e.Class)
			}
			e.Class = Negative
		}
		checkEntry(t, r.err.Error(), e)
	}
	for reason, h := range reasonHints {
		checkEntry(t, string(reason), Entry{Class: Negative, Message: i18n.Text{Ja: "x", En: "x"}, Hint: h.hint, Command: h.cmd})
	}
	for reason, e := range certReasons {
		checkEntry(t, string(reason), Entry{Class: Negative, Message: e.msg, Hint: e.hint})
	}
}

// typedSamples are one value of every typed error the table words.
var typedSamples = []struct {
	name  string
	err   error
	class Class
}{
	{"a wrong PIN with tries left", &pkcs11.PINError{Status: pkcs11.PINStatus{TriesLeft: 4}}, Negative},
	{"a wrong PIN that locked the card", &pkcs11.PINError{Status: pkcs11.PINStatus{Locked: true}}, Negative},
	{"a wrong PIN whose tries left the card did not tell", &pkcs11.PINError{Status: pkcs11.PINStatus{CountLow: true, TriesLeft: -1}}, Negative},
	{"a red pre-check", &flow.PrecheckError{Precheck: &flow.Precheck{}}, Negative},
	{"an incomplete form", &flow.FormError{Problems: []flow.FieldProblem{{Field: "purpose", Message: i18n.Text{Ja: "目的がありません。", En: "No purpose."}}}}, Usage},
	{"an unsigned form for a signature procedure", &flow.LevelError{Procedure: "p", Level: submit.LevelSignature}, Usage},
	{"an application refused for good", &submit.SendError{Refused: true, Err: &submit.ProblemError{Status: 422, Problem: submit.Problem{Reason: submit.ReasonFormInvalid}}}, Negative},
	{"an application kept after a lost reply", &submit.SendError{Err: submit.ErrBadReply}, Indeterminate},
	{"an application kept while the service is unreachable", &submit.SendError{Err: submit.ErrUnreachable}, Environment},
	{"an application whose whole upload went out and whose reply was cut", &submit.SendError{Err: &submit.NetError{Op: "request", Sent: true, Err: io.ErrUnexpectedEOF}}, Indeterminate},
	{"an application whose connection was refused", &submit.SendError{Err: &submit.NetError{Op: "request", Err: io.ErrUnexpectedEOF}}, Environment},
	{"an application kept before it was sent, after a lost reply of another request", &submit.SendError{NotSent: true, Err: &submit.NetError{Op: "request", Sent: true, Err: io.ErrUnexpectedEOF}}, Environment},
	{"an untrusted server", &submit.TLSError{Failure: submit.TLSUnknownAuthority}, Negative},
	{"a server of another host name", &submit.TLSError{Failure: submit.TLSHostMismatch}, Negative},
	{"a refusal whose certificate status is unknown", &submit.ProblemError{Status: 422, Problem: submit.Problem{Reason: submit.ReasonCertificateUnknown}}, Indeterminate},
	{"a rate limit", &submit.ProblemError{Status: 429, RetryAfter: 30 * time.Second, Problem: submit.Problem{Reason: submit.ReasonRateLimited}}, Environment},
	{"an account locked for a while", &submit.ProblemError{Status: 423, RetryAfter: 61 * time.Second, Problem: submit.Problem{Reason: submit.ReasonAccountLocked}}, Negative},
	{"a failure of the service", &submit.ProblemError{Status: 503}, Environment},
	{"a revoked certificate", &certcheck.Error{Reason: certcheck.ReasonRevoked}, Negative},
	{"a revocation status that could not be obtained", &certcheck.Error{Reason: certcheck.ReasonRevocationUnknown}, Indeterminate},
}

func TestTypedErrorsAreWordedByWhatTheyCarry(t *testing.T) {
	for _, c := range typedSamples {
		t.Run(c.name, func(t *testing.T) {
			e := Of(&flow.Error{Op: "op", Err: c.err})
			if e.Class != c.class {
				t.Errorf("class %d, want %d", e.Class, c.class)
			}
			if e == unknown {
				t.Error("explained as an unknown error")
			}
			checkEntry(t, c.name, e)
		})
	}
}

func TestAPackageAlreadyReceivedIsExitZeroAndNamesItsArrivalNumber(t *testing.T) {
	e := Of(&flow.Error{Op: "submit", Err: &flow.AlreadyReceivedError{Record: submit.Record{ArrivalNumber: "2026120400000001"}}})
	if e.Class != Done {
		t.Errorf("class %d, want 0: nothing was filed twice", e.Class)
	}
	if !strings.Contains(e.Message.Ja, "2026120400000001") || !strings.Contains(e.Message.En, "2026120400000001") {
		t.Errorf("the message does not name the arrival number: %+v", e.Message)
	}
	if e.Command.IsZero() || e.Hint.IsZero() {
		t.Errorf("no hint: %+v", e)
	}
}

func TestAnUnknownErrorAsksToTryAgainAndNamesTheHelpDesk(t *testing.T) {
	e := Of(errors.New("something else"))
	if e.Class != Environment || !strings.Contains(e.Hint.Ja, "ヘルプデスク") || !strings.Contains(e.Hint.En, "help desk") {
		t.Errorf("unknown error: %+v", e)
	}
	if Of(nil) != (Entry{}) {
		t.Error("nil is explained")
	}
	if Of(fs.ErrNotExist) == unknown || Of(context.Canceled) == unknown {
		t.Error("a standard error has no row")
	}
}

func TestALockedAccountWithRetryAfterSaysHowManyMinutesToWait(t *testing.T) {
	e := Of(&flow.Error{Op: "login", Err: &submit.ProblemError{Status: 423, RetryAfter: 61 * time.Second,
		Problem: submit.Problem{Reason: submit.ReasonAccountLocked}}})
	if e.Class != Negative {
		t.Errorf("class %d, want 1", e.Class)
	}
	if !strings.Contains(e.Hint.Ja, "2分ほど待って") || !strings.Contains(e.Command.En, "locked for 2 min") {
		t.Errorf("the hint does not say to wait 2 minutes: %+v %+v", e.Hint, e.Command)
	}
	if !strings.Contains(e.Command.En, "--reset-password") {
		t.Errorf("the command-line hint does not name the reset: %+v", e.Command)
	}
	without := Of(&flow.Error{Op: "login", Err: &submit.ProblemError{Status: 423, Problem: submit.Problem{Reason: submit.ReasonAccountLocked}}})
	if strings.Contains(without.Hint.Ja, "分ほど") {
		t.Errorf("a lock without Retry-After names minutes: %+v", without.Hint)
	}
}
