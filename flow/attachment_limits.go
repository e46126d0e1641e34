package flow

import (
	"fmt"
	"os"
	"strconv"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// DefaultMaxPackageBytes is the service's limit on a package when the
// procedure announces none (api/openapi.yaml, "Limits").
const DefaultMaxPackageBytes = 64 << 20

// packageOverhead is the room a package keeps for what is neither the
// form nor an attachment: the signature with its certificates, the
// manifest and the mimetype; perFileOverhead is each file's ZIP headers.
// Files are stored, not compressed (signer.Build), so a package is about
// the sum of its files.
const (
	packageOverhead = 64 << 10
	perFileOverhead = 1 << 10
)

// MaxPackageBytes is the procedure's limit on a signed package: its
// catalogue's max_package_bytes, or the service's default.
func MaxPackageBytes(proc submit.Procedure) int64 {
	if proc.Form.MaxPackageBytes > 0 {
		return proc.Form.MaxPackageBytes
	}
	return DefaultMaxPackageBytes
}

// AttachmentBudget is how many bytes of attachments a package of the
// procedure holds, once a form of formBytes and the package's own files
// are counted; files is the number of files (form included).
func AttachmentBudget(proc submit.Procedure, formBytes int64, files int) int64 {
	return max(MaxPackageBytes(proc)-packageOverhead-formBytes-int64(files)*perFileOverhead, 0)
}

// CheckAttachments checks attachments against the procedure's limits as
// the service will, before anything is signed: their number
// (max_attachments) and their total size within the package's
// (max_package_bytes). The form is counted as it will be packaged. A file
// that cannot be looked at is left to the input checks (checkInputFile).
// It returns the first problem, on the "attachments" field, with the
// limit in words; nil when they fit. The window calls it when a file is
// added; Sign and SignFiles before any PIN is asked, and the pre-check.
func CheckAttachments(proc submit.Procedure, form *submit.FormDocument, attachments []string) *FieldProblem {
	var formBytes int64
	if form != nil {
		if b, err := marshalForm(form); err == nil {
			formBytes = int64(len(b))
			clear(b)
		}
	}
	return checkAttachments(proc, formBytes, attachments)
}

// checkAttachments is CheckAttachments for a form of formBytes.
func checkAttachments(proc submit.Procedure, formBytes int64, attachments []string) *FieldProblem {
	if n, limit := len(attachments), proc.Form.MaxAttachments; n > limit {
		return &FieldProblem{Field: "attachments", Message: i18n.Text{
			Ja: fmt.Sprintf("添付ファイルは%d件までです（選んだファイルは%d件）。不要なファイルを外してください。", limit, n),
			En: fmt.Sprintf("At most %d attachments are accepted (%d were chosen). Please remove the ones not needed.", limit, n)}}
	}
	var total int64
	for _, p := range attachments {
		total += fileSize(p)
	}
	budget := AttachmentBudget(proc, formBytes, len(attachments)+1)
	if total <= budget {
		return nil
	}
	limit, now := sizeText(MaxPackageBytes(proc), false), sizeText(total, true)
	return &FieldProblem{Field: "attachments", Message: i18n.Text{
		Ja: fmt.Sprintf("この手続きで送れる申請データは、添付ファイルを含めて%sまでです（選んだ添付ファイルは合計%s）。ファイルを減らすか、小さくしてください。", limit, now),
		En: fmt.Sprintf("This procedure accepts at most %s per application, attachments included (the attachments chosen total %s). Please remove some or make them smaller.", limit, now)}}
}

// precheckAttachments adds a red form line when the attachments no
// longer fit the procedure's limits (a file grew since it was chosen).
func precheckAttachments(p *Precheck, proc *submit.Procedure, form *submit.FormDocument, attachments []string) {
	if proc == nil {
		return
	}
	if pr := CheckAttachments(*proc, form, attachments); pr != nil {
		p.Lines = append(p.Lines, PrecheckLine{ID: LineForm, Field: pr.Field, Finding: Finding{Level: Red, Message: pr.Message,
			Todo: i18n.Text{Ja: "添付ファイルを直してから、もう一度お試しください。", En: "Please correct the attachments and try again."}}})
	}
}

// PackageLimitText is the procedure's limit on a package in words
// ("64MB"), as the window shows it beside the attachments.
func PackageLimitText(proc submit.Procedure) string {
	return sizeText(MaxPackageBytes(proc), false)
}

// sizeText writes n bytes as people read it: "64MB", "3.9MB", "120KB",
// to one decimal at most, rounded up (up) or down.
func sizeText(n int64, up bool) string {
	unit, name := int64(1<<20), "MB"
	if n < 1<<20 {
		unit, name = 1<<10, "KB"
	}
	tenths := n * 10 / unit
	if up && n*10%unit != 0 {
		tenths++
	}
	if tenths%10 == 0 || tenths >= 100 {
		whole := tenths / 10
		if up && tenths%10 != 0 {
			whole++
		}
		return strconv.FormatInt(whole, 10) + name
	}
	return strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10) + name
}

// fileSize is the size of a regular file, 0 when it cannot be told.
func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return fi.Size()
	}
	return 0
}
