package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// apiProblem is a refusal on its way to the client: the HTTP status and
// the submit.Problem body, plus Retry-After for 423 and 429. It is an
// error so that the service's steps can return it through ordinary error
// paths; its text is the reason and detail only, never personal data.
type apiProblem struct {
	Status     int
	Problem    submit.Problem
	RetryAfter time.Duration
	// Aborted marks a request the client gave up (closed the connection
	// mid-body, or cancelled): logged as an abort, not as a refusal.
	Aborted bool
}

func (p *apiProblem) Error() string {
	if p.Problem.Detail != "" {
		return fmt.Sprintf("%s (%s)", p.Problem.Reason, p.Problem.Detail)
	}
	return string(p.Problem.Reason)
}

// reasonMessage is the default status and wording of a reason. The Japanese
// is written the way a municipal help desk speaks: polite, and saying
// what to do next.
type reasonMessage struct {
	status int
	ja, en string
}

var reasonMessages = map[submit.Reason]reasonMessage{
	submit.ReasonBadRequest: {http.StatusBadRequest,
		"送信された内容を読み取ることができませんでした。お手数ですが、申請データを作成し直して、もう一度送信してください。",
		"We could not read what was sent. Please prepare the data again and resend it."},
	submit.ReasonTooLarge: {http.StatusRequestEntityTooLarge,
		"送信されたデータが大きすぎるため、受け付けることができませんでした。添付ファイルを減らすか小さくしてから、もう一度送信してください。",
		"The data sent is too large to accept. Please remove or shrink attachments and send it again."},
	submit.ReasonUnsupportedMedia: {http.StatusUnsupportedMediaType,
		"送信されたデータの形式には対応しておりません。申請用のソフトウェアから、もう一度送信してください。",
		"This kind of data is not accepted here. Please send it again from the application software."},
	submit.ReasonUnknownProcedure: {http.StatusNotFound,
		"ご指定の手続きが見つかりませんでした。手続きの一覧から選び直してください。",
		"The procedure was not found. Please choose it again from the list of procedures."},
	submit.ReasonNotFound: {http.StatusNotFound,
		"お探しの情報は見つかりませんでした。到達番号や問合せ番号に誤りがないか、ご確認ください。",
		"What you asked for was not found. Please check the arrival number and the inquiry number."},
	submit.ReasonLoginRequired: {http.StatusUnauthorized,
		"この操作にはログインが必要です。利用者IDとパスワードでログインしてから、もう一度お試しください。",
		"You need to log in for this. Please log in with your user ID and password and try again."},
	submit.ReasonInvalidCredentials: {http.StatusUnauthorized,
		"利用者IDまたはパスワードが正しくありません。ご確認のうえ、もう一度入力してください。続けて誤りがあると、しばらくの間ログインできなくなります。",
		"The user ID or the password is not correct. Please check them and enter them again; after repeated mistakes, logging in is blocked for a while."},
	submit.ReasonAccountLocked: {http.StatusLocked,
		"ログインに続けて失敗したため、この利用者IDは一時的にロックされています。しばらく時間をおいてから、もう一度お試しください。パスワードをお忘れの場合は、電子証明書で利用者登録をし直すと、パスワードを再設定できます。",
		"This user ID is locked for a while after repeated failed logins. Please wait and try again later. If you have forgotten the password, registering again with your electronic certificate sets a new one."},
	submit.ReasonRateLimited: {http.StatusTooManyRequests,
		"短い時間に多くのご利用があったため、受付を一時的に止めています。しばらく時間をおいてから、もう一度お試しください。",
		"There were too many requests in a short time, so they are paused for a while. Please wait and try again later."},
	submit.ReasonChallengeInvalid: {http.StatusBadRequest,
		"確認用のデータの有効期限が切れたか、すでに使用されています。お手数ですが、最初からやり直してください。",
		"The challenge has expired or has already been used. Please start again from the beginning."},
	submit.ReasonSignatureRequired: {http.StatusUnprocessableEntity,
		"この手続きには電子署名が必要です。マイナンバーカードなどの電子証明書で申請書に署名してから、送信してください。",
		"This procedure needs an electronic signature. Please sign the form with your electronic certificate (such as your My Number card) and send it."},
	submit.ReasonSignatureInvalid: {http.StatusUnprocessableEntity,
		"電子署名を確認できませんでした。署名の後に申請データが変更された可能性があります。申請書にもう一度署名してから、送信してください。",
		"The electronic signature could not be verified; the data may have been changed after it was signed. Please sign the form again and send it."},
	submit.ReasonCertificateUntrusted: {http.StatusUnprocessableEntity,
		"この電子証明書は、この手続きでご利用いただける認証局が発行したものではありません。マイナンバーカードの署名用電子証明書、または商業登記電子証明書で署名してください。",
		"This certificate was not issued by an authority this service accepts. Please sign with the signature certificate of your My Number card or with a commercial-registry certificate."},
	submit.ReasonCertificateExpired: {http.StatusUnprocessableEntity,
		"電子証明書の有効期間外のため、受け付けることができませんでした。有効な電子証明書で署名し直してください。マイナンバーカードの電子証明書は、お住まいの市区町村の窓口で更新できます。",
		"The certificate is outside its validity period. Please sign again with a valid certificate; My Number card certificates are renewed at your municipal office."},
	submit.ReasonCertificateRevoked: {http.StatusUnprocessableEntity,
		"この電子証明書は失効しているか、一時停止されています。住所や氏名の変更などで失効した場合は、市区町村の窓口（商業登記電子証明書は登記所）で新しい電子証明書の発行を受けてから、署名し直してください。",
		"This certificate has been revoked or suspended. If it was revoked because your address or name changed, please obtain a new certificate (at your municipal office, or at the registry office for a commercial-registry certificate) and sign again."},
	submit.ReasonCertificateUnknown: {http.StatusUnprocessableEntity,
		"電子証明書の失効状態を確認できなかったため、受け付けることができませんでした。時間をおいてもう一度お試しいただき、解決しない場合はヘルプデスクへお問い合わせください。",
		"The revocation status of the certificate could not be established, so the request was not accepted. Please try again later, and contact the help desk if it persists."},
	submit.ReasonWrongCertificateType: {http.StatusUnprocessableEntity,
		"この手続きでは、ご利用の種類の電子証明書はお使いいただけません。住民の方の手続きはマイナンバーカードの署名用電子証明書で、法人の手続きは商業登記電子証明書で署名してください。",
		"This kind of certificate cannot be used for this procedure. Please sign residents' procedures with the signature certificate of a My Number card, and companies' procedures with a commercial-registry certificate."},
	submit.ReasonIdentityMismatch: {http.StatusUnprocessableEntity,
		"申請者欄の内容が電子証明書の記録と一致しません。電子証明書に記録されているとおりに入力してから、署名し直してください。",
		"The applicant details in the form do not match the certificate. Please enter them exactly as recorded in the certificate and sign again."},
	submit.ReasonSignerNotHolder: {http.StatusForbidden,
		"この手続きは代理申請ができないため、ログインしている利用者ご本人の電子証明書で署名していただく必要があります。ご本人の電子証明書で署名し直すか、署名された方の利用者IDでログインしてください。",
		"This procedure cannot be filed by a proxy: the form must be signed with the certificate of the logged-in user. Please sign with your own certificate, or log in with the signer's user ID."},
	submit.ReasonFormInvalid: {http.StatusUnprocessableEntity,
		"申請書の記入内容に不備があります。入力内容をご確認のうえ、もう一度送信してください。",
		"Something in the form is missing or not valid. Please check the entries and send it again."},
	submit.ReasonIdempotencyConflict: {http.StatusConflict,
		"同じ送信番号で、内容の異なる申請がすでに送信されています。新しい申請として送信し直してください。",
		"A different application was already sent with the same Idempotency-Key. Please send this one as a new application."},
	submit.ReasonAlreadyReceived: {http.StatusConflict,
		"この申請データ（同じ電子署名のもの）は、すでに受け付けています。同じ申請を重ねて受け付けることはいたしません。受付の状況は「申請履歴」でご確認ください。",
		"This package (with this very signature) was already received; the same application is not accepted twice. Please see History for its status."},
	submit.ReasonAccountExists: {http.StatusConflict,
		"この電子証明書の方の利用者IDはすでに登録されています。お持ちの利用者IDでログインしてください。パスワードを忘れた場合は、パスワードの再設定として登録し直してください。",
		"An account is already registered for the holder of this certificate. Please log in with it; if the password is forgotten, register again asking to reset the password."},
	submit.ReasonAlreadyProcessed: {http.StatusConflict,
		"この申請は、すでに市区町村で処理が済んでいるため、取り下げや補正はできません。内容についてはお手続きの窓口にお問い合わせください。",
		"This application has already been processed by the municipality, so it can no longer be withdrawn or corrected. Please contact the office of the procedure."},
	submit.ReasonNotApplicant: {http.StatusForbidden,
		"申請したご本人の電子証明書による署名ではないため、受け付けることができませんでした。申請のときと同じ方の電子証明書で署名してください。",
		"This was not signed with the certificate of the person who filed the application. Please sign with the same person's certificate as the application."},
	submit.ReasonAmendmentNotRequested: {http.StatusConflict,
		"この申請には、現在補正のご依頼はありません。補正は、市区町村から補正依頼の通知が届いたときにだけ送信できます。",
		"No correction is requested for this application now. An amendment can only be sent when the municipality has sent a request for correction."},
	submit.ReasonInternal: {http.StatusInternalServerError,
		"システムで問題が発生しました。時間をおいてもう一度お試しください。解決しない場合は、ヘルプデスクへお問い合わせください。",
		"Something went wrong in the system. Please try again later, and contact the help desk if it persists."},
}

// fail is the refusal for reason with its default status and wording;
// detail names the field, file or check, never personal data.
func fail(reason submit.Reason, detail string) *apiProblem {
	m, ok := reasonMessages[reason]
	if !ok {
		m = reasonMessages[submit.ReasonInternal]
	}
	return &apiProblem{Status: m.status, Problem: submit.Problem{Reason: reason, MessageJA: m.ja, MessageEN: m.en, Detail: detail}}
}

// aborted is the outcome of a request the client gave up. The answer
// (400) is sent in case the client still reads, but the log records an abort.
func aborted() *apiProblem {
	p := fail(submit.ReasonBadRequest, "the request was not completed")
	p.Aborted = true
	return p
}

// withStatus overrides the HTTP status.
func (p *apiProblem) withStatus(status int) *apiProblem { p.Status = status; return p }

// withText puts a sentence before the default wording, for refusals that
// can say more precisely what is wrong.
func (p *apiProblem) withText(ja, en string) *apiProblem {
	p.Problem.MessageJA = ja + p.Problem.MessageJA
	p.Problem.MessageEN = en + " " + p.Problem.MessageEN
	return p
}

// withMessage replaces the wording.
func (p *apiProblem) withMessage(ja, en string) *apiProblem {
	p.Problem.MessageJA, p.Problem.MessageEN = ja, en
	return p
}

// retryAfter sets Retry-After.
func (p *apiProblem) retryAfter(d time.Duration) *apiProblem { p.RetryAfter = d; return p }

// asProblem turns any error into a refusal: problems as they are,
// anything else as an internal error whose text is not shown.
func asProblem(err error) *apiProblem {
	var p *apiProblem
	if errors.As(err, &p) {
		return p
	}
	return fail(submit.ReasonInternal, "")
}

// writeProblem sends p as JSON.
func writeProblem(w http.ResponseWriter, p *apiProblem) {
	if sw, ok := w.(*statusWriter); ok {
		sw.reason = p.Problem.Reason
		sw.aborted = p.Aborted
	}
	if p.RetryAfter > 0 {
		secs := int((p.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set(submit.HeaderRetryAft, strconv.Itoa(secs))
	}
	writeJSON(w, p.Status, p.Problem)
}

// writeJSON sends v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(fail(submit.ReasonInternal, "").Problem)
	}
	w.Header().Set("Content-Type", submit.MediaJSON+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// fieldLabels name the applicant fields in messages (labels, never values).
var fieldLabels = map[string][2]string{
	"name":                 {"氏名", "name"},
	"birth_date":           {"生年月日", "date of birth"},
	"sex":                  {"性別", "sex"},
	"address":              {"住所", "address"},
	"corporate_name":       {"商号（法人名）", "corporate name"},
	"corporate_number":     {"会社法人等番号", "corporate number"},
	"corporate_address":    {"本店所在地", "head-office address"},
	"representative_name":  {"代表者の氏名", "representative's name"},
	"representative_title": {"代表者の資格", "representative's title"},
}

// labelsOf joins the Japanese and English labels of fields.
func labelsOf(fields []string) (ja, en string) {
	var js, es []string
	for _, f := range fields {
		l, ok := fieldLabels[f]
		if !ok {
			l = [2]string{f, f}
		}
		js, es = append(js, "「"+l[0]+"」"), append(es, l[1])
	}
	return strings.Join(js, ""), strings.Join(es, ", ")
}
