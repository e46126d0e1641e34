package submit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// The statuses of an application's life after its receipt: withdrawn by
// the applicant, or waiting for the applicant's correction.
const (
	// StatusWithdrawn: the applicant withdrew the application (取下げ)
	// before the municipality processed it.
	StatusWithdrawn Status = "withdrawn"
	// StatusCorrectionRequested: the municipality asked for a correction
	// (補正依頼) with a signed notice naming the fields; the applicant
	// answers with an amendment (POST /applications/{arrival}/amendments).
	StatusCorrectionRequested Status = "correction-requested"
)

// Settled reports whether waiting for the municipality is over for now:
// the application is completed, returned or withdrawn, or waits for the
// applicant's correction. Poll stops there by default.
func (s Status) Settled() bool {
	switch s {
	case StatusCompleted, StatusReturned, StatusWithdrawn, StatusCorrectionRequested:
		return true
	}
	return false
}

// Refusals of withdrawals and amendments.
const (
	// ReasonAlreadyProcessed: the municipality processed the application
	// (completed or returned), so it can no longer be withdrawn or asked
	// to be corrected (409).
	ReasonAlreadyProcessed Reason = "already-processed"
	// ReasonNotApplicant: a signed withdrawal or amendment was signed by
	// someone other than the holder of the certificate that signed the
	// application (403).
	ReasonNotApplicant Reason = "not-applicant"
	// ReasonAmendmentNotRequested: no correction is asked for the
	// application now (none was, it was answered, or it was withdrawn) (409).
	ReasonAmendmentNotRequested Reason = "amendment-not-requested"
)

// EventKind is what a step of an application's history was.
type EventKind string

// The steps of an application's history.
const (
	EventReceived            EventKind = "received"             // 到達
	EventAdvanced            EventKind = "advanced"             // the municipality moved it along
	EventWithdrawn           EventKind = "withdrawn"            // 取下げ
	EventCorrectionRequested EventKind = "correction-requested" // 補正依頼, with its notice
	EventAmended             EventKind = "amended"              // 補正, the amendment received
)

// StatusEvent is one step of an application's history
// (ApplicationStatus.History), oldest first.
type StatusEvent struct {
	Kind EventKind `json:"kind"`
	// Status is the application's status from this step on.
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	// NoticeID is the notice issued with the step (a correction request).
	NoticeID string `json:"notice_id,omitempty"`
	// PackageSHA256 is the hex SHA-256 of the body of an amendment.
	PackageSHA256 string `json:"package_sha256,omitempty"`
}

// Withdrawal is a request to withdraw an application (POST
// /applications/{arrival}/withdrawal): the JSON body for the levels none
// and idpw, and the form of a signed package for the signature levels.
type Withdrawal struct {
	Type          string `json:"type"` // "withdrawal"
	ArrivalNumber string `json:"arrival_number"`
	// Reason is the applicant's own words, optional.
	Reason string `json:"reason,omitempty"`
}

// WithdrawalType is Withdrawal.Type.
const WithdrawalType = "withdrawal"

// CorrectionNoticeType is the "type" of a correction request's notice
// form, which also carries "fields" (the form's fields to correct, as
// "applicant.NAME" or "fields.NAME") and "reason_ja"/"reason_en".
const CorrectionNoticeType = "correction-request"

// LastEvent returns the last step of kind in st's history, or nil.
func (st *ApplicationStatus) LastEvent(kind EventKind) *StatusEvent {
	for i := len(st.History) - 1; i >= 0; i-- {
		if st.History[i].Kind == kind {
			return &st.History[i]
		}
	}
	return nil
}

// Withdraw asks the service to withdraw an application (POST
// /applications/{arrival}/withdrawal). mediaType is MediaJSON for a
// Withdrawal (levels none and idpw, with auth) or MediaASiCE for a signed
// package whose form is one (levels signature and idpw+signature; the
// latter with the owner's session in auth). A second withdrawal of a
// withdrawn application answers its status again. One the municipality
// processed is ReasonAlreadyProcessed.
func (c *Client) Withdraw(ctx context.Context, arrival string, auth Auth, mediaType string, body []byte) (*ApplicationStatus, error) {
	if arrival == "" {
		return nil, errors.New("submit: no arrival number")
	}
	var st ApplicationStatus
	err := c.do(ctx, call{method: http.MethodPost, path: "/applications/" + url.PathEscape(arrival) + "/withdrawal",
		header: auth.header(), token: auth.Token, body: bytes.NewReader(body), size: int64(len(body)), contentType: mediaType,
		ok: []int{http.StatusOK}}, c.readJSON(&st))
	if err != nil {
		return nil, err
	}
	if st.ArrivalNumber != arrival {
		return nil, badReply("withdrawal: for another arrival number")
	}
	return &st, nil
}

// Amendment is an answer to a correction request.
type Amendment struct {
	// Arrival is the original application's arrival number.
	Arrival string
	// IdempotencyKey is generated once per amendment and sent with every
	// attempt.
	IdempotencyKey string
	// Auth proves the right to the application (the owner's session, or
	// the inquiry number of an anonymous one); a signed amendment proves
	// it by its signature.
	Auth Auth
	// MediaType is MediaASiCE or MediaJSON; Body and Size the content.
	MediaType string
	Body      io.ReaderAt
	Size      int64
}

// Amend files an amendment of an application the municipality asked to
// correct (POST /applications/{arrival}/amendments). It returns the
// application's status and whether it is a replay (200: the service had
// stored this key with the same content). An application that is not
// waiting for a correction is ReasonAmendmentNotRequested.
func (c *Client) Amend(ctx context.Context, a Amendment) (*ApplicationStatus, bool, error) {
	if a.Arrival == "" {
		return nil, false, errors.New("submit: no arrival number")
	}
	if !idemKeyRE.MatchString(a.IdempotencyKey) {
		return nil, false, errors.New("submit: the idempotency key must be 16–64 of A–Z, a–z, 0–9, _ and -")
	}
	h := a.Auth.header()
	h.Set(HeaderIdemKey, a.IdempotencyKey)
	var st ApplicationStatus
	status := 0
	read := c.readJSON(&st)
	err := c.do(ctx, call{method: http.MethodPost, path: "/applications/" + url.PathEscape(a.Arrival) + "/amendments",
		header: h, token: a.Auth.Token, body: a.Body, size: a.Size, contentType: a.MediaType,
		ok:      []int{http.StatusCreated, http.StatusOK},
		timeout: c.timeout + time.Duration(a.Size>>20)*time.Second,
	}, func(resp *http.Response) error { status = resp.StatusCode; return read(resp) })
	if err != nil {
		return nil, false, err
	}
	if st.ArrivalNumber != a.Arrival {
		return nil, false, badReply("amendment: for another arrival number")
	}
	return &st, status == http.StatusOK, nil
}
