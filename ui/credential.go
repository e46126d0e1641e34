package ui

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
)

// credentialScreen lists the signing credentials found — cards and tokens
// with what is readable without a PIN (tries left, the CA's generation,
// the card's own dates, a signature certificate kept from an earlier use),
// and the certificate files suggested to the user (the sandbox's practice
// .p12) — and offers to browse for a .p12 certificate file. No PIN is
// asked here.
type credentialScreen struct {
	s       *shell
	d       *draft
	status  *textLabel
	list    *fyne.Container
	choices []*focusButton // one per usable token, in order
	files   []*focusButton // one per suggested file, in order
	p12     *focusButton
	rescan  *focusButton
	back    *focusButton
	found   *flow.FoundCredentials
	box     fyne.CanvasObject
}

func newCredentialScreen(s *shell, d *draft) *credentialScreen {
	c := &credentialScreen{s: s, d: d, status: wrapped(tr("cred.searching")), list: container.NewVBox()}
	c.p12 = newButtonWithIcon(tr("cred.p12"), theme.FileIcon(), c.onP12)
	c.rescan = newButtonWithIcon(tr("cred.rescan"), theme.ViewRefreshIcon(), c.onFind)
	c.back = newButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), s.goHome)
	c.box = container.NewBorder(
		container.NewVBox(heading(tr("cred.title")), wrapped(procTitle(d.proc)+" — "+text(d.proc.Need.Text())),
			wrapped(tr("cred.intro")), c.status),
		container.NewHBox(c.back, layoutSpacer(), c.rescan, c.p12), nil, nil,
		container.NewVScroll(c.list))
	return c
}

func (c *credentialScreen) view() fyne.CanvasObject { return c.box }

// onFind looks for cards and tokens again (a card may have been put in).
func (c *credentialScreen) onFind() {
	a := c.s.flowApp()
	if a == nil {
		return
	}
	c.status.SetText(tr("cred.searching"))
	c.rescan.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(c.s.ctx, networkTimeout)
		defer cancel()
		found, err := a.FindCredentials(ctx)
		onMain(func() {
			c.rescan.Enable()
			if err != nil {
				c.status.SetText(c.s.explain(err))
				return
			}
			c.show(found)
			c.s.event("credentials")
		})
	}()
}

func (c *credentialScreen) show(f *flow.FoundCredentials) {
	c.found = f
	c.list.RemoveAll()
	c.choices = c.choices[:0]
	c.files = c.files[:0]
	switch {
	case len(f.Tokens) > 0:
		c.status.SetText(tr("cred.choose"))
	case len(f.Files) > 0:
		c.status.SetText(tr("cred.choose_file"))
	default:
		c.status.SetText(tr("cred.none"))
	}
	for i := range f.Tokens {
		c.list.Add(c.tokenCard(f.Tokens[i]))
	}
	for _, file := range f.Files {
		c.list.Add(c.fileCard(file))
	}
	for _, k := range f.Kept {
		c.list.Add(newCard(k.TokenLabel, tr("cred.kept_absent"), wrapped(certLine(k.Cert))))
	}
	for _, p := range f.Problems {
		e := explain.Of(p.Err)
		c.list.Add(statusLine(levelWarn, softwareName(p.Module), text(e.Message), text(e.Hint)))
	}
}

// tokenCard shows one token with everything known before a PIN.
func (c *credentialScreen) tokenCard(t flow.FoundToken) fyne.CanvasObject {
	name := t.Label
	if t.MyNumberCard {
		name = tr("cred.mynumber")
	}
	lines := container.NewVBox()
	add := func(s string) { lines.Add(wrapped(s)) }
	add(readingLine(t))
	if !t.NoSignatureCert && !t.PIN.Locked { // a locked PIN has its red line below
		add(triesText(t.PIN, tr("cred.tries_ok")))
	}
	if t.CAGeneration != "" {
		add(tr("cred.ca_generation", map[string]any{"Gen": generationName(t.CAGeneration)}))
	} else if t.CACert != nil {
		add(tr("cred.ca", map[string]any{"CA": subjectName(t.CACert)}))
	}
	if t.AuthCert != nil {
		add(tr("cred.card_dates", map[string]any{"To": dateText(t.AuthCert.NotAfter)}))
	}
	switch {
	case t.NoSignatureCert:
	case t.SignatureCert != nil && t.CertKept:
		add(tr("cred.cert_kept") + certLine(t.SignatureCert))
	case t.SignatureCert != nil:
		add(tr("cred.cert_shown") + certLine(t.SignatureCert))
	default:
		add(tr("cred.cert_after_pin"))
	}
	if !t.Note.IsZero() && !t.PIN.Locked { // a locked PIN has its red line below
		n := wrapped(text(t.Note))
		n.Importance = widget.WarningImportance
		if t.NoSignatureCert {
			// The note is the whole reason: one red message, no second.
			n.Importance = widget.DangerImportance
		}
		lines.Add(n)
	}
	if !t.Usable() {
		if t.PIN.Locked {
			locked := wrapped(tr("pin.locked"))
			locked.Importance = widget.DangerImportance
			lines.Add(locked)
		}
		return newCard(name, "", lines)
	}
	choose := newButtonWithIcon(tr("cred.use"), theme.ConfirmIcon(), func() { c.onChoose(t) }).named(nameFor(tr("cred.use"), name))
	choose.Importance = widget.HighImportance
	c.choices = append(c.choices, choose)
	return newCard(name, "", container.NewBorder(nil, nil, nil, container.NewCenter(choose), lines))
}

// fileCard shows a suggested certificate file: what it is, its name,
// its certificate when known, and what to know (the practice password).
func (c *credentialScreen) fileCard(f flow.CredentialFile) fyne.CanvasObject {
	lines := container.NewVBox(wrapped(tr("cred.file", map[string]any{"Name": filepath.Base(f.Path)})))
	if f.Cert != nil {
		lines.Add(wrapped(tr("cred.cert_shown") + certLine(f.Cert)))
	}
	if !f.Note.IsZero() {
		lines.Add(wrapped(text(f.Note)))
	}
	use := newButtonWithIcon(tr("cred.use_file"), theme.ConfirmIcon(), func() { c.onChooseFile(f) }).
		named(nameFor(tr("cred.use_file"), text(f.Label)))
	use.Importance = widget.HighImportance
	c.files = append(c.files, use)
	return newCard(text(f.Label), "", container.NewBorder(nil, nil, nil, container.NewCenter(use), lines))
}

// certLine describes a certificate without personal data: its issuer and
// validity (a JPKI subject is an identifier, not a name).
func certLine(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	return tr("cred.cert_line", map[string]any{"Issuer": issuerName(cert), "To": dateText(cert.NotAfter)})
}

// issuerName and subjectName name an authority by its common name, else
// its first organizational unit (JPKI's CAs have only O and OUs).
func issuerName(cert *x509.Certificate) string { return authorityName(cert.Issuer) }

func subjectName(cert *x509.Certificate) string { return authorityName(cert.Subject) }

func pkixName(n pkix.Name) string {
	switch {
	case n.CommonName != "":
		return n.CommonName
	case len(n.OrganizationalUnit) > 0:
		return n.OrganizationalUnit[0]
	case len(n.Organization) > 0:
		return n.Organization[0]
	}
	return n.String()
}

// onChoose uses the token and goes on to the form, pre-filled from the
// signature certificate when it is known before the PIN.
func (c *credentialScreen) onChoose(t flow.FoundToken) {
	c.d.credential = t.Choice()
	tok := t
	c.d.token = &tok
	if t.SignatureCert != nil {
		c.d.fill(t.SignatureCert)
	}
	c.s.showForm()
}

// onP12 chooses a certificate file (.p12/.pfx); its password is asked
// when signing.
func (c *credentialScreen) onP12() {
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		c.choosePath(r.URI().Path())
	}, c.s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx"}))
	d.Show()
}

// onChooseFile uses a suggested file and goes on to the form, pre-filled
// from the file's certificate when it is known before the password.
func (c *credentialScreen) onChooseFile(f flow.CredentialFile) {
	c.d.credential = f.Choice()
	c.d.token, c.d.fileCert = nil, f.Cert
	if f.Cert != nil {
		c.d.fill(f.Cert)
	}
	c.s.showForm()
}

func (c *credentialScreen) choosePath(path string) {
	c.d.credential = flow.P12File(path)
	c.d.token, c.d.fileCert = nil, nil
	c.status.SetText(fmt.Sprintf("%s: %s", tr("cred.p12_chosen"), filepath.Base(path)))
	c.s.showForm()
}
