package testenv

import (
	"crypto/x509"
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// WineVersion is the version of Wine the process runs under (ntdll's
// wine_get_version), or "" on Windows itself.
func WineVersion() string {
	p := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if p.Find() != nil {
		return ""
	}
	r, _, _ := p.Call()
	if r == 0 {
		return ""
	}
	// r is the address of a static string in ntdll.
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r)))
}

// ThrowawayWineUser skips the calling test unless it runs under Wine, in
// the throwaway prefix of scripts/wine-test: the test changes a store of
// the Windows user that Windows itself guards with a confirmation (the
// user's ROOT certificate store), so it never runs on Windows.
func ThrowawayWineUser(tb testing.TB) {
	tb.Helper()
	ThrowawayWindowsUser(tb)
	if WineVersion() == "" {
		tb.Skip("changes the user's ROOT certificate store, which Windows guards with a confirmation; runs only under Wine (scripts/wine-test)")
	}
}

// TrustInUsersRootStore adds cert to the current user's ROOT certificate
// store for the rest of the calling test, and removes it when the test
// ends. That store is where Go's Windows verifier (x509.SystemCertPool,
// CertGetCertificateChain) finds its trust anchors. It skips the test
// unless ThrowawayWineUser lets it run.
func TrustInUsersRootStore(tb testing.TB, cert *x509.Certificate) {
	tb.Helper()
	ThrowawayWineUser(tb)
	remove, err := AddUsersRoot(cert)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := remove(); err != nil {
			tb.Error(err)
		}
	})
}

// AddUsersRoot adds cert to the current user's ROOT certificate store
// (CertOpenSystemStore "ROOT", CertAddCertificateContextToStore) and
// returns the function that removes it again. The caller makes sure the
// store may be changed (ThrowawayWineUser).
func AddUsersRoot(cert *x509.Certificate) (remove func() error, err error) {
	ctx, err := windows.CertCreateCertificateContext(windows.X509_ASN_ENCODING|windows.PKCS_7_ASN_ENCODING, &cert.Raw[0], uint32(len(cert.Raw)))
	if err != nil {
		return nil, fmt.Errorf("CertCreateCertificateContext: %w", err)
	}
	defer windows.CertFreeCertificateContext(ctx)
	err = withUsersRoot(func(store windows.Handle) error {
		return windows.CertAddCertificateContextToStore(store, ctx, windows.CERT_STORE_ADD_REPLACE_EXISTING, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("adding %q to the user's ROOT store: %w", cert.Subject, err)
	}
	return func() error { return RemoveUsersRoot(cert) }, nil
}

// RemoveUsersRoot deletes cert from the current user's ROOT store; it
// fails when cert is not there.
func RemoveUsersRoot(cert *x509.Certificate) error {
	ctx, err := windows.CertCreateCertificateContext(windows.X509_ASN_ENCODING|windows.PKCS_7_ASN_ENCODING, &cert.Raw[0], uint32(len(cert.Raw)))
	if err != nil {
		return fmt.Errorf("CertCreateCertificateContext: %w", err)
	}
	defer windows.CertFreeCertificateContext(ctx)
	err = withUsersRoot(func(store windows.Handle) error {
		found, err := windows.CertFindCertificateInStore(store, windows.X509_ASN_ENCODING|windows.PKCS_7_ASN_ENCODING, 0,
			windows.CERT_FIND_EXISTING, unsafe.Pointer(ctx), nil)
		if err != nil {
			if errors.Is(err, windows.Errno(windows.CRYPT_E_NOT_FOUND)) {
				return errors.New("it is not there")
			}
			return err
		}
		// CertDeleteCertificateFromStore frees the context it is given.
		if err := windows.CertDeleteCertificateFromStore(found); err != nil {
			return err
		}
		// Wine 8.0 writes a deletion to the registry only when the store is
		// committed (closing it does not).
		if r, _, err := certControlStore.Call(uintptr(store), 0, certStoreCtrlCommit, 0); r == 0 {
			return fmt.Errorf("CertControlStore COMMIT: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("removing %q from the user's ROOT store: %w", cert.Subject, err)
	}
	return nil
}

var certControlStore = windows.NewLazySystemDLL("crypt32.dll").NewProc("CertControlStore")

const certStoreCtrlCommit = 3 // CERT_STORE_CTRL_COMMIT

func withUsersRoot(f func(windows.Handle) error) error {
	store, err := windows.CertOpenSystemStore(0, windows.StringToUTF16Ptr("ROOT"))
	if err != nil {
		return fmt.Errorf("CertOpenSystemStore ROOT: %w", err)
	}
	defer windows.CertCloseStore(store, 0)
	return f(store)
}
