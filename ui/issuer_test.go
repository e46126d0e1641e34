package ui

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/i18n"
)

func TestTheCardScreenNamesTheIssuerAndDatesAsResidentsReadThem(t *testing.T) {
	test.NewTempApp(t)
	useLanguage(i18n.Japanese)
	jpkiSign := pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI"},
		OrganizationalUnit: []string{"JPKI for digital signature", "Japan Agency for Local Authority Information Systems"}}
	cert := &x509.Certificate{Issuer: jpkiSign, NotAfter: time.Date(2029, 5, 1, 12, 0, 0, 0, time.Local)}
	for _, c := range []struct {
		name, got, want string
	}{
		{"a JPKI issuer is named J-LIS, not by its OU", issuerName(cert), "地方公共団体情報システム機構（J-LIS）"},
		{"a pinned root says J-LIS and its generation's year", generationName("JPKI for digital signature, 2023 generation"), "地方公共団体情報システム機構（J-LIS）（2023年世代の認証局）"},
		{"the certificate's line has a Japanese date", certLine(cert), "地方公共団体情報システム機構（J-LIS）、2029年5月1日まで有効"},
		{"the sandbox's stand-in for JPKI is J-LIS's practice one", authorityName(pkix.Name{Organization: []string{"JPKI Sandbox"}, OrganizationalUnit: []string{"JPKI for digital signature"}}), "地方公共団体情報システム機構（J-LIS）（練習用）"},
		{"another issuer keeps its common name", authorityName(pkix.Name{CommonName: "Registrar of Tokyo Legal Affairs Bureau"}), "Registrar of Tokyo Legal Affairs Bureau"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
			if strings.Contains(c.got, "JPKI for") || strings.Contains(c.got, "2029-05-01") {
				t.Errorf("%q shows raw certificate text", c.got)
			}
		})
	}
}
