package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// account is the service account: register one with the certificate
// (the service checks it and issues the ID), log in with the password
// kept in the OS keyring, log out.
type account struct {
	s        *shell
	current  *textLabel
	status   *textLabel
	choose   *widget.Check // choose the password instead of receiving one
	another  *widget.Check // register another account although one is kept
	register *focusButton
	p12      *focusButton
	idEntry  *widget.Entry // the ID to log in with, the kept one filled in
	login    *focusButton
	enter    *focusButton // log in typing the password
	logout   *focusButton
	id       string
	busy     bool // a registration is under way
	// shownPassword and passwordNote are the last generated password
	// shown and its note.
	shownPassword *bigNumber
	passwordNote  *textLabel
	box           fyne.CanvasObject

	// anotherRow is another as the window shows it, shown once an
	// account is kept.
	anotherRow *labelled
	page       *fyne.Container // what box scrolls
}

func newAccount(s *shell) *account {
	a := &account{s: s, current: wrapped(""), status: wrapped("")}
	a.choose = widget.NewCheck(tr("account.choose_password"), nil)
	a.another = widget.NewCheck(tr("account.register_another"), func(bool) { a.updateButtons() })
	a.anotherRow = checkNamed(a.another)
	a.anotherRow.Hide()
	a.register = newButtonWithIcon(tr("account.register_card"), theme.AccountIcon(), a.onRegisterCard)
	a.p12 = newButtonWithIcon(tr("account.register_p12"), theme.FileIcon(), a.onRegisterP12)
	a.idEntry = widget.NewEntry()
	a.idEntry.SetPlaceHolder(tr("account.id_placeholder"))
	a.idEntry.OnChanged = func(string) { a.updateButtons() }
	a.idEntry.OnSubmitted = func(string) { a.onLogin() }
	a.login = newButtonWithIcon(tr("account.login"), theme.LoginIcon(), a.onLogin)
	a.enter = newButtonWithIcon(tr("account.login_enter"), theme.AccountIcon(), a.onLoginEntering)
	a.logout = newButtonWithIcon(tr("account.logout"), theme.LogoutIcon(), a.onLogout)
	idForm := newFieldForm(widget.NewFormItem(tr("account.id_label"), withName(tr("account.id_label"), a.idEntry)))
	a.page = container.NewVBox(heading(tr("account.title")), wrapped(tr("account.intro")),
		a.current, a.status,
		// The introductions wrap in the cards' content: a card's subtitle
		// does not, and would widen the window beyond the screen.
		newCard(tr("account.register_title"), "",
			container.NewVBox(wrapped(tr("account.register_intro")), a.anotherRow, checkNamed(a.choose), container.NewHBox(a.register, a.p12))),
		newCard(tr("account.login_title"), "",
			container.NewVBox(wrapped(tr("account.login_intro")), idForm, container.NewHBox(a.login, a.enter, a.logout))))
	a.box = container.NewVScroll(a.page)
	a.updateButtons()
	return a
}

// setID records the account kept (or just registered) and fills it in
// as the ID to log in with.
func (a *account) setID(id string) {
	a.id = id
	if id != "" {
		a.idEntry.SetText(id)
	}
	a.updateButtons()
}

// updateButtons enables what can be done now: registering only while no
// account is kept (or another one is asked for), logging in only with an
// ID.
func (a *account) updateButtons() {
	registered := a.id != ""
	if registered != a.anotherRow.Visible() {
		if registered {
			a.anotherRow.Show()
		} else {
			a.anotherRow.Hide()
		}
		// The page is laid out again, so the card grows (or shrinks)
		// with the line: Fyne does not lay out a container again when
		// one of its objects is shown, and the register buttons were
		// left under the next card.
		a.page.Refresh()
	}
	canRegister := !a.busy && (!registered || a.another.Checked)
	for _, b := range []*focusButton{a.register, a.p12} {
		if canRegister {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if canRegister {
		a.choose.Enable()
	} else {
		a.choose.Disable()
	}
	hasID := strings.TrimSpace(a.idEntry.Text) != ""
	for _, b := range []*focusButton{a.login, a.enter} {
		if hasID {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// loginID is the ID typed or filled in.
func (a *account) loginID() string { return strings.TrimSpace(a.idEntry.Text) }

func (a *account) view() fyne.CanvasObject { return a.box }

// onRefresh shows the account kept in the keyring.
func (a *account) onRefresh() {
	fa := a.s.flowApp()
	if fa == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(a.s.ctx, networkTimeout)
		defer cancel()
		id, err := fa.DefaultAccount(ctx)
		onMain(func() {
			if err != nil || id == "" {
				a.current.SetText(tr("account.none"))
				a.setID("")
				return
			}
			a.setID(id)
			a.current.SetText(tr("account.current", map[string]any{"ID": id}))
		})
	}()
}

// onRegisterCard registers with the first usable card or token found.
func (a *account) onRegisterCard() {
	fa := a.s.flowApp()
	if fa == nil {
		return
	}
	a.status.SetText(tr("cred.searching"))
	go func() {
		ctx, cancel := context.WithTimeout(a.s.ctx, networkTimeout)
		defer cancel()
		found, err := fa.FindCredentials(ctx)
		onMain(func() {
			if err != nil {
				a.status.SetText(a.s.explain(err))
				return
			}
			for _, t := range found.Tokens {
				if t.Usable() {
					a.registerWith(t.Choice())
					return
				}
			}
			a.status.SetText(tr("cred.none"))
		})
	}()
}

func (a *account) onRegisterP12() {
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		a.registerWith(flow.P12File(r.URI().Path()))
	}, a.s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx"}))
	d.Show()
}

func (a *account) registerWith(choice flow.CredentialChoice) {
	fa := a.s.flowApp()
	a.busy = true
	a.updateButtons()
	a.status.SetText(tr("account.registering"))
	cb := a.s.callbacks(nil)
	cb.ConfirmSign = a.s.confirmInPopup
	req := flow.RegisterRequest{Credential: choice, ChoosePassword: a.choose.Checked}
	go func() {
		acct, err := fa.Register(a.s.ctx, req, cb)
		onMain(func() {
			a.busy = false
			if acct != nil && acct.ID != "" {
				// Registered, even when the password could not be kept:
				// a generated one is shown so it can be noted now.
				a.another.SetChecked(false)
				a.setID(acct.ID)
				a.current.SetText(tr("account.current", map[string]any{"ID": acct.ID}))
				if acct.GeneratedPassword != "" {
					a.showPasswordOnce(acct.GeneratedPassword, acct.PasswordKept)
				}
			}
			a.updateButtons()
			if err != nil {
				a.status.SetText(a.s.explain(err))
				a.s.event("error")
				return
			}
			a.status.SetText(tr("account.registered", map[string]any{"ID": acct.ID}))
			a.s.event("account")
		})
	}()
}

// showPasswordOnce shows the password the service generated, this once
// so the resident can note it, saying where it was kept: the keyring only
// when the keyring took it.
func (a *account) showPasswordOnce(pw string, kept flow.PasswordKeeping) {
	num := newBigNumber(a.s.win, tr("account.generated"), pw)
	a.shownPassword = num
	a.passwordNote = wrapped(tr(generatedNoteKey(kept)))
	newClosableDialog(tr("account.generated_title"), container.NewVBox(num.view(), a.passwordNote), a.s.win).Show()
}

// generatedNoteKey is the note under a generated password for where it
// was kept.
func generatedNoteKey(kept flow.PasswordKeeping) string {
	switch kept {
	case flow.PasswordInKeyring:
		return "account.generated_note"
	case flow.PasswordForThisRun:
		return "account.generated_note_run"
	}
	return "account.generated_note_unkept"
}

// onLogin logs in as the ID given, with the password kept for it, or
// asked for when none is.
func (a *account) onLogin() { a.logIn(false) }

// onLoginEntering logs in typing the password even when one is kept (it
// was changed, or was never kept on this computer).
func (a *account) onLoginEntering() { a.logIn(true) }

func (a *account) logIn(enter bool) {
	fa := a.s.flowApp()
	id := a.loginID()
	if fa == nil || id == "" {
		return
	}
	a.login.Disable()
	a.enter.Disable()
	a.status.SetText(tr("account.logging_in"))
	login := fa.Login
	if enter {
		login = fa.LoginEnteringPassword
	}
	go func() {
		sess, err := login(a.s.ctx, id, a.s.callbacks(nil))
		onMain(func() {
			a.updateButtons()
			if err != nil {
				if !errors.Is(err, errPINCancelled) {
					a.status.SetText(a.s.explain(err))
					a.s.event("error")
				}
				return
			}
			a.setID(sess.AccountID)
			a.status.SetText(tr("account.logged_in", map[string]any{"ID": sess.AccountID,
				"Until": sess.ExpiresAt.Local().Format("15:04")}))
			a.s.event("account")
		})
	}()
}

func (a *account) onLogout() {
	fa := a.s.flowApp()
	if fa == nil {
		return
	}
	newConfirmBox(tr("account.logout"), tr("Yes"), tr("No"), wrapped(tr("account.logout_confirm")), func(yes bool) {
		if yes {
			a.logoutNow(fa)
		}
	}, a.s.win).Show()
}

// logoutNow ends the session; the password stays in the keyring.
func (a *account) logoutNow(fa *flow.App) {
	go func() {
		ctx, cancel := context.WithTimeout(a.s.ctx, networkTimeout)
		defer cancel()
		_, err := fa.Logout(ctx, a.id, true)
		onMain(func() {
			if err != nil && !errors.Is(err, submit.ErrNotStored) {
				a.status.SetText(a.s.explain(err))
				return
			}
			a.status.SetText(tr("account.logged_out"))
			a.s.event("account")
		})
	}()
}

// confirmInPopup is Callbacks.ConfirmSign for screens outside the
// application wizard (registration): the same panel, in a dialog.
func (s *shell) confirmInPopup(ctx context.Context, pc *flow.Precheck) (bool, error) {
	answer := make(chan bool, 1)
	var pop *widget.PopUp
	onMain(func() {
		s.check = newPrecheckPanel(s, pc, answer)
		pop = widget.NewModalPopUp(container.NewPadded(s.check.view()), s.win.Canvas())
		pop.Resize(fyne.NewSize(720, 520))
		pop.Show()
		s.event("precheck")
	})
	defer onMain(func() { pop.Hide() })
	select {
	case yes := <-answer:
		return yes, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
