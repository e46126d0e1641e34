package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/shinsei-app/shinsei/i18n"
	usersettings "github.com/shinsei-app/shinsei/settings"
)

// settings edits the service URL, the PKCS#11 module (detected, or a path
// given), the trust anchors, the proxy and the language, and saves them
// to the settings file. Saving reopens the connection with them.
type settings struct {
	s          *shell
	serviceURL *widget.Entry
	anchors    *tabEntry // service TLS anchors, one file per line
	system     *widget.Check
	module     *widget.SelectEntry
	trust      *tabEntry // signers' trust anchors, one per line
	proxy      *widget.Entry
	lang       *widget.RadioGroup
	status     *textLabel
	save       *focusButton
	box        fyne.CanvasObject
}

func newSettings(s *shell) *settings {
	set := s.opts.Settings
	st := &settings{s: s, serviceURL: widget.NewEntry(), anchors: newTabEntry(),
		module: widget.NewSelectEntry(append([]string{""}, s.opts.Modules...)), trust: newTabEntry(),
		proxy: widget.NewEntry(), status: wrapped("")}
	st.serviceURL.SetText(set.ServiceURL)
	st.serviceURL.SetPlaceHolder("https://")
	st.anchors.SetText(strings.Join(set.ServiceAnchors, "\n"))
	st.anchors.SetMinRowsVisible(2)
	st.system = widget.NewCheck(tr("settings.system_roots"), nil)
	st.system.SetChecked(set.SystemRoots)
	st.module.SetText(set.Module)
	st.module.SetPlaceHolder(tr("settings.module_auto"))
	st.trust.SetText(strings.Join(set.TrustAnchors, "\n"))
	st.trust.SetMinRowsVisible(2)
	st.proxy.SetText(set.Proxy)
	st.proxy.SetPlaceHolder(tr("settings.proxy_env"))
	st.lang = widget.NewRadioGroup([]string{"日本語", "English"}, nil)
	st.lang.Horizontal = true
	if set.Lang == i18n.English {
		st.lang.SetSelected("English")
	} else {
		st.lang.SetSelected("日本語")
	}
	st.save = newButtonWithIcon(tr("settings.save"), theme.DocumentSaveIcon(), st.onSave)
	st.save.Importance = widget.HighImportance
	form := newFieldForm(
		widget.NewFormItem(tr("settings.service"), withName(tr("settings.service"), st.serviceURL)),
		widget.NewFormItem(tr("settings.service_anchors"), withName(tr("settings.service_anchors"), st.anchors)),
		widget.NewFormItem("", checkNamed(st.system)),
		widget.NewFormItem(tr("settings.module"), withName(tr("settings.module"), st.module)),
		widget.NewFormItem(tr("settings.trust"), withName(tr("settings.trust"), st.trust)),
		widget.NewFormItem(tr("settings.proxy"), withName(tr("settings.proxy"), st.proxy)),
		widget.NewFormItem(tr("settings.lang"), withName(tr("settings.lang"), st.lang)),
	)
	top := container.NewVBox(heading(tr("settings.title")), wrapped(tr("settings.intro")))
	if s.opts.Sandbox {
		n := wrapped(tr("settings.sandbox"))
		n.Importance = widget.WarningImportance
		top.Add(n)
	}
	st.box = container.NewVScroll(container.NewVBox(top, form, container.NewHBox(st.save), st.status))
	return st
}

func (st *settings) view() fyne.CanvasObject { return st.box }

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// current is the settings as edited.
func (st *settings) current() Settings {
	set := st.s.opts.Settings
	set.ServiceURL = strings.TrimSpace(st.serviceURL.Text)
	set.ServiceAnchors = lines(st.anchors.Text)
	set.SystemRoots = st.system.Checked
	set.Module = strings.TrimSpace(st.module.Text)
	set.TrustAnchors = lines(st.trust.Text)
	set.Proxy = strings.TrimSpace(st.proxy.Text)
	set.Lang = i18n.Japanese
	if st.lang.Selected == "English" {
		set.Lang = i18n.English
	}
	return set
}

// onSave writes the settings file and reconnects with the new settings;
// a new language shows after a restart.
func (st *settings) onSave() {
	set := st.current()
	if st.s.opts.SettingsPath != "" {
		if err := usersettings.Save(st.s.opts.SettingsPath, set); err != nil {
			st.status.SetText(st.s.explain(err))
			return
		}
	}
	langChanged := set.Lang != st.s.opts.Settings.Lang
	st.s.opts.Settings = set
	msg := tr("settings.saved")
	if langChanged {
		msg += "\n" + tr("settings.restart")
	}
	st.status.SetText(msg)
	if !st.s.opts.Sandbox {
		st.s.reopen(set)
	}
}
