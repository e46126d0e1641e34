package explain

import (
	"errors"

	"github.com/shinsei-app/shinsei/i18n"
)

// Errors of the command line's own: shinseictl wraps a mistake in a flag
// or an operand in one of them, so that its words come from this table
// like every other error's. The window never meets them.
var (
	// ErrUnknownCommand: the command named is not one of shinseictl's.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrUsage: a flag or an operand is not as the command's synopsis
	// says.
	ErrUsage = errors.New("usage error")
)

// commandLine explains the command line's own errors; Of tries them after
// every core error, so that a flag's error which wraps a core error (a
// file that is not there) is explained by the core error.
var commandLine = []row{
	{err: ErrUnknownCommand, class: Usage, cmd: i18n.Text{Ja: "shinseictl help でコマンドの一覧をご確認ください。", En: "run 'shinseictl help' to see the commands"}, explanation: explanation{
		i18n.Text{Ja: "そのようなコマンドはありません。", En: "There is no such command."},
		i18n.Text{Ja: "コマンドの一覧をご確認ください。", En: "Please look at the list of commands."}}},
	{err: ErrUsage, class: Usage, cmd: i18n.Text{Ja: "shinseictl help でコマンドの使い方を、shinseictl コマンド -h で指定できる項目をご確認ください。", En: "run 'shinseictl help' for the commands, and 'shinseictl COMMAND -h' for a command's flags"}, explanation: explanation{
		i18n.Text{Ja: "コマンドの指定に誤りがあります。何も処理していません。", En: "The command was not given as it should be; nothing was done."},
		i18n.Text{Ja: "コマンドの使い方をご確認ください。", En: "Please look at how the command is used."}}},
}

// Known reports whether the table explains err (Of gives it more than
// the general message of an unknown error).
func Known(err error) bool {
	if err == nil {
		return true
	}
	if _, ok := typed(err); ok {
		return true
	}
	for _, rows := range [][]row{sentinels, commandLine} {
		for _, r := range rows {
			if errors.Is(err, r.err) {
				return true
			}
		}
	}
	return false
}
