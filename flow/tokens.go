package flow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// libraries returns the PKCS#11 libraries to use, loading the configured
// or found modules on the first call; none with Config.NoModules. Modules
// that cannot be loaded are remembered in a.libErrs.
func (a *App) libraries(ctx context.Context) ([]libraryEntry, []libraryProblem, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if a.cfg.NoModules {
		return nil, nil, nil
	}
	a.libMu.Lock()
	defer a.libMu.Unlock()
	if a.libs != nil || a.libErrs != nil {
		return a.libs, a.libErrs, nil
	}
	if a.cfg.Libraries != nil {
		for i, l := range a.cfg.Libraries {
			name := fmt.Sprintf("library %d", i+1)
			if info, err := l.Info(ctx); err == nil && info.Description != "" {
				name = info.Description
			}
			a.libs = append(a.libs, libraryEntry{path: fmt.Sprintf("library:%d", i), name: name, lib: l})
		}
		return a.libs, nil, nil
	}
	var files []pkcs11.ModuleFile
	if a.cfg.Module != "" {
		files = []pkcs11.ModuleFile{{Name: filepath.Base(a.cfg.Module), Path: a.cfg.Module}}
	} else {
		files = pkcs11.FindModules()
	}
	for _, m := range files {
		lib, err := pkcs11.Open(m.Path)
		if err != nil {
			a.libErrs = append(a.libErrs, libraryProblem{path: m.Path, err: err})
			continue
		}
		a.own = append(a.own, lib)
		a.libs = append(a.libs, libraryEntry{path: m.Path, name: m.Name, lib: lib})
	}
	if len(files) == 0 {
		a.libErrs = append(a.libErrs, libraryProblem{err: ErrNoModule})
	}
	return a.libs, a.libErrs, nil
}

// triesReader is the configured reader of exact PIN tries.
func (a *App) triesReader() pkcs11.TriesReader {
	if a.cfg.TriesReader != nil {
		return a.cfg.TriesReader
	}
	return pcsc.JPKITries{Kept: &a.pcsc}
}

// openToken opens the chosen token to log in: in the chosen module, or in
// the first configured module that has it, reading its tries through
// tries at Login. The caller closes the token.
func (a *App) openToken(ctx context.Context, choice CredentialChoice, tries pkcs11.TriesReader) (*pkcs11.Token, libraryEntry, error) {
	libs, probs, err := a.libraries(ctx)
	if err != nil {
		return nil, libraryEntry{}, err
	}
	var firstErr error
	for _, e := range libs {
		if choice.Module != "" && e.path != choice.Module {
			continue
		}
		// Opened to log in at once: the tries are read by Login, just
		// before the prompt, not once more at the opening.
		tok, err := e.lib.OpenToken(ctx, choice.Token, pkcs11.WithTriesReaderAtLogin(tries))
		if err == nil {
			return tok, e, nil
		}
		if firstErr == nil || errors.Is(firstErr, pkcs11.ErrNoToken) {
			firstErr = err
		}
	}
	if firstErr == nil {
		for _, p := range probs {
			if choice.Module == "" || p.path == choice.Module {
				firstErr = p.err
				break
			}
		}
	}
	if firstErr == nil {
		firstErr = pkcs11.ErrNoToken
		if len(libs) == 0 {
			firstErr = ErrNoModule
		}
	}
	return nil, libraryEntry{}, &Error{Op: choice.String(), Err: firstErr}
}
