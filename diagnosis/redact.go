package diagnosis

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/identity"
)

// redactor removes personal data from free text (error messages, paths):
// values known to be personal (read from the holder's certificates),
// secrets quoted after the words PIN, password and their Japanese names,
// paths (every component below the home directory, every file name but
// its extension, every component of a folder that is not the system's),
// Japanese text (names and addresses), e-mail addresses, dates without a
// time (birth dates), long numbers and long hex strings (serial numbers,
// My Numbers), and the values of personal X.500 attributes (CN=,
// SERIALNUMBER=, ...).
type redactor struct {
	home  string
	known []string // longest first
}

func newRedactor() *redactor {
	r := &redactor{}
	if home, err := os.UserHomeDir(); err == nil && len(home) > 1 && home != string(filepath.Separator) {
		r.home = filepath.Clean(home)
	}
	return r
}

// addCertificate learns the personal values of a holder's certificate:
// its subject and subject attributes, serial number, e-mail addresses, and
// the JPKI or commercial-registry attributes.
func (r *redactor) addCertificate(c *x509.Certificate) {
	r.add(c.Subject.String())
	for _, atv := range c.Subject.Names {
		if s, ok := atv.Value.(string); ok && !slices.Equal(atv.Type, []int{2, 5, 4, 6}) { // not the country
			r.add(s)
		}
	}
	if c.SerialNumber != nil {
		r.add(c.SerialNumber.String())
		h := c.SerialNumber.Text(16)
		r.add(h)
		r.add(strings.ToUpper(h))
	}
	for _, e := range c.EmailAddresses {
		r.add(e)
	}
	h, _ := identity.HolderOf(c)
	if p := h.Person; p != nil {
		r.add(p.Name)
		for _, part := range strings.FieldsFunc(p.Name, func(r rune) bool { return r == '\u3000' || r == ' ' }) {
			r.add(part)
		}
		r.add(p.Address)
		r.add(p.Raw.BirthDate)
		if len(p.Raw.BirthDate) == 9 {
			d := p.Raw.BirthDate[1:]
			r.add(d)
			r.add(d[:4] + "-" + d[4:6] + "-" + d[6:])
			r.add(d[:4] + "/" + d[4:6] + "/" + d[6:])
		}
	}
	if corp := h.Corporation; corp != nil {
		r.add(corp.Name)
		r.add(corp.Address)
		r.add(corp.RepresentativeName)
	}
}

func (r *redactor) add(s string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) < 2 || len(s) < 4 || slices.Contains(r.known, s) {
		return
	}
	r.known = append(r.known, s)
	slices.SortFunc(r.known, func(a, b string) int { return len(b) - len(a) })
}

var (
	reJapanese = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}\x{3000}-\x{303F}\x{30FC}\x{FF01}-\x{FFEF}]+`)
	reEmail    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	reX500     = regexp.MustCompile(`\b(CN|SERIALNUMBER|STREET|POSTALCODE|UID|EMAILADDRESS|GN|SN|2\.5\.4\.\d+)=("(?:[^"\\]|\\.)*"|(?:[^,+\\]|\\.)*)`)
	reDate     = regexp.MustCompile(`\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(T\d)?`)
	reNumber   = regexp.MustCompile(`\b\d{6,}\b`)
	reHex      = regexp.MustCompile(`\b(?:[0-9A-Fa-f]{2}:){7,}[0-9A-Fa-f]{2}\b|\b[0-9A-Fa-f]{16,}\b`)
)

// text returns s redacted.
func (r *redactor) text(s string) string {
	for _, k := range r.known {
		s = strings.ReplaceAll(s, k, redacted)
	}
	s = redactSecrets(s)
	if r.home != "" {
		s = replacePath(s, r.home, "~")
	}
	s = redactPaths(s)
	s = reJapanese.ReplaceAllString(s, redacted)
	s = reEmail.ReplaceAllString(s, "[email]")
	s = reX500.ReplaceAllString(s, "$1="+redacted)
	s = reDate.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, "T") {
			return m // a timestamp, not a birth date
		}
		return "[date]"
	})
	s = reHex.ReplaceAllString(s, "[hex]")
	s = reNumber.ReplaceAllString(s, "[number]")
	return s
}

const redacted = "[redacted]"

// replacePath replaces dir (and what follows only when it is a path
// separator or the end) by repl.
func replacePath(s, dir, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, dir)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(dir)
		if end == len(s) || s[end] == '/' || s[end] == '\\' || s[end] == '"' || s[end] == ' ' || s[end] == ':' {
			b.WriteString(s[:i])
			b.WriteString(repl)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

// Secrets quoted in a message: the word after PIN, password, passphrase,
// パスワード or 暗証番号 (after a colon, an equals sign or a space, quoted
// or not) is replaced unless it is an ordinary word of an error message
// ("PIN locked", "password is too short"). Conservative: a word it does
// not know is taken for the secret.
var (
	reSecret = regexp.MustCompile(`(?i)(\bPINs?\b|\bpass(?:word|phrase|code)s?\b|パスワード|暗証番号)(\s*[:=]\s*|\s+(?:is\s+|was\s+)?|[はがをの：＝]?)(["'“「]?)([^\s"'”」,;()\[\]]+)`)
	// secretStopWords are the words that follow PIN or password in
	// messages and are no secret.
	secretStopWords = map[string]bool{}
)

func init() {
	for _, w := range strings.Fields(`a an the and or of for to on in at by with without from is was are were has have had not no
		be been being can cannot could may must might should will would does did do never only again too it its this that
		locked blocked incorrect wrong invalid expired required needed missing empty format length policy policies
		tries try left entry entries entered enter prompt dialog count status retry retries mismatch changed change reset
		unlocked check checked verify verified error hint file stdin callback asked given accepted refused pad login
		counter final confirmation confirmed unknown set stored kept saved read accepted rejected field fields
		characters character digits digit letters long short strong weak policy rules required`) {
		secretStopWords[w] = true
	}
}

func redactSecrets(s string) string {
	return reSecret.ReplaceAllStringFunc(s, func(m string) string {
		sub := reSecret.FindStringSubmatch(m)
		word := strings.ToLower(strings.TrimRight(sub[4], ".!?:"))
		if secretStopWords[word] || len(word) < 4 {
			return m // an ordinary word, or a count ("is 4 digits"): no PIN is that short
		}
		if sub[2] == "" && sub[3] == "" && sub[1][0] < utf8.RuneSelf {
			return m // "PIN-stdin": the word goes on, nothing is quoted
		}
		return sub[1] + sub[2] + sub[3] + redacted
	})
}

// Paths in free text: absolute ("/…"), under the home directory ("~/…",
// after the home directory was replaced), on a Windows drive ("C:\…"),
// or relative with a separator whose last component is a file name with
// a known extension. A path starts at the start of the text or after a
// space, a quote, "(", "<", "=", ":" or ","; it ends at a space, a quote,
// a parenthesis, ":", ";" or ",". "//" starts a URL's host, not a path.
// Square brackets belong to a path: a component may already hold
// "[redacted]".
var (
	rePath = regexp.MustCompile(`(^|[\s"'(<=:,])((?:~|[A-Za-z]:)?[/\\][^\s"'<>|;,():]*|[^\s"'<>|;,()\[\]:/\\~][^\s"'<>|;,():/\\]*(?:[/\\][^\s"'<>|;,():/\\]+)+)`)
	// reFileName is a file name standing alone with the extension of a
	// document, a package, a key or a certificate: what a resident names
	// after themselves.
	reFileName = regexp.MustCompile(`(?i)(^|[\s"'(<=:,])([^\s"'<>|;,():/\\]+)\.(asice|asics|sce|scs|json|p12|pfx|pem|der|crt|cer|p7s|p7m|p7b|pdf|xml|zip|txt|csv|png|jpe?g|gif|tiff?|docx?|xlsx?|odt|ods|html?|key|log)\b`)
	// keptExtensions are the extensions a redacted file name keeps: they
	// tell the help desk the kind of file and identify no one.
	keptExtensions = map[string]bool{}
	// systemDirs are the first components of absolute paths that belong
	// to the system (where modules, sockets and configuration live): such
	// a path names no one and is kept as it is.
	systemDirs = map[string]bool{"usr": true, "lib": true, "lib32": true, "lib64": true, "libx32": true, "bin": true,
		"sbin": true, "etc": true, "opt": true, "proc": true, "sys": true, "dev": true, "snap": true, "nix": true,
		"System": true, "Library": true, "Applications": true}
)

func init() {
	for _, e := range strings.Fields(`asice asics sce scs json p12 pfx pem der crt cer p7s p7m p7b crl pdf xml zip txt csv png jpg
		jpeg gif tif tiff doc docx xls xlsx odt ods htm html key log so dll dylib conf yaml yml comm sock`) {
		keptExtensions[e] = true
	}
}

// redactPaths replaces the components of the paths in s (see rePath) and
// the file names standing alone (see reFileName).
func redactPaths(s string) string {
	s = rePath.ReplaceAllStringFunc(s, func(m string) string {
		sub := rePath.FindStringSubmatch(m)
		return sub[1] + redactPath(sub[2])
	})
	return reFileName.ReplaceAllStringFunc(s, func(m string) string {
		sub := reFileName.FindStringSubmatch(m)
		if sub[2] == redacted {
			return m
		}
		return sub[1] + redacted + "." + sub[3]
	})
}

// redactPath redacts one path: the system's are kept; below the home
// directory ("~") and elsewhere every component is replaced, the first
// one of an absolute path outside the home directory ("/tmp", "/media")
// excepted; a file name keeps a known extension. A relative path is
// redacted only when its last component has a known extension (so that
// "application/json" or "HTTP/1.1" stay).
func redactPath(p string) string {
	if strings.HasPrefix(p, "//") || strings.HasPrefix(p, `\\`) {
		return p // a URL's host, or a network share's: redacted by the rest
	}
	parts := splitPath(p)
	keepFirst := 0
	switch {
	case strings.HasPrefix(p, "~"):
		keepFirst = 1 // "~"
	case len(p) >= 2 && p[1] == ':': // C:\...
		if len(parts) > 1 && (strings.EqualFold(parts[1].name, "Windows") || strings.EqualFold(parts[1].name, "Program")) {
			return p
		}
		keepFirst = 1
	case p[0] == '/' || p[0] == '\\':
		if systemPath(parts) {
			return p
		}
		keepFirst = min(2, len(parts)-1) // "" and "tmp" of "/tmp", never the file name of "/x.asice"
	default:
		if _, ok := extension(parts[len(parts)-1].name); !ok {
			return p
		}
	}
	var b strings.Builder
	for i, part := range parts {
		b.WriteString(part.sep)
		switch {
		case i < keepFirst, part.name == "", part.name == ".", part.name == "..", part.name == redacted:
			b.WriteString(part.name)
		case i == len(parts)-1:
			b.WriteString(redacted)
			if ext, ok := extension(part.name); ok {
				b.WriteString("." + ext)
			}
		default:
			b.WriteString(redacted)
		}
	}
	return b.String()
}

// systemPath reports whether an absolute path is the system's (modules,
// sockets, configuration): /usr, /etc, /run, /var/run, /var/lib, ...,
// but not /run/media, where removable disks are mounted by user name.
func systemPath(parts []pathPart) bool {
	name := func(i int) string {
		if i < len(parts) {
			return parts[i].name
		}
		return ""
	}
	switch name(1) {
	case "run":
		return name(2) != "media"
	case "var":
		return name(2) == "run" || name(2) == "lib"
	}
	return systemDirs[name(1)]
}

type pathPart struct{ sep, name string }

// splitPath splits p at "/" and "\", each part with the separator before
// it ("" for the first).
func splitPath(p string) []pathPart {
	var parts []pathPart
	sep := ""
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '/' || p[i] == '\\' {
			parts = append(parts, pathPart{sep, p[start:i]})
			sep, start = p[i:i+1], i+1
		}
	}
	return append(parts, pathPart{sep, p[start:]})
}

// extension is a file name's extension when it is one of keptExtensions.
func extension(name string) (string, bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", false
	}
	ext := strings.ToLower(name[i+1:])
	return ext, keptExtensions[ext]
}
