package ui

import (
	"crypto/x509/pkix"
	"regexp"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/i18n"
)

// jlis is the issuer of every My Number card certificate, by the name
// residents know it by (never the raw OU text of its certificates).
var jlis = i18n.Text{Ja: "地方公共団体情報システム機構（J-LIS）", En: "J-LIS (Japan Agency for Local Authority Information Systems)"}

// authorityName names an authority for a resident: J-LIS for a JPKI name
// (O=JPKI; the sandbox's stand-in, O=JPKI Sandbox, as J-LIS's practice
// one), else its common name, first OU or organisation.
func authorityName(n pkix.Name) string {
	switch {
	case slices.Contains(n.Organization, "JPKI"):
		return text(jlis)
	case slices.Contains(n.Organization, "JPKI Sandbox"):
		return text(i18n.Text{Ja: jlis.Ja + "（練習用）", En: jlis.En + ", practice"})
	}
	return pkixName(n)
}

// rootGeneration is the year of a pinned JPKI root's generation as flow
// names it ("JPKI for digital signature, 2023 generation").
var rootGeneration = regexp.MustCompile(`\b(\d{4}) generation\b`)

// generationName names a pinned JPKI root: J-LIS and the year of its
// generation, never the raw name.
func generationName(gen string) string {
	if m := rootGeneration.FindStringSubmatch(gen); m != nil {
		return text(i18n.Text{Ja: jlis.Ja + "（" + m[1] + "年世代の認証局）", En: jlis.En + ", " + m[1] + " generation"})
	}
	return text(jlis)
}

// dateText writes a date in the current language: 「2029年5月1日」 in
// Japanese.
func dateText(t time.Time) string {
	return text(i18n.Text{Ja: i18n.DateJa(t), En: i18n.DateEn(t)})
}
