package flow

import (
	"archive/zip"
	"encoding/json"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/internal/jsonx"
	"github.com/shinsei-app/shinsei/signer"
)

// maxNoticeForm caps the notice's form read for its title and text.
const maxNoticeForm = 1 << 20

// noticeForm is what a notice's form (its package's rootfile) says.
type noticeForm struct {
	TitleJA string `json:"title_ja"`
	TitleEN string `json:"title_en"`
	BodyJA  string `json:"body_ja"`
	BodyEN  string `json:"body_en"`
}

// noticeText reads the title and text of a verified notice from its form
// (the file the manifest marks as the form, else notice.json). A side the
// notice does not give in one language is given in the other. Zero texts
// when the package has no readable form.
func noticeText(path string, files []signer.FileResult) (title, body i18n.Text) {
	var n noticeForm
	if !readNoticeForm(path, files, &n) {
		return
	}
	return both(n.TitleJA, n.TitleEN), both(n.BodyJA, n.BodyEN)
}

// readNoticeForm decodes the form of a verified notice package into v
// ; false when it cannot.
func readNoticeForm(path string, files []signer.FileResult, v any) bool {
	name := "notice.json"
	for _, f := range files {
		if f.Form {
			name = f.Name
			break
		}
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		data, err := iox.ReadAll(rc, maxNoticeForm)
		rc.Close()
		return err == nil && jsonx.CheckKeys(data) == nil && json.Unmarshal(data, v) == nil
	}
	return false
}

// both is a text in both languages, either side standing in for the
// other when it is missing.
func both(ja, en string) i18n.Text {
	if ja == "" {
		ja = en
	}
	if en == "" {
		en = ja
	}
	return i18n.Text{Ja: ja, En: en}
}
