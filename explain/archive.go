package explain

import (
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/signer"
)

// archiveRow explains one way an archive time-stamp does not hold.
type archiveRow struct {
	class Class
	explanation
}

// The hints shared by several archive reasons.
var (
	notAsArchived = i18n.Text{Ja: "このファイルは保管された申請データと同じではありません。申請先の窓口から保管されている申請データを取り寄せて、あらためて確認してください。", En: "This file is not the package as archived. Please obtain the archived package from the office it was filed with and check that one."}
	provesNothing = i18n.Text{Ja: "署名そのものの確認結果は有効ですが、長期保管の証拠にはなりません。申請先の窓口にお問い合わせください。", En: "The signature itself is checked on its own, but the archive timestamp proves nothing. Please contact the office the application was filed with."}
)

// archiveReasons explains the reasons of archive time-stamps
// (signer.ReasonArchive*), as a verification report gives them for a
// package the service archived: entries changed, missing or not sealed
// since are a definite negative (the package is not what was archived);
// a token that does not hold leaves the package undecided; an authority
// not trusted here proves nothing and says nothing against it.
var archiveReasons = map[string]archiveRow{
	signer.ReasonArchiveFileChanged: {Negative, explanation{
		i18n.Text{Ja: "申請データの一部が、保管用タイムスタンプ（アーカイブタイムスタンプ）の付与後に変更されています。", En: "Part of the package was changed after its archive timestamp was added."},
		notAsArchived}},
	signer.ReasonArchiveFileMissing: {Negative, explanation{
		i18n.Text{Ja: "保管用タイムスタンプの対象だったファイルが、申請データから取り除かれています。", En: "A file the archive timestamp covered has been removed from the package."},
		notAsArchived}},
	signer.ReasonArchiveFileUncovered: {Negative, explanation{
		i18n.Text{Ja: "保管用タイムスタンプの付与後に、申請データへファイルが追加されています。", En: "A file was added to the package after its archive timestamp."},
		i18n.Text{Ja: "追加されたファイルは保管の対象ではありません。申請先の窓口から保管されている申請データを取り寄せて、あらためて確認してください。", En: "The added file is not part of the archive. Please obtain the archived package from the office it was filed with and check that one."}}},
	signer.ReasonArchiveTimestampInvalid: {Indeterminate, explanation{
		i18n.Text{Ja: "保管用タイムスタンプが壊れているか、改ざんされています。", En: "The archive timestamp is damaged or has been altered."},
		provesNothing}},
	signer.ReasonArchiveImprintMismatch: {Indeterminate, explanation{
		i18n.Text{Ja: "保管用タイムスタンプが、この申請データの保管記録（ASiCArchiveManifest）とは別のデータに付けられたものです。", En: "The archive timestamp was issued over other data than this package's archive manifest."},
		provesNothing}},
	signer.ReasonArchiveNotTSA: {Indeterminate, explanation{
		i18n.Text{Ja: "保管用タイムスタンプを発行したのは、タイムスタンプ局として認められた証明書ではありません。", En: "The archive timestamp was not issued by a certificate of a timestamp authority (no timeStamping usage)."},
		provesNothing}},
	signer.ReasonArchiveUntrusted: {Done, explanation{
		i18n.Text{Ja: "保管用タイムスタンプのタイムスタンプ局は、ここでは信頼されていません（または証明書の期限が切れ、更新されていません）。", En: "The archive timestamp's authority is not trusted here (or its certificate expired and the archive timestamp was not renewed)."},
		i18n.Text{Ja: "保管用タイムスタンプは何も証明しませんが、申請データを否定するものでもありません。必要な場合は、タイムスタンプ局のルート証明書を信頼する設定にしてください。", En: "It proves nothing, and says nothing against the package. If needed, trust the timestamp authority's root certificate."}}},
}

// ArchiveReason explains reason, an archive time-stamp's
// (signer.ReasonArchive*): the exit class it gives a verification, and
// what to tell the user. False for a reason that is not one of them.
func ArchiveReason(reason string) (Entry, bool) {
	r, ok := archiveReasons[reason]
	if !ok {
		return Entry{}, false
	}
	return Entry{Class: r.class, Message: r.msg, Hint: r.hint}, true
}
