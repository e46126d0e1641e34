// Package explain is the one table that explains every error Shinsei can
// meet: for each sentinel or typed error of flow and of the core packages
// (pkcs11, pcsc, signer, certcheck, identity, submit), its exit class of
// the command-line contract, its message and its hint in Japanese and
// English, in the polite words of a municipal help desk. The window and
// shinseictl both read it. It decides by errors.Is and errors.As only,
// never by an error's text, and its texts hold no PIN, password or
// personal data. It imports no user interface.
package explain

import (
	"errors"

	"github.com/shinsei-app/shinsei/i18n"
)

// Class is an exit class of the command-line contract (DESIGN.md §4).
type Class int

// The exit classes.
const (
	// Done: good, valid, done.
	Done Class = 0
	// Negative: a definite negative (invalid signature, revoked, expired,
	// untrusted, identity mismatch, wrong PIN, refused by the service).
	Negative Class = 1
	// Usage: a usage error or unreadable input.
	Usage Class = 2
	// Environment: a part of the environment failed (module, token,
	// network, keyring).
	Environment Class = 3
	// Indeterminate: the answer could not be established (revocation
	// unknown, a reply lost after an upload).
	Indeterminate Class = 4
)

// Entry explains one error.
type Entry struct {
	// Class is the exit class.
	Class Class
	// Message says what happened; Hint what to do, in the window's words.
	Message, Hint i18n.Text
	// Command is the command line's hint where it names a flag or a
	// command; zero means Hint serves both.
	Command i18n.Text
}

// CommandHint is the hint the command line shows.
func (e Entry) CommandHint() i18n.Text {
	if e.Command.IsZero() {
		return e.Hint
	}
	return e.Command
}

// Of explains err. An error the table does not know gets a general
// message that asks to try again or to contact the help desk, with the
// class Environment. Of(nil) is the zero Entry (Done).
func Of(err error) Entry {
	if err == nil {
		return Entry{}
	}
	if e, ok := typed(err); ok {
		return e
	}
	for _, rows := range [][]row{sentinels, commandLine} {
		for _, r := range rows {
			if errors.Is(err, r.err) {
				return r.entry()
			}
		}
	}
	return unknown
}

// unknown is the entry of an error the table does not know.
var unknown = Entry{Class: Environment,
	Message: i18n.Text{Ja: "処理を完了できませんでした。", En: "The operation could not be completed."},
	Hint:    i18n.Text{Ja: "もう一度お試しください。" + helpDesk.Ja, En: "Please try again. " + helpDesk.En}}

func (r row) entry() Entry {
	return Entry{Class: r.class, Message: r.msg, Hint: r.hint, Command: r.cmd}
}
