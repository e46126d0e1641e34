package diagnosis

import (
	"fmt"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/i18n"
)

// Label names a status in lang, e.g. "問題なし" or "ok".
func (s Status) Label(lang i18n.Lang) string { return s.Text().In(lang) }

// Text names a status in the glossary's levels: 問題なし, 注意, 要対応
// (and 未確認 for a part not checked).
func (s Status) Text() i18n.Text {
	switch s {
	case StatusOK:
		return msg("問題なし", "ok")
	case StatusWarn:
		return msg("注意", "warn")
	case StatusFail:
		return msg("要対応", "FAIL")
	case StatusSkipped:
		return msg("未確認", "skipped")
	}
	return msg(string(s), string(s))
}

func pick(lang i18n.Lang, ja, en string) string {
	if lang == i18n.Japanese {
		return ja
	}
	return en
}

// Text renders the report for a person at a help desk, in lang: each
// section's status, what was found, the details, and the hint.
func (r *Report) Text(lang i18n.Lang) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("%s — %s\n", pick(lang, "Shinsei 診断レポート", "Shinsei diagnostics"), r.Time.Format(time.RFC3339))
	if r.IncludesPersonal {
		w("%s\n", PersonalNote(true).In(lang))
	} else {
		w("%s\n", PersonalNote(false).In(lang))
	}
	history := r.History()
	w("%s: %s%s\n", pick(lang, "総合判定", "Overall"), r.Status().Label(lang), pick(lang, "（現在の状態）", " (the computer now)"))
	w("%s: %s%s\n", pick(lang, "過去のエラー", "Past errors"), history.Status.Label(lang), pick(lang, "（総合判定には含めません）", " (not part of the overall verdict)"))
	section := func(sec Section) {
		w("\n[%s] %s: %s\n", sec.Status.Label(lang), sec.ID.Title().In(lang), sec.Summary.In(lang))
		for _, line := range r.details(sec.ID, lang) {
			w("    %s\n", line)
		}
		if !sec.Hint.IsZero() {
			w("    → %s\n", sec.Hint.In(lang))
		}
		if !sec.Detail.IsZero() {
			w("    %s %s\n", pick(lang, "［ヘルプデスク向け］", "[help desk]"), sec.Detail.In(lang))
		}
	}
	for _, sec := range r.Sections() {
		section(sec)
	}
	w("\n%s\n", pick(lang, "── 過去のエラー（現在の状態とは別の判定です）──", "── Past errors (a verdict of their own, apart from the state now) ──"))
	section(history)
	return b.String()
}

// PersonalNote says what personal data a report holds: with personal
// data, the holders' certificate subjects in the report and the holders'
// certificates themselves in the bundle (a certificate holds the
// holder's name, address and birth date); without, none of it.
func PersonalNote(included bool) i18n.Text {
	if included {
		return msg("個人情報：証明書の所有者のサブジェクト（名義）と、診断ファイルには所有者の証明書そのもの（氏名・住所・生年月日・性別が記録されています）を含みます。パスワード類は含みません",
			"Personal data: INCLUDED — the certificate holders' subjects, and in the bundle the holders' certificates themselves (which hold the name, address, birth date and sex); never PINs or passwords")
	}
	return msg("個人情報：含みません（氏名・住所・生年月日・パスワード類・シリアル番号・ファイル名は記録していません）",
		"Personal data: none (no names, addresses, birth dates, PINs, serial numbers or file names)")
}

// Details are the help desk's lines under a section's heading in lang:
// modules, readers, tokens, certificates and errors as found. The window
// shows them only in a section's expanded detail.
func (r *Report) Details(id SectionID, lang i18n.Lang) []string { return r.details(id, lang) }

// details are the lines under a section's heading.
func (r *Report) details(id SectionID, lang i18n.Lang) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	sub := func(c Check) {
		if !c.Summary.IsZero() {
			add("  %s [%s]", c.Summary.In(lang), c.Status.Label(lang))
		}
		if !c.Hint.IsZero() {
			add("  → %s", c.Hint.In(lang))
		}
		if !c.Detail.IsZero() {
			add("  %s %s", pick(lang, "［ヘルプデスク向け］", "[help desk]"), c.Detail.In(lang))
		}
	}
	switch id {
	case SectionSystem:
		s := r.System
		if s.Revision != "" {
			add("%s %s %s", pick(lang, "リビジョン", "revision"), s.Revision, s.RevisionTime)
		}
	case SectionModules:
		for _, m := range r.Modules.Modules {
			name := m.Name
			if name == "" {
				name = "module"
			}
			if !m.Loadable {
				add("- %s %s: %s %s", name, m.Path, pick(lang, "読み込めません:", "not loadable:"), m.Error)
				continue
			}
			add("- %s %s: %s (%s, %q)", name, m.Path, m.Product, m.Manufacturer, m.Description)
		}
	case SectionPCSC:
		p := r.PCSC
		if p.Error != "" {
			add("%s", p.Error)
		}
		for _, rd := range p.Readers {
			switch {
			case rd.Error != "":
				add("- %s: %s", rd.Name, rd.Error)
			case !rd.CardPresent:
				add("- %s: %s", rd.Name, pick(lang, "カードなし", "no card"))
			default:
				kind := rd.Card
				if kind == "" {
					kind = pick(lang, "不明なカード", "unknown card")
				} else if lang == i18n.Japanese {
					kind = "マイナンバーカード（JPKI）"
				}
				add("- %s: ATR %s (%s)", rd.Name, rd.ATR, kind)
			}
		}
	case SectionTokens:
		for _, t := range r.Tokens.Tokens {
			if t.Label == "" {
				add("- %s: %s", t.Module, t.Error)
				sub(t.Check)
				continue
			}
			exact := ""
			if t.PIN.Exact {
				exact = pick(lang, "（残り回数はカードから読み取り）", " (tries read from the card)")
			}
			add("- %q %s %s, %s%s", t.Label, pick(lang, "リーダー", "in"), t.Reader, t.PINPolicy, exact)
			add("  %s %s", pick(lang, "モジュール", "module"), t.Module)
			if t.Error != "" {
				add("  %s", t.Error)
			}
			sub(t.Check)
		}
	case SectionCertificates:
		for _, c := range r.Certificates.Certificates {
			kind := pick(lang, "所有者の証明書", "holder's certificate")
			if c.CA {
				kind = pick(lang, "認証局", "CA")
			}
			id := c.KeyID
			if id == "" {
				id = pick(lang, "なし", "none")
			}
			add("- %q key id %s, %s (%s)", c.Token, id, kind, c.Module)
			if c.Subject != "" {
				add("  %s %s", pick(lang, "サブジェクト", "subject"), c.Subject)
			}
			add("  %s %s", pick(lang, "発行者", "issuer"), c.Issuer)
			add("  %s %s – %s, %s, %s %s", pick(lang, "有効期間", "valid"), c.NotBefore, c.NotAfter, c.KeyAlgorithm,
				pick(lang, "シリアル番号の SHA-256", "serial SHA-256"), c.SerialSHA256)
			if c.AuthorityKeyID != "" {
				add("  %s %s", pick(lang, "発行者の鍵識別子", "authority key id"), c.AuthorityKeyID)
			}
			sub(c.Check)
		}
		for _, n := range r.Certificates.Notes {
			add("* %s", n.In(lang))
		}
	case SectionAnchors:
		for _, f := range r.Anchors.Files {
			if f.Error != "" {
				add("- %s: %s", f.Path, f.Error)
				continue
			}
			add("- %s", f.Path)
			for _, c := range f.Certificates {
				subject := c.Subject
				if subject == "" {
					subject = pick(lang, "（認証局ではない証明書）", "(not a CA)")
				}
				add("  %s, SHA-256 %s, %s %s, %s", subject, c.SHA256, pick(lang, "期限", "until"), c.NotAfter, c.Domain)
				if c.Pinned != "" {
					add("  %s: %s", pick(lang, "本物の JPKI ルート", "real JPKI root"), c.Pinned)
				}
				sub(c.Check)
			}
		}
	case SectionService:
		s := r.Service
		if s.URL != "" {
			add("URL %s", s.URL)
		}
		if s.Error != "" {
			add("%s", s.Error)
		}
		if s.TLSVersion != "" {
			add("%s", s.TLSVersion)
		}
		for i, c := range s.Chain {
			add("- [%d] %s (%s %s, %s %s)", i, c.Subject, pick(lang, "発行者", "issuer"), c.Issuer, pick(lang, "期限", "until"), c.NotAfter)
		}
		if s.Reachable && len(s.Chain) > 0 {
			if s.Verified {
				add("%s (%s)", pick(lang, "証明書の検証: 成功", "certificate chain: verified"), s.VerifiedAgainst)
			} else {
				add("%s (%s): %s", pick(lang, "証明書の検証: 失敗", "certificate chain: NOT verified"), s.VerifiedAgainst, s.VerifyError)
			}
		}
		if s.ClockSkewSeconds != nil {
			add("%s %s, %s %+d s", pick(lang, "サービスの時刻", "service time"), s.ServerDate, pick(lang, "時計のずれ", "clock skew"), *s.ClockSkewSeconds)
		}
	case SectionKeyring:
		if r.Keyring.Error != "" {
			add("%s", r.Keyring.Error)
		}
	case SectionErrors:
		for _, e := range r.LastErrors.Entries {
			add("- %s %s: %s", e.Time.Format(time.RFC3339), e.Command, e.Message)
		}
	}
	return out
}
