package flow

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// BatchConcurrency is how many packages SubmitBatch sends, and how many
// applications StatusAll asks about, at a time.
const BatchConcurrency = 4

// FiledStatus is what became of one package of SubmitBatch.
type FiledStatus string

// Outcomes of a package in a batch filing.
const (
	// FiledDelivered: the service received it; Record is the receipt.
	FiledDelivered FiledStatus = "delivered"
	// FiledSkipped: not sent — the journal already holds a receipt for
	// the very same package (SHA-256) from this service, or the same
	// package is earlier in the batch. Record is that receipt, if any.
	FiledSkipped FiledStatus = "skipped"
	// FiledAlreadyFiled: sent, and the service answered that it already
	// holds this signed package (*AlreadyFiledError); not stored again.
	FiledAlreadyFiled FiledStatus = "already-filed"
	// FiledFailed: not received; Err says why (it may wait in the outbox
	// to be sent with SendPending, or was refused).
	FiledFailed FiledStatus = "failed"
)

// Filed is one package of SubmitBatch and its outcome.
type Filed struct {
	Path   string      `json:"path"`
	SHA256 string      `json:"package_sha256,omitempty"`
	Status FiledStatus `json:"status"`
	// Record is the receipt: the new one (FiledDelivered), or the earlier
	// one a skipped package has.
	Record *submit.Record `json:"receipt,omitempty"`
	// Err is why it was not delivered (FiledFailed, FiledAlreadyFiled).
	Err error `json:"-"`
}

// BatchSubmitRequest is what SubmitBatch files.
type BatchSubmitRequest struct {
	// Paths are signed packages (.asice) or JSON forms, as Submit takes
	// one (SubmitRequest.Path).
	Paths []string
	// Account and EnterPassword are as for Submit.
	Account       string
	EnterPassword bool
}

// SubmitBatch files many packages through the outbox as Submit files one,
// BatchConcurrency at a time, and reports each outcome through onItem (as
// it is known; from one goroutine at a time) and in the result, in the
// order given. Nothing is filed twice: a package whose SHA-256 the
// journal holds a receipt for is skipped (FiledSkipped, with that
// receipt), and so is a package given twice. The first package is sent
// alone, so a login it needs (a password asked through Callbacks.Secret)
// is made once for the batch. Callbacks are called from one goroutine at
// a time. A package that fails does not stop the others; the error
// returned is ctx's when it ended the batch, else nil.
func (a *App) SubmitBatch(ctx context.Context, req BatchSubmitRequest, cb Callbacks, onItem func(Filed)) ([]Filed, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	out := make([]Filed, len(req.Paths))
	var mu sync.Mutex // guards onItem and the callbacks
	report := func(i int) {
		if onItem != nil {
			mu.Lock()
			onItem(out[i])
			mu.Unlock()
		}
	}
	cb = serialCallbacks(cb, &mu)
	// The same package twice in the batch is sent once.
	first := map[string]int{}
	var todo []int
	for i, p := range req.Paths {
		out[i] = Filed{Path: p, Status: FiledFailed}
		sum, err := batchFileSHA256(ctx, p)
		if err != nil {
			out[i].Err = err
			report(i)
			continue
		}
		out[i].SHA256 = sum
		if _, ok := first[sum]; ok {
			out[i].Status = FiledSkipped
			continue // reported with its first copy's receipt below
		}
		first[sum] = i
		todo = append(todo, i)
	}
	send := func(i int) {
		if sendingHook != nil {
			sendingHook(+1)
			defer sendingHook(-1)
		}
		f := &out[i]
		rec, err := a.Submit(ctx, SubmitRequest{Path: f.Path, Account: req.Account, EnterPassword: req.EnterPassword}, cb)
		var ar *AlreadyReceivedError
		switch {
		case errors.As(err, &ar):
			f.Status, f.Record = FiledSkipped, &ar.Record
		case errors.Is(err, ErrAlreadyFiled):
			f.Status, f.Err = FiledAlreadyFiled, err
		case err != nil && rec == nil:
			f.Err = err
		default:
			// A receipt that could not be journaled is still a receipt.
			f.Status, f.Record, f.Err = FiledDelivered, rec, err
		}
		report(i)
	}
	if len(todo) > 0 {
		send(todo[0])
		todo = todo[1:]
	}
	sem := make(chan struct{}, BatchConcurrency)
	var wg sync.WaitGroup
	for _, i := range todo {
		if ctx.Err() != nil {
			out[i].Err = &Error{Op: "submit " + out[i].Path, Err: ctx.Err()}
			report(i)
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			send(i)
		}()
	}
	wg.Wait()
	for i := range out {
		if out[i].Status != FiledSkipped || out[i].Record != nil || out[i].SHA256 == "" {
			continue
		}
		if j := first[out[i].SHA256]; j != i {
			out[i].Record = out[j].Record
			report(i)
		}
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	return out, nil
}

// sendingHook, set by tests, is told when SubmitBatch starts (+1) and
// ends (-1) sending one package.
var sendingHook func(delta int)

// serialCallbacks wraps cb so that its callbacks are called from one
// goroutine at a time.
func serialCallbacks(cb Callbacks, mu *sync.Mutex) Callbacks {
	s := cb
	if cb.Secret != nil {
		s.Secret = func(ctx context.Context, r SecretRequest) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			return cb.Secret(ctx, r)
		}
	}
	if cb.PIN != nil {
		s.PIN = func(ctx context.Context, r pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			mu.Lock()
			defer mu.Unlock()
			return cb.PIN(ctx, r)
		}
	}
	if cb.Progress != nil {
		s.Progress = func(st Stage, done, total int64) {
			mu.Lock()
			defer mu.Unlock()
			cb.Progress(st, done, total)
		}
	}
	if cb.Queued != nil {
		s.Queued = func(it submit.Item, p submit.Procedure) {
			mu.Lock()
			defer mu.Unlock()
			cb.Queued(it, p)
		}
	}
	return s
}

// batchFileSHA256 is the hex SHA-256 of a file given to SubmitBatch,
// after the input checks every file gets (a FIFO or device is never
// opened).
func batchFileSHA256(ctx context.Context, path string) (string, error) {
	if err := checkInputFile(path); err != nil {
		return "", err
	}
	sum, err := fileSHA256(ctx, path)
	if err != nil {
		return "", inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, err))
	}
	return sum, nil
}

// StatusOf is one application's answer of StatusAll.
type StatusOf struct {
	Record submit.Record
	// Status is the service's answer; nil when Err.
	Status *submit.ApplicationStatus
	Err    error
}

// StatusAll asks the service where every application of the journal is
// (each arrival number once, newest receipt first), BatchConcurrency at a
// time, as Status asks about one, and reports each through onItem (from
// one goroutine at a time) and in the result, in the journal's order.
// The first one is asked alone, so a login it needs is made once. An
// application that could not be asked about does not stop the others;
// the error returned is the journal's or ctx's.
func (a *App) StatusAll(ctx context.Context, enterPassword bool, cb Callbacks, onItem func(StatusOf)) ([]StatusOf, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	recs, err := a.Receipts()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var all []StatusOf
	for i := len(recs) - 1; i >= 0; i-- {
		if !seen[recs[i].ArrivalNumber] {
			seen[recs[i].ArrivalNumber] = true
			all = append(all, StatusOf{Record: recs[i]})
		}
	}
	var mu sync.Mutex
	cb = serialCallbacks(cb, &mu)
	ask := func(i int) {
		s := &all[i]
		s.Status, s.Err = a.StatusAsking(ctx, StatusQuery{Arrival: s.Record.ArrivalNumber, EnterPassword: enterPassword}, cb)
		if s.Err != nil {
			s.Status = nil
		}
		if onItem != nil {
			mu.Lock()
			onItem(*s)
			mu.Unlock()
		}
	}
	if len(all) > 0 {
		ask(0)
	}
	sem := make(chan struct{}, BatchConcurrency)
	var wg sync.WaitGroup
	for i := 1; i < len(all) && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ask(i)
		}()
	}
	wg.Wait()
	return all, ctx.Err()
}

// ReceiptsCSVHeader is the first row ReceiptsCSV writes.
var ReceiptsCSVHeader = []string{"received_at", "arrival_number", "inquiry_number", "procedure", "file", "package_sha256", "service", "account"}

// ReceiptsCSV writes receipts as CSV (RFC 4180, UTF-8, a header row),
// for a spreadsheet. A cell a spreadsheet would take for a formula (one
// starting with =, +, -, @, a tab or a carriage return) is written with a
// leading apostrophe.
func ReceiptsCSV(w io.Writer, recs []submit.Record) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ReceiptsCSVHeader); err != nil {
		return err
	}
	for _, r := range recs {
		row := []string{r.ReceivedAt.Format(time.RFC3339), r.ArrivalNumber, r.InquiryNumber, r.Procedure, r.File, r.PackageSHA256, r.Service, r.Account}
		for i, c := range row {
			if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
				row[i] = "'" + c
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
