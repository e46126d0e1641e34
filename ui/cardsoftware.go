package ui

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/shinsei-app/shinsei/flow"
)

// softwareName is a resident's name for the software that reads a card,
// from what is known of it (the module's name and path, the token's
// manufacturer and model): the J-LIS software by its name, the others by
// what they are. The module's path and file name stay in the help desk's
// detail.
func softwareName(hints ...string) string {
	s := ""
	for _, h := range hints {
		if h != "" {
			s += " " + strings.ToLower(filepath.Base(h))
		}
	}
	if s == "" {
		return tr("settings.module")
	}
	switch {
	case strings.Contains(s, "jpki"):
		return tr("cred.software.jpki")
	case strings.Contains(s, "softhsm"):
		return tr("cred.software.practice")
	case strings.Contains(s, "opensc"):
		return tr("cred.software.standard")
	}
	return tr("cred.software.other")
}

// slotNumbers are what PC/SC and PKCS#11 add to a reader's name: its
// index ("00 00") or a slot ID ("slot ID 0x1a2b").
var slotNumbers = regexp.MustCompile(`(?i)(\s+\d{2})+$|\s*slot\s*(id)?\s*(0x)?[0-9a-f]+$`)

// readerName is a card reader's name without slot numbers, or "" when
// nothing readable is left (a software token's slot).
func readerName(reader string) string {
	r := strings.TrimSpace(slotNumbers.ReplaceAllString(strings.TrimSpace(reader), ""))
	if strings.Contains(strings.ToLower(r), "softhsm") {
		return ""
	}
	return r
}

// readingLine says what reads the token: the software and, for a card,
// the reader.
func readingLine(t flow.FoundToken) string {
	sw := softwareName(t.ModuleName, t.Module, t.Manufacturer, t.Model)
	if r := readerName(t.Reader); r != "" {
		return tr("cred.reading_reader", map[string]any{"Software": sw, "Reader": r})
	}
	return tr("cred.reading", map[string]any{"Software": sw})
}
