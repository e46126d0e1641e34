package flow

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// A JPKI signature certificate holds the holder's name, address, sex and
// date of birth, so it is kept only in the OS keyring: under the service
// name CertKeyringService, one entry per token ("sig:" + serial + ":" +
// label) holding "v1:<unix time>:" and the base64 of the deflated DER,
// and an index entry listing the tokens. Windows' limit of 2560 bytes a
// secret holds a compressed RSA-2048 certificate with room to spare; one
// that does not fit is not kept.

// CertKeyringService is the keyring service name under which signature
// certificates read from tokens are kept.
const CertKeyringService = "shinsei-certificates"

const (
	keptIndexUser = "index"
	keptPrefix    = "v1:"
)

type keptKey struct {
	Label  string `json:"label"`
	Serial string `json:"serial"`
}

func (k keptKey) user() string { return "sig:" + k.Serial + ":" + k.Label }

// keyringCall runs fn against the keyring, bounded by ctx and
// submit.KeyringTimeout (a keyring that shows an unlock prompt nobody
// answers must not hang the use case).
func keyringCall(ctx context.Context, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, submit.KeyringTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return &Error{Op: "keyring", Err: fmt.Errorf("did not answer: %w: %w", submit.ErrNoKeyring, ctx.Err())}
	}
}

// keepCertificate keeps cert in the keyring for the token.
func (a *App) keepCertificate(ctx context.Context, label, serial string, cert *x509.Certificate) error {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(cert.Raw)
	w.Close()
	secret := keptPrefix + strconv.FormatInt(a.now().Unix(), 10) + ":" + base64.RawStdEncoding.EncodeToString(buf.Bytes())
	if len(secret) > submit.MaxSecret {
		return &Error{Op: "keep certificate", Err: submit.ErrSecretTooLarge}
	}
	k := keptKey{Label: label, Serial: serial}
	if err := keyringCall(ctx, func() error { return a.store.Set(CertKeyringService, k.user(), secret) }); err != nil {
		return &Error{Op: "keep certificate", Err: err}
	}
	return a.updateKeptIndex(ctx, func(idx []keptKey) []keptKey {
		if slices.Contains(idx, k) {
			return idx
		}
		return append(idx, k)
	})
}

// keptCertificate returns the certificate kept for the token, or nil.
func (a *App) keptCertificate(ctx context.Context, label, serial string) (*KeptCertificate, error) {
	k := keptKey{Label: label, Serial: serial}
	var secret string
	err := keyringCall(ctx, func() (err error) { secret, err = a.store.Get(CertKeyringService, k.user()); return err })
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, &Error{Op: "kept certificate", Err: err}
	}
	cert, at, err := decodeKept(secret)
	if err != nil {
		return nil, nil // unreadable: as if none was kept
	}
	return &KeptCertificate{TokenLabel: label, TokenSerial: serial, Cert: cert, KeptAt: at}, nil
}

func decodeKept(secret string) (*x509.Certificate, time.Time, error) {
	rest, ok := strings.CutPrefix(secret, keptPrefix)
	if !ok {
		return nil, time.Time{}, errors.New("unknown format")
	}
	ts, b64, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, time.Time{}, errors.New("unknown format")
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, time.Time{}, err
	}
	z, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return nil, time.Time{}, err
	}
	der, err := iox.ReadAll(flate.NewReader(bytes.NewReader(z)), 64<<10)
	if err != nil {
		return nil, time.Time{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, time.Time{}, err
	}
	return cert, time.Unix(unix, 0), nil
}

// keptCertificates lists every certificate kept, by the index.
func (a *App) keptCertificates(ctx context.Context) ([]KeptCertificate, error) {
	idx, err := a.keptIndex(ctx)
	if err != nil {
		return nil, err
	}
	var out []KeptCertificate
	for _, k := range idx {
		kc, err := a.keptCertificate(ctx, k.Label, k.Serial)
		if err != nil {
			return out, err
		}
		if kc != nil {
			out = append(out, *kc)
		}
	}
	return out, nil
}

// ForgetCertificate removes the signature certificate kept in the keyring
// for the token; none kept is not an error.
func (a *App) ForgetCertificate(ctx context.Context, label, serial string) error {
	k := keptKey{Label: label, Serial: serial}
	err := keyringCall(ctx, func() error { return a.store.Delete(CertKeyringService, k.user()) })
	if err != nil && !notFound(err) {
		return &Error{Op: "forget certificate", Err: err}
	}
	return a.updateKeptIndex(ctx, func(idx []keptKey) []keptKey {
		return slices.DeleteFunc(idx, func(x keptKey) bool { return x == k })
	})
}

func (a *App) keptIndex(ctx context.Context) ([]keptKey, error) {
	var secret string
	err := keyringCall(ctx, func() (err error) { secret, err = a.store.Get(CertKeyringService, keptIndexUser); return err })
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, &Error{Op: "kept certificates", Err: err}
	}
	var idx []keptKey
	if json.Unmarshal([]byte(secret), &idx) != nil {
		return nil, nil
	}
	return idx, nil
}

func (a *App) updateKeptIndex(ctx context.Context, change func([]keptKey) []keptKey) error {
	idx, err := a.keptIndex(ctx)
	if err != nil {
		return err
	}
	idx = change(idx)
	data, _ := json.Marshal(idx)
	if len(idx) == 0 {
		err = keyringCall(ctx, func() error { return a.store.Delete(CertKeyringService, keptIndexUser) })
		if notFound(err) {
			err = nil
		}
	} else {
		err = keyringCall(ctx, func() error { return a.store.Set(CertKeyringService, keptIndexUser, string(data)) })
	}
	if err != nil {
		return &Error{Op: "kept certificates", Err: err}
	}
	return nil
}

// notFound reports a keyring's "no such entry", whatever the store says
// it with.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, keyring.ErrNotFound) || errors.Is(err, submit.ErrNotStored) {
		return true
	}
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "not found") || strings.Contains(s, "not stored")
}
