package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// eventRow is one step of an application's history as stored.
type eventRow struct {
	submit.StatusEvent
	Arrival          string
	MediaType        string
	Size             int64
	SignerCertSHA256 string
	IdemKey          string
}

// errWrongStatus is changeStatus's refusal: the application is not in
// one of the statuses the step may start from; the error holds the
// status it is in.
type errWrongStatus struct{ status submit.Status }

func (e *errWrongStatus) Error() string { return "service: the application is " + string(e.status) }

// changeStatus moves an application from one of the statuses from (any,
// when empty) to ev.Status and records ev as the next step of its
// history, in one transaction. A stored step with ev's idempotency key
// (an amendment sent again) is returned instead, with replay set.
func (s *sqlStore) changeStatus(ctx context.Context, ev eventRow, from []submit.Status) (prev *eventRow, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("service: change status: %w", err)
	}
	defer tx.Rollback()
	if ev.IdemKey != "" {
		p, err := scanEvent(tx.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM application_events
			WHERE arrival_number = ? AND idempotency_key = ?`, ev.Arrival, ev.IdemKey))
		switch {
		case err == nil:
			return p, nil
		case !errors.Is(err, errNoRow):
			return nil, err
		}
	}
	var status string
	err = tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE arrival_number = ?`, ev.Arrival).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errNoRow
	case err != nil:
		return nil, fmt.Errorf("service: change status: %w", err)
	}
	if len(from) > 0 && !slices.Contains(from, submit.Status(status)) {
		return nil, &errWrongStatus{status: submit.Status(status)}
	}
	at := ev.At.UnixNano()
	if _, err := tx.ExecContext(ctx, `UPDATE applications SET status = ?, updated_at = ? WHERE arrival_number = ?`,
		string(ev.Status), at, ev.Arrival); err != nil {
		return nil, fmt.Errorf("service: change status: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO application_events (arrival_number, seq, kind, status, at, notice_id,
		package_sha256, media_type, size, signer_cert_sha256, idempotency_key)
		VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM application_events WHERE arrival_number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Arrival, ev.Arrival, string(ev.Kind), string(ev.Status), at, nullable(ev.NoticeID), nullable(ev.PackageSHA256),
		nullable(ev.MediaType), ev.Size, nullable(ev.SignerCertSHA256), nullable(ev.IdemKey)); err != nil {
		return nil, fmt.Errorf("service: change status: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("service: change status: %w", err)
	}
	return nil, nil
}

const eventColumns = `arrival_number, kind, status, at, coalesce(notice_id, ''), coalesce(package_sha256, ''),
	coalesce(media_type, ''), coalesce(size, 0), coalesce(signer_cert_sha256, ''), coalesce(idempotency_key, '')`

func scanEvent(row interface{ Scan(...any) error }) (*eventRow, error) {
	var e eventRow
	var kind, status string
	var at int64
	err := row.Scan(&e.Arrival, &kind, &status, &at, &e.NoticeID, &e.PackageSHA256, &e.MediaType, &e.Size,
		&e.SignerCertSHA256, &e.IdemKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, fmt.Errorf("service: read event: %w", err)
	}
	e.Kind, e.Status, e.At = submit.EventKind(kind), submit.Status(status), time.Unix(0, at).In(jst)
	return &e, nil
}

// events returns an application's steps after its arrival, in order.
func (s *sqlStore) events(ctx context.Context, arrival string) ([]eventRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM application_events
		WHERE arrival_number = ? ORDER BY seq`, arrival)
	if err != nil {
		return nil, fmt.Errorf("service: list events: %w", err)
	}
	defer rows.Close()
	var out []eventRow
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// history is an application's whole history: its arrival, then its
// stored steps.
func (s *Service) history(ctx context.Context, a *applicationRow) ([]submit.StatusEvent, error) {
	evs, err := s.store.events(ctx, a.Arrival)
	if err != nil {
		return nil, err
	}
	out := []submit.StatusEvent{{Kind: submit.EventReceived, Status: submit.StatusReceived, At: a.ReceivedAt.In(jst)}}
	for _, e := range evs {
		out = append(out, e.StatusEvent)
	}
	return out, nil
}
