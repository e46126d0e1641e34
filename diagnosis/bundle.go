package diagnosis

import (
	"archive/zip"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"strings"

	"github.com/shinsei-app/shinsei/i18n"
)

// WriteBundle writes the report as a zip archive a help desk can be sent:
//
//	report.json      the report (as JSON)
//	report.txt       the report in English
//	report-ja.txt    the report in Japanese
//	environment.txt  the system and the environment variables that matter
//	certs/*.pem      CA and trust-anchor certificates read; the holders'
//	                 certificates only when the report includes personal data
//
// It is redacted as the report is. The caller makes the write atomic.
func (r *Report) WriteBundle(w io.Writer) error {
	zw := zip.NewWriter(w)
	add := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: r.Time})
		if err != nil {
			return fmt.Errorf("flow: bundle: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("flow: bundle: %w", err)
		}
		return nil
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("flow: bundle: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{"report.json", append(js, '\n')},
		{"report.txt", []byte(r.Text(i18n.English))},
		{"report-ja.txt", []byte(r.Text(i18n.Japanese))},
		{"environment.txt", []byte(r.environmentText())},
	}
	seen := make(map[string]bool)
	for _, c := range r.certs {
		name := "certs/" + c.name + ".pem"
		if seen[name] {
			continue
		}
		seen[name] = true
		files = append(files, struct {
			name string
			data []byte
		}{name, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})})
	}
	for _, f := range files {
		if err := add(f.name, f.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("flow: bundle: %w", err)
	}
	return nil
}

// environmentText summarises the system and the environment variables
// that change how cards, tokens, proxies and the keyring are found.
func (r *Report) environmentText() string {
	var b strings.Builder
	s := r.System
	fmt.Fprintf(&b, "os: %s/%s\n", s.OS, s.Arch)
	if s.OSRelease != "" {
		fmt.Fprintf(&b, "os_release: %s\n", s.OSRelease)
	}
	fmt.Fprintf(&b, "shinsei: %s\n", s.Version)
	if s.Revision != "" {
		fmt.Fprintf(&b, "revision: %s %s modified=%t\n", s.Revision, s.RevisionTime, s.Modified)
	}
	fmt.Fprintf(&b, "go: %s cgo=%t\n", s.GoVersion, s.CGO)
	for _, m := range r.Modules.Modules {
		fmt.Fprintf(&b, "module: %s loadable=%t %s\n", m.Path, m.Loadable, m.Product)
	}
	fmt.Fprintf(&b, "pcscd: reachable=%t readers=%d\n", r.PCSC.Reachable, len(r.PCSC.Readers))
	fmt.Fprintf(&b, "keyring: available=%t\n", r.Keyring.Available)
	b.WriteString("\nenvironment:\n")
	for _, e := range r.env {
		fmt.Fprintf(&b, "%s=%s\n", e.name, e.value)
	}
	return b.String()
}
