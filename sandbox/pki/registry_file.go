package pki

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"time"
)

// A registry shared through a file: every Record, Revoke, Hold and
// Release of any process whose registry shares the file is appended to
// it as one JSON line, and every query first applies the lines other
// processes appended. So the virtual card ('shinsei-sandbox card
// --sandbox DIR') can issue and revoke certificates that the reference
// service and the responders of 'serve --dir DIR' answer for.

type journalOp string

const (
	opRecord  journalOp = "record"
	opRevoke  journalOp = "revoke"
	opRelease journalOp = "release"
)

// journalEntry is one line of a shared registry file.
type journalEntry struct {
	Op     journalOp `json:"op"`
	CA     string    `json:"ca"`     // hex SHA-256 of the CA's certificate
	Serial string    `json:"serial"` // hex serial number
	Reason int       `json:"reason,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

type sharedFile struct {
	path string
	off  int64 // how far the file has been applied
}

func caKey(ca *CA) string {
	sum := sha256.Sum256(ca.Cert.Raw)
	return hex.EncodeToString(sum[:])
}

// ShareFile makes r share its state with every registry on the file at
// path (created 0600 when missing): what is in the file already is
// applied now; from now on r's changes go to the file. What r recorded
// before stays r's own.
func (r *Registry) ShareFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("pki: registry file: %w", err)
	}
	f.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.file = &sharedFile{path: path}
	r.catchUp()
	return nil
}

// share appends e to the shared file and applies what the file holds;
// false when r shares no file, or the file cannot be written (the change
// is then r's own).
func (r *Registry) share(e journalEntry) bool {
	if r.file == nil {
		return false
	}
	line, err := json.Marshal(e)
	if err != nil {
		return false
	}
	f, err := os.OpenFile(r.file.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return false
	}
	// One write of one line with O_APPEND: lines of several processes
	// never interleave.
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false
	}
	r.catchUp()
	return true
}

// catchUp applies the complete lines appended to the shared file since
// the last time. Unreadable lines are skipped.
func (r *Registry) catchUp() {
	if r.file == nil {
		return
	}
	f, err := os.Open(r.file.path)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Seek(r.file.off, io.SeekStart); err != nil {
		return
	}
	br := bufio.NewReader(f)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return // EOF, or a line still being written: read it next time
		}
		r.file.off += int64(len(line))
		var e journalEntry
		if json.Unmarshal(bytes.TrimSpace(line), &e) == nil {
			r.apply(e)
		}
	}
}

// apply makes e part of r's state; applying it twice changes nothing.
func (r *Registry) apply(e journalEntry) {
	raw, err := hex.DecodeString(e.CA)
	serial, ok := new(big.Int).SetString(e.Serial, 16)
	if err != nil || len(raw) != sha256.Size || !ok {
		return
	}
	st := r.stateOf([32]byte(raw))
	key := serialKey(serial)
	switch e.Op {
	case opRecord:
		st.issued[key] = true
	case opRevoke:
		if prev, ok := st.revoked[key]; ok && prev.Reason != ReasonCertificateHold {
			return
		}
		st.revoked[key] = Revoked{Serial: serial, Reason: RevocationReason(e.Reason), At: e.At}
	case opRelease:
		if prev, ok := st.revoked[key]; ok && prev.Reason == ReasonCertificateHold {
			delete(st.revoked, key)
		}
	}
}
