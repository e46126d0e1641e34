package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxSecret bounds a PIN or password read from standard input.
const maxSecret = 1024

// readSecret reads a PIN or password: the first line of standard input with
// --pin-stdin, otherwise from the terminal without echo. Secrets are never
// taken from the command line. The caller wipes the returned bytes.
func readSecret(std *stdio, fromStdin bool, prompt string) ([]byte, error) {
	if fromStdin {
		line, err := bufio.NewReaderSize(io.LimitReader(std.in, maxSecret), maxSecret).ReadSlice('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, usageError("pipe the PIN as one line on standard input", "reading the PIN from standard input: %v", err)
		}
		secret := append([]byte(nil), trimNewline(line)...)
		clear(line)
		if len(secret) == 0 {
			return nil, usageError("pipe the PIN as one line on standard input, e.g. from a password manager", "no PIN on standard input")
		}
		return secret, nil
	}
	tty, ok := std.in.(*os.File)
	if !ok || !term.IsTerminal(int(tty.Fd())) {
		return nil, usageError("run it in a terminal, or pipe the PIN with --pin-stdin", "no terminal to ask for the PIN")
	}
	fmt.Fprint(std.err, prompt)
	secret, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(std.err)
	if err != nil {
		return nil, fmt.Errorf("reading the PIN from the terminal: %w", err)
	}
	return secret, nil
}

// readPassword reads an account password as readSecret reads a PIN, with
// the password's own words when there is none.
func readPassword(std *stdio, fromStdin bool, prompt string) ([]byte, error) {
	b, err := readSecret(std, fromStdin, prompt)
	var f *failure
	if errors.As(err, &f) && f.code == exitUsage {
		if fromStdin {
			return nil, usageError("pipe the password as one line on standard input (after the PIN line when --pin-stdin is given too)", "no password on standard input")
		}
		return nil, usageError("run it in a terminal, or pipe the password with --password-stdin", "no terminal to ask for the password")
	}
	return b, err
}

// lineAtATime hands out its reader one line per Read, so that two secrets
// (a PIN, then a password) can be read from standard input in turn.
type lineAtATime struct{ r io.Reader }

func (l lineAtATime) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := l.r.Read(p[n : n+1])
		n += m
		if m == 1 && p[n-1] == '\n' {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// confirm asks a yes/no question on the terminal ("はい" is yes too);
// without one it answers no.
func confirm(std *stdio, question string) bool {
	tty, ok := std.in.(*os.File)
	if !ok || !term.IsTerminal(int(tty.Fd())) {
		return false
	}
	fmt.Fprint(std.err, question, " [yes/no] ")
	answer, _ := bufio.NewReader(tty).ReadString('\n')
	answer = strings.TrimSpace(answer)
	return answer == "yes" || answer == "y" || answer == "はい"
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
