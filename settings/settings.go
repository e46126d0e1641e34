// Package settings is the user's saved settings: the service and the
// anchors of its TLS, the signer trust anchors, the service's validation
// authority, the PKCS#11 module, the proxy, the language and the data
// directory, kept as JSON in the user's configuration directory
// (DefaultPath). The window edits them (package ui); the command line
// reads them. Certificates are named by file, never copied into the
// file, and no secret is ever in it.
//
// It imports no toolkit, so that shinseictl builds without one.
package settings

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
)

// Settings are what the Settings screen edits and the app keeps in its
// configuration file (JSON). Certificates are named by file, never
// copied into it; no secret is ever in it.
type Settings struct {
	// ServiceURL is the shared service, "https://host[:port]".
	ServiceURL string `json:"service_url,omitempty"`
	// ServiceAnchors are PEM or DER files of the authorities trusted for
	// the service's TLS certificate; SystemRoots adds the system's.
	ServiceAnchors []string `json:"service_anchors,omitempty"`
	SystemRoots    bool     `json:"system_roots,omitempty"`
	// ServiceVA is the service's validation authority's certificate file.
	ServiceVA string `json:"service_va,omitempty"`
	// Module is the PKCS#11 module; empty detects the known ones.
	Module string `json:"module,omitempty"`
	// TrustAnchors are files or directories of the roots signers'
	// certificates are checked against (JPKI, registrars, LGPKI, …).
	TrustAnchors []string `json:"trust_anchors,omitempty"`
	// Proxy is an http(s) proxy URL; empty uses HTTPS_PROXY.
	Proxy string `json:"proxy,omitempty"`
	// Lang is "ja" (the default) or "en".
	Lang i18n.Lang `json:"lang,omitempty"`
	// DataDir keeps receipts, the outbox and signed packages.
	DataDir string `json:"data_dir,omitempty"`
}

// FileName is the settings file's name in the user's configuration
// directory's shinsei folder.
const FileName = "settings.json"

// DefaultPath is where the settings are kept: shinsei/settings.json in
// the user's configuration directory (~/.config on Linux,
// $XDG_CONFIG_HOME when set).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("settings: %w", err)
	}
	return filepath.Join(dir, "shinsei", FileName), nil
}

// Load reads the settings file; a missing file gives zero Settings and
// an error wrapping os.ErrNotExist, a file that is not the settings' JSON
// an error naming the file.
func Load(path string) (Settings, error) {
	var s Settings
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("settings: %s: %w", path, err)
	}
	return s, nil
}

// Save writes the settings file atomically (mode 0600), making its
// folder (mode 0700) when needed.
func Save(path string, s Settings) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fsx.WriteFile(path, append(data, '\n'), 0o600)
}

// ReadCertificates reads the certificates the settings name: PEM or DER
// files, or every .pem, .crt, .cer and .der file of a directory.
func ReadCertificates(paths ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				switch filepath.Ext(e.Name()) {
				case ".pem", ".crt", ".cer", ".der":
					certs, err := ReadCertificates(filepath.Join(p, e.Name()))
					if err != nil {
						return nil, err
					}
					out = append(out, certs...)
				}
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		certs, err := certcheck.ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

// VA reads the validation authority's certificate the settings name;
// nil when they name none.
func (s Settings) VA() (*x509.Certificate, error) {
	if s.ServiceVA == "" {
		return nil, nil
	}
	certs, err := ReadCertificates(s.ServiceVA)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("settings: %s holds no certificate", s.ServiceVA)
	}
	return certs[0], nil
}

// ProxyFunc is the proxy the settings name, as an http.Transport's Proxy;
// nil when they name none (HTTPS_PROXY and NO_PROXY then apply).
func (s Settings) ProxyFunc() (func(*http.Request) (*url.URL, error), error) {
	if s.Proxy == "" {
		return nil, nil
	}
	u, err := url.Parse(s.Proxy)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return http.ProxyURL(u), nil
}
