package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	register *widget.Button
	p12      *widget.Button
	login    *widget.Button
	logout   *widget.Button
	id       string
	box      fyne.CanvasObject
}

func newAccount(s *shell) *account {
	a := &account{s: s, current: wrapped(""), status: wrapped("")}
	a.current.TextStyle.Bold = true
	a.choose = widget.NewCheck(tr("account.choose_password"), nil)
	a.register = widget.NewButtonWithIcon(tr("account.register_card"), theme.AccountIcon(), a.onRegisterCard)
	a.p12 = widget.NewButtonWithIcon(tr("account.register_p12"), theme.FileIcon(), a.onRegisterP12)
	a.login = widget.NewButtonWithIcon(tr("account.login"), theme.LoginIcon(), a.onLogin)
	a.logout = widget.NewButtonWithIcon(tr("account.logout"), theme.LogoutIcon(), a.onLogout)
	a.box = container.NewVScroll(container.NewVBox(heading(tr("account.title")), wrapped(tr("account.intro")),
		a.current, a.status,
		widget.NewCard(tr("account.register_title"), tr("account.register_intro"),
			container.NewVBox(a.choose, container.NewHBox(a.register, a.p12))),
		widget.NewCard(tr("account.login_title"), tr("account.login_intro"), container.NewHBox(a.login, a.logout))))
	return a
}

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
			a.id = id
			if err != nil || id == "" {
				a.current.SetText(tr("account.none"))
				return
			}
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
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
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
	a.register.Disable()
	a.status.SetText(tr("account.registering"))
	cb := a.s.callbacks(nil)
	cb.ConfirmSign = a.s.confirmInPopup
	req := flow.RegisterRequest{Credential: choice, ChoosePassword: a.choose.Checked}
	go func() {
		acct, err := fa.Register(a.s.ctx, req, cb)
		onMain(func() {
			a.register.Enable()
			if err != nil {
				a.status.SetText(a.s.explain(err))
				a.s.event("error")
				return
			}
			a.status.SetText(tr("account.registered", map[string]any{"ID": acct.ID}))
			if acct.GeneratedPassword != "" {
				a.showPasswordOnce(acct.GeneratedPassword)
			}
			a.id = acct.ID
			a.current.SetText(tr("account.current", map[string]any{"ID": acct.ID}))
			a.s.event("account")
		})
	}()
}

// showPasswordOnce shows the password the service generated: it is kept
// in the keyring, and shown this once so the resident can note it.
func (a *account) showPasswordOnce(pw string) {
	num := newBigNumber(a.s.win, tr("account.generated"), pw)
	dialog.NewCustom(tr("account.generated_title"), tr("common.close"),
		container.NewVBox(num.view(), wrapped(tr("account.generated_note"))), a.s.win).Show()
}

func (a *account) onLogin() {
	fa := a.s.flowApp()
	if fa == nil {
		return
	}
	a.login.Disable()
	a.status.SetText(tr("account.logging_in"))
	go func() {
		sess, err := fa.Login(a.s.ctx, a.id, a.s.callbacks(nil))
		onMain(func() {
			a.login.Enable()
			if err != nil {
				if !errors.Is(err, errPINCancelled) {
					a.status.SetText(a.s.explain(err))
					a.s.event("error")
				}
				return
			}
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
	dialog.NewConfirm(tr("account.logout"), tr("account.logout_confirm"), func(yes bool) {
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
