package flow

import (
	"context"
)

// VerifyNoticePDF verifies an official notice issued as a signed PDF
// (submit.Notice.PDF): a file on disk (ref.Path), or the notice of an
// application downloaded from the service (ref.Arrival and ref.ID) into
// the data directory's notices/ folder. Every signature of the PDF is
// verified by pades.Verify against the trust anchors, with the
// revocation sources of every check, and the answer is the one a
// package notice gets: integrity, certificate and revocation apart
// (Report and Files are not set; PDF is), as VerifyNotice answers for a
// PDF file. The error is for a file that
// cannot be fetched or read as a signed PDF at all (pades.ErrMalformed,
// pades.ErrNoSignature, …).
func (a *App) VerifyNoticePDF(ctx context.Context, ref NoticeRef) (*NoticeReport, error) {
	path := ref.Path
	if path == "" {
		var err error
		if path, err = a.fetchNoticeFile(ctx, StatusQuery{Arrival: ref.Arrival}, ref.ID, ".pdf", a.client.NoticePDF); err != nil {
			return nil, err
		}
	}
	return a.verifyPDFNotice(ctx, path, a.now())
}
