package flow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// helpDesk is the last resort of every hint.
var helpDesk = Text{"解決しない場合は、「ヘルプデスク」画面の診断結果を添えて、お問い合わせ窓口にご相談ください。",
	"If this does not help, please contact the help desk with the diagnostics from the Help desk screen."}

// explanation is a message and a hint.
type explanation struct{ msg, hint Text }

// sentinels maps errors found with errors.Is to their explanation, in the
// order they are tried.
var sentinels = []struct {
	err error
	explanation
}{
	// The user's own choices first.
	{ErrDeclined, explanation{Text{"署名を取りやめました。何も署名・保存していません。", "Signing was cancelled. Nothing was signed or saved."},
		Text{"内容を直す場合は申請書を修正してから、もう一度署名してください。", "To change something, correct the form and sign again."}}},
	{context.Canceled, explanation{Text{"中止しました。作りかけのファイルは残っていません。", "Stopped. No half-made file was left behind."},
		Text{"準備ができたら、もう一度お試しください。", "Please try again when ready."}}},
	{errSecondPrompt, explanation{Text{"暗証番号を二度続けて尋ねることはしません。", "The PIN is never asked twice in a row."}, Text{"もう一度最初からお試しください。", "Please start again."}}},
	{pkcs11.ErrFinalTryNotConfirmed, explanation{
		Text{"暗証番号の入力が残り1回のため、確認をいただけなかった入力は行っていません。入力回数は減っていません。", "One PIN try is left and it was not confirmed, so nothing was tried; no try was spent."},
		Text{"暗証番号を確かめてから、最後の1回であることを確認のうえ入力してください。分からない場合は、市区町村の窓口で暗証番号の再設定ができます。",
			"Please make sure of the PIN, then confirm spending the last try. If you do not know it, the municipal office can reset it."}}},
	{pkcs11.ErrPINLocked, explanation{
		Text{"暗証番号（パスワード）がロックされています。入力は行っていません。", "The PIN is locked; nothing was tried."},
		Text{"ロックの解除（暗証番号の再設定）は、マイナンバーカードをお持ちのうえ、お住まいの市区町村の窓口でお手続きください。",
			"The lock can only be reset at your municipal office: please bring your My Number card there."}}},
	{pkcs11.ErrPINFormat, explanation{
		Text{"暗証番号の形式が違うため、カードには送っていません。入力回数は減っていません。", "The PIN does not have the right format, so it was not sent to the card; no try was spent."},
		Text{"署名用電子証明書のパスワードは、英大文字と数字の6～16文字です。", "The signature password has 6 to 16 capital letters and digits."}}},
	{pkcs11.ErrNoCertificate, explanation{
		Text{"このカードには署名用電子証明書が入っていません（15歳未満の方のカードなど）。", "This card holds no signature certificate (as on the card of a child under 15)."},
		Text{"署名用電子証明書の入ったカードをお使いいただくか、市区町村の窓口でご相談ください。", "Please use a card with a signature certificate, or ask at the municipal office."}}},
	{pkcs11.ErrCardRemoved, explanation{
		Text{"カードが取り外されたか、カードリーダーとの接続が切れました。何も書き出していません。", "The card was removed or the reader was disconnected. Nothing was written."},
		Text{"カードをリーダーにしっかり置き直してから、もう一度お試しください。", "Please put the card back on the reader and try again."}}},
	{pkcs11.ErrAmbiguousToken, explanation{
		Text{"カードやトークンが複数見つかりました。", "Several cards or tokens were found."},
		Text{"使うカード（トークン）を一覧から選んでください。", "Please choose the card (token) to use from the list."}}},
	{pkcs11.ErrNoToken, explanation{
		Text{"カードが見つかりません。", "No card was found."},
		Text{"カードをリーダーに置いて（差し込んで）から、もう一度お試しください。", "Please put the card on (into) the reader and try again."}}},
	{pkcs11.ErrModuleNotLoadable, explanation{
		Text{"カードを使うためのソフトウェア（PKCS#11 モジュール）を読み込めません。", "The software that reads the card (the PKCS#11 module) cannot be loaded."},
		Text{"公的個人認証サービスの利用者クライアントソフト（Linux では OpenSC）をインストールするか、設定でモジュールの場所を指定してください。",
			"Please install the JPKI user software (on Linux: OpenSC), or set the module's location in the settings."}}},
	{ErrNoModule, explanation{
		Text{"カードを使うためのソフトウェア（PKCS#11 モジュール）が見つかりません。", "No software that reads cards (PKCS#11 module) was found."},
		Text{"公的個人認証サービスの利用者クライアントソフト（Linux では OpenSC）をインストールしてください。証明書ファイル（.p12）でも署名できます。",
			"Please install the JPKI user software (on Linux: OpenSC). You can also sign with a certificate file (.p12)."}}},
	{pkcs11.ErrKeyNotFound, explanation{
		Text{"このカード（トークン）に署名用の鍵が見つかりません。", "No signature key was found on this card (token)."},
		Text{"別のカード（トークン）を選んでください。", "Please choose another card (token)."}}},
	{pkcs11.ErrNotLoggedIn, explanation{
		Text{"カードへのログインが済んでいません。", "The card is not logged in."}, Text{"もう一度最初からお試しください。", "Please start again."}}},
	{pcsc.ErrNoCard, explanation{Text{"カードリーダーにカードがありません。", "There is no card in the reader."}, Text{"カードを置いてから、もう一度お試しください。", "Please put the card on the reader and try again."}}},
	{pcsc.ErrUnavailable, explanation{Text{"カードリーダーのサービス（PC/SC）を利用できません。", "The card reader service (PC/SC) is not available."},
		Text{"カードリーダーが接続されているか確認してください（Linux では pcscd が動いている必要があります）。", "Please check the reader is connected (on Linux, pcscd must be running)."}}},

	{signer.ErrWrongPassword, explanation{
		Text{"証明書ファイルのパスワードが違います。", "The certificate file's password is not right."},
		Text{"証明書ファイルと一緒に受け取ったパスワードを確かめて、もう一度入力してください。", "Please check the password you received with the certificate file and enter it again."}}},
	{signer.ErrNotPKCS12, explanation{
		Text{"選んだファイルは、読み取れる証明書ファイル（.p12 / .pfx）ではありません。", "The file chosen is not a readable certificate file (.p12/.pfx)."},
		Text{"証明書と一緒に発行された .p12 ファイルを選んでください。", "Please choose the .p12 file issued with the certificate."}}},
	{signer.ErrInvalidFile, explanation{
		Text{"申請書または添付ファイルを読み込めません（見つからない、空、大きすぎる、名前が重複しているなど）。", "The form or an attachment cannot be packaged (missing, empty, too large, or a duplicate name)."},
		Text{"添付ファイルを選び直してください。", "Please choose the attachments again."}}},
	{signer.ErrMalformed, explanation{
		Text{"ファイルが署名付きの申請データ・通知書として読み取れません。", "The file cannot be read as a signed package or notice."},
		Text{"送り主に、ファイルをもう一度送ってもらってください。", "Please ask the sender for the file again."}}},
	{signer.ErrTooLarge, explanation{
		Text{"ファイルが大きすぎるため、読み取りを中止しました。", "The file is too large; reading it was stopped."},
		Text{"送り主に確認してください。", "Please check with the sender."}}},

	{ErrWrongLevel, explanation{
		Text{"この手続きの申請方法（ログイン・署名の要否）と合っていません。", "This does not fit how the procedure is filed (login and signature)."},
		Text{"署名が必要な手続きは署名してから、署名が不要な手続きは署名せずに送信してください。", "Sign the form for procedures that need a signature, and send the form itself for the others."}}},
	{ErrNoAccount, explanation{
		Text{"この手続きにはログインが必要ですが、ID が登録されていません。", "This procedure needs a login, and no ID is kept."},
		Text{"「アカウント」画面で、マイナンバーカードまたは証明書ファイルを使って ID を登録するか、お持ちの ID でログインしてください。",
			"Please register an ID with your My Number card or certificate file, or log in with your ID, on the Account screen."}}},
	{ErrPasswordTooShort, explanation{
		Text{fmt.Sprintf("パスワードが短すぎます（%d文字以上必要です）。", MinPasswordLen), fmt.Sprintf("The password is too short (at least %d characters).", MinPasswordLen)},
		Text{"より長いパスワードを決めてください。", "Please choose a longer password."}}},
	{ErrUserType, explanation{
		Text{"証明書から、住民の方か法人かを判別できません。", "The certificate does not tell whether it is a resident's or a company's."},
		Text{"マイナンバーカードまたは商業登記電子証明書で登録してください。", "Please register with a My Number card or a commercial-registry certificate."}}},
	{ErrNotQueued, explanation{
		Text{"申請を送信待ちの場所（送信箱）に保存できませんでした。何も送信していません。", "The application could not be saved in the outbox; nothing was sent."},
		Text{"ディスクの空き容量と、データフォルダーに書き込めるかを確認してから、もう一度お試しください。", "Please check the free disk space and that the data folder can be written, then try again."}}},
	{ErrNoticeNotFound, explanation{
		Text{"この申請には、その通知書はありません。", "This application has no such notice."},
		Text{"状況を更新して、通知書の一覧をご確認ください。", "Please refresh the status and look at the list of notices."}}},
	{ErrNoService, explanation{
		Text{"申請サービスが設定されていません。", "No service is configured."},
		Text{"設定画面で申請サービスのアドレスを入力してください。", "Please enter the service's address in the settings."}}},
	{ErrNoDataDir, explanation{
		Text{"データを保存する場所が設定されていません。", "No place to keep data is configured."},
		Text{"設定画面でデータの保存先を指定してください。", "Please set where data is kept in the settings."}}},
	{ErrNoCredential, explanation{
		Text{"署名に使うカードまたは証明書ファイルが選ばれていません。", "No card or certificate file was chosen to sign with."},
		Text{"カードか証明書ファイルのどちらか一つを選んでください。", "Please choose a card or a certificate file (one of them)."}}},
	{ErrNoCallback, explanation{
		Text{"アプリの内部エラーです（確認画面を表示できません）。", "Internal error of the app (a dialog is missing)."}, helpDesk}},

	{submit.ErrNoKeyring, explanation{
		Text{"パスワードを安全に保管する場所（OS のキーリング）を利用できません。", "The OS keyring, where passwords are kept safely, cannot be used."},
		Text{"キーリングのロックを解除してから、もう一度お試しください（Linux では GNOME キーリングまたは KWallet が必要です）。",
			"Please unlock the keyring and try again (on Linux, GNOME Keyring or KWallet is needed)."}}},
	{submit.ErrNotStored, explanation{
		Text{"ID またはパスワードが保管されていません。", "No ID or password is kept."},
		Text{"一度ログインしてください（パスワードは OS のキーリングに保管されます）。", "Please log in once (the password is kept in the OS keyring)."}}},
	{submit.ErrSecretTooLarge, explanation{
		Text{"パスワードが長すぎて保管できません。", "The password is too long to be kept."}, Text{"より短いパスワードにしてください。", "Please use a shorter password."}}},
	{submit.ErrNotForm, explanation{
		Text{"申請書として読み取れないファイルです。", "The file cannot be read as a form."},
		Text{"このアプリで作成した申請書（.json）または署名済みの申請データ（.asice）を選んでください。", "Please choose a form (.json) or signed package (.asice) made with this app."}}},
	{submit.ErrBusy, explanation{
		Text{"この申請は、別のウィンドウまたはプログラムで送信中です。", "This application is being sent by another window or program."},
		Text{"しばらく待ってから、受付の一覧をご確認ください。", "Please wait a moment and look at the list of receipts."}}},
	{submit.ErrUnreachable, explanation{
		Text{"申請サービスに接続できません。", "The service cannot be reached."},
		Text{"インターネットへの接続を確認して、もう一度お試しください。", "Please check the network connection and try again."}}},
	{submit.ErrBadReply, explanation{
		Text{"申請サービスから想定外の応答がありました。", "The service gave an unexpected answer."},
		Text{"設定のサービスのアドレスが正しいかご確認ください。", "Please check the service's address in the settings."}}},

	{identity.ErrNotJPKI, explanation{
		Text{"マイナンバーカードの署名用電子証明書ではありません（利用者証明用の証明書などです）。", "This is not a My Number card signature certificate (it may be the authentication certificate)."},
		Text{"署名用電子証明書（英数字6～16文字のパスワード）を使ってください。", "Please use the signature certificate (6–16 letters and digits password)."}}},
	{identity.ErrNotCorporate, explanation{
		Text{"商業登記電子証明書ではありません。", "This is not a commercial-registry certificate."}, Text{"法人の商業登記電子証明書を選んでください。", "Please choose the company's commercial-registry certificate."}}},
	{identity.ErrMalformed, explanation{
		Text{"証明書に記録された情報を読み取れません。", "The data in the certificate cannot be read."}, helpDesk}},

	{context.DeadlineExceeded, explanation{
		Text{"時間内に終わらなかったため中止しました。", "It took too long and was stopped."}, Text{"もう一度お試しください。", "Please try again."}}},
	{fs.ErrNotExist, explanation{
		Text{"ファイルが見つかりません。", "The file was not found."}, Text{"ファイルを選び直してください。", "Please choose the file again."}}},
	{fs.ErrPermission, explanation{
		Text{"ファイルを読み書きする権限がありません。", "There is no permission to read or write the file."}, Text{"別の場所を選んでください。", "Please choose another place."}}},
}

// reasonHints say what to do about each refusal of the service.
var reasonHints = map[submit.Reason]Text{
	submit.ReasonInvalidCredentials:   {"ID とパスワードを確認してください。何度も間違えるとアカウントがロックされます。", "Please check the ID and password; several wrong passwords lock the account."},
	submit.ReasonAccountLocked:        {"しばらく時間をおいてからお試しいただくか、申請サービスの問い合わせ窓口にご相談ください。", "Please try again later, or ask the service's help desk."},
	submit.ReasonRateLimited:          {"しばらく時間をおいてから、もう一度お試しください。", "Please wait a while and try again."},
	submit.ReasonLoginRequired:        {"ログインしてから、もう一度お試しください。", "Please log in and try again."},
	submit.ReasonChallengeInvalid:     {"時間が経ちすぎたため、もう一度最初からお試しください。", "Too much time passed; please start again."},
	submit.ReasonSignatureRequired:    {"この手続きは署名が必要です。署名してから送信してください。", "This procedure needs a signature; please sign and send again."},
	submit.ReasonSignatureInvalid:     {"申請データが壊れているか変更されています。もう一度署名してください。", "The package is damaged or was altered; please sign again."},
	submit.ReasonCertificateUntrusted: {"マイナンバーカードまたは商業登記電子証明書で署名してください。", "Please sign with a My Number card or a commercial-registry certificate."},
	submit.ReasonCertificateExpired:   {"電子証明書の有効期限が切れています。更新してから署名し直してください。", "The certificate has expired; please renew it and sign again."},
	submit.ReasonCertificateRevoked:   {"電子証明書が失効しています（氏名・住所などの変更でも失効します）。市区町村の窓口で新しい証明書を受け取ってから署名し直してください。", "The certificate is revoked (a change of name or address also revokes it); please get a new one at the municipal office and sign again."},
	submit.ReasonCertificateUnknown:   {"証明書の状態を確認できませんでした。しばらくしてから、もう一度お試しください。", "The certificate's status could not be established; please try again later."},
	submit.ReasonWrongCertificateType: {"この手続きは別の種類の申請者向けです（住民の方はマイナンバーカード、法人は商業登記電子証明書）。", "This procedure is for another kind of applicant (residents: My Number card; companies: registry certificate)."},
	submit.ReasonIdentityMismatch:     {"申請者欄（氏名・生年月日・性別・住所）を証明書の記載どおりに直して、署名し直してください。", "Please write the applicant block (name, date of birth, sex, address) as in the certificate and sign again."},
	submit.ReasonSignerNotHolder:      {"ログインしている ID の本人の証明書で署名してください。", "Please sign with the certificate of the person whose ID is logged in."},
	submit.ReasonFormInvalid:          {"申請書を直して、もう一度お試しください。", "Please correct the form and try again."},
	submit.ReasonBadRequest:           {"申請書を直して、もう一度お試しください。", "Please correct the form and try again."},
	submit.ReasonTooLarge:             {"添付ファイルを減らすか小さくしてください。", "Please remove or shrink attachments."},
	submit.ReasonUnknownProcedure:     {"手続きの一覧を更新して、選び直してください。", "Please refresh the list of procedures and choose again."},
	submit.ReasonNotFound:             {"到達番号（と問合せ番号）をご確認ください。", "Please check the arrival number (and the inquiry number)."},
	submit.ReasonIdempotencyConflict:  {"新しい申請としてもう一度送信してください。", "Please send it again as a new application."},
}

// certReasons word certcheck's findings.
var certReasons = map[certcheck.Reason]explanation{
	certcheck.ReasonUntrusted:         {Text{"信頼できる認証局の証明書ではありません。", "The certificate is not from a trusted authority."}, Text{"マイナンバーカードまたは商業登記電子証明書をお使いください。", "Please use a My Number card or a commercial-registry certificate."}},
	certcheck.ReasonExpired:           {Text{"電子証明書の有効期限が切れています。", "The certificate has expired."}, Text{"証明書を更新してください（マイナンバーカードは市区町村の窓口で）。", "Please renew the certificate (a My Number card's at the municipal office)."}},
	certcheck.ReasonNotYetValid:       {Text{"電子証明書の有効期間がまだ始まっていません。", "The certificate is not valid yet."}, Text{"パソコンの日付と時刻をご確認ください。", "Please check this computer's date and time."}},
	certcheck.ReasonKeyUsage:          {Text{"この証明書は署名には使えません。", "This certificate may not sign documents."}, Text{"署名用の電子証明書を選んでください。", "Please choose a signature certificate."}},
	certcheck.ReasonRevoked:           {Text{"電子証明書が失効しています。", "The certificate is revoked."}, Text{"新しい証明書を取得してください。", "Please get a new certificate."}},
	certcheck.ReasonOnHold:            {Text{"電子証明書が一時停止されています。", "The certificate is suspended."}, Text{"発行元にご確認ください。", "Please ask the issuer."}},
	certcheck.ReasonRevocationUnknown: {Text{"証明書が失効しているかどうか確認できませんでした。", "Whether the certificate is revoked could not be established."}, Text{"インターネットへの接続を確認して、もう一度お試しください。", "Please check the network connection and try again."}},
}

func explain(err error) (Text, Text) {
	if err == nil {
		return Text{}, Text{}
	}
	var (
		pinErr *pkcs11.PINError
		pe     *PrecheckError
		fe     *FormError
		se     *submit.SendError
		te     *submit.TLSError
		prob   *submit.ProblemError
		ce     *certcheck.Error
	)
	switch {
	case errors.As(err, &pe) && pe.Precheck != nil:
		msg := Text{"事前確認で問題が見つかったため、署名していません。", "The pre-check found a problem, so nothing was signed."}
		hint := Text{}
		if reds := pe.Precheck.Reds(); len(reds) > 0 {
			hint = reds[0].Todo
			if hint.IsZero() {
				hint = reds[0].Message
			}
		}
		return msg, hint
	case errors.As(err, &fe) && len(fe.Problems) > 0:
		return Text{"申請書に入力されていない項目、または正しくない項目があります。", "Some fields of the form are missing or not valid."}, fe.Problems[0].Message
	case errors.As(err, &pinErr):
		switch {
		case pinErr.Status.Locked:
			return Text{"暗証番号が違います。入力回数の上限に達したため、ロックされました。", "The PIN was wrong, and the card is now locked."},
				Text{"ロックの解除は、マイナンバーカードをお持ちのうえ、お住まいの市区町村の窓口でお手続きください。", "The lock can only be reset at your municipal office: please bring your My Number card there."}
		case pinErr.Status.FinalTry:
			return Text{"暗証番号が違います。残りの入力回数は1回です。", "The PIN was wrong. One try is left."},
				Text{"次に間違えるとロックされます。暗証番号をよく確かめてから入力してください。", "A wrong PIN next time locks the card: please make sure of it before trying again."}
		case pinErr.Status.TriesLeft > 1:
			return Text{fmt.Sprintf("暗証番号が違います。残りの入力回数は%d回です。", pinErr.Status.TriesLeft), fmt.Sprintf("The PIN was wrong. %d tries are left.", pinErr.Status.TriesLeft)},
				Text{"暗証番号を確かめてから、もう一度お試しください。自動で再入力することはありません。", "Please check the PIN and try again; the app never retries by itself."}
		}
		return Text{"暗証番号が違います。", "The PIN was wrong."},
			Text{"暗証番号を確かめてから、もう一度お試しください。自動で再入力することはありません。", "Please check the PIN and try again; the app never retries by itself."}
	case errors.As(err, &se):
		cm, ch := explain(se.Err)
		if se.Refused {
			return Text{"申請は受け付けられませんでした。" + cm.Ja, "The application was not accepted. " + cm.En}, ch
		}
		return Text{"申請はまだ届いていません。送信待ちとして保管しています。" + cm.Ja, "The application has not arrived yet; it is kept, waiting to be sent. " + cm.En},
			Text{"接続できるようになったら「未送信の申請を送る」で送信してください（二重に届くことはありません）。", "Once connected, use “Send waiting applications” (it never arrives twice)."}
	case errors.As(err, &te):
		switch te.Failure {
		case submit.TLSHostMismatch:
			return Text{"接続先のアドレスが、申請サービスの証明書と一致しません。送信していません。", "The address does not match the service's certificate; nothing was sent."},
				Text{"設定のサービスのアドレスをご確認ください。", "Please check the service's address in the settings."}
		case submit.TLSCertificateInvalid:
			return Text{"申請サービスの証明書が有効ではありません。送信していません。", "The service's certificate is not valid; nothing was sent."},
				Text{"パソコンの日付と時刻をご確認ください。正しい場合はサービスの運営者にお知らせください。", "Please check this computer's date and time; if it is right, tell the service's operator."}
		case submit.TLSOldVersion:
			return Text{"申請サービスが古い暗号方式しか使えないため、接続しません。", "The service offers only old encryption, so the app does not connect."},
				Text{"サービスの運営者にお知らせください。", "Please tell the service's operator."}
		}
		return Text{"申請サービスの証明書を信頼できません。送信していません。", "The service's certificate is not trusted; nothing was sent."},
			Text{"設定の「信頼する証明書」に、サービスの認証局（LGPKI など）の証明書を登録してください。確認を省略することはできません。",
				"Please add the service's certificate authority (LGPKI or the like) to the trusted certificates in the settings; the check cannot be skipped."}
	case errors.As(err, &prob):
		msg := Text{prob.Problem.MessageJA, prob.Problem.MessageEN}
		if msg.Ja == "" || msg.En == "" {
			msg = Text{"申請サービスに受け付けられませんでした。", "The service refused the request."}
		}
		hint, ok := reasonHints[prob.Problem.Reason]
		switch {
		case prob.Status >= 500:
			hint = Text{"申請サービスで障害が起きています。しばらくしてから、もう一度お試しください。", "The service has a problem; please try again later."}
		case prob.Problem.Reason == submit.ReasonRateLimited && prob.RetryAfter > 0:
			hint = Text{fmt.Sprintf("%d秒ほど待ってから、もう一度お試しください。", int(prob.RetryAfter.Seconds())), fmt.Sprintf("Please wait about %d seconds and try again.", int(prob.RetryAfter.Seconds()))}
		case !ok:
			hint = helpDesk
		}
		return msg, hint
	case errors.As(err, &ce):
		if e, ok := certReasons[ce.Reason]; ok {
			return e.msg, e.hint
		}
	case errors.Is(err, errors.ErrUnsupported):
		return Text{"このカード（鍵）では、この方式の署名はできません。", "This card (key) cannot make this kind of signature."}, helpDesk
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			hint := s.hint
			return s.msg, hint
		}
	}
	return Text{"処理を完了できませんでした。", "The operation could not be completed."},
		Text{"もう一度お試しください。" + helpDesk.Ja, "Please try again. " + helpDesk.En}
}
