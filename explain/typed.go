package explain

import (
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// typed explains the typed errors, whose words depend on what they carry
// (the tries left, the service's reason, the red line of a pre-check).
// Each is tried with errors.As, in this order.
func typed(err error) (Entry, bool) {
	var (
		pinErr *pkcs11.PINError
		pe     *flow.PrecheckError
		fe     *flow.FormError
		le     *flow.LevelError
		ar     *flow.AlreadyReceivedError
		tl     *flow.TooLargeError
		af     *flow.AlreadyFiledError
		se     *submit.SendError
		te     *submit.TLSError
		prob   *submit.ProblemError
		ce     *certcheck.Error
	)
	switch {
	case errors.As(err, &pe) && pe.Precheck != nil:
		return precheckEntry(pe), true
	case errors.As(err, &fe) && len(fe.Problems) > 0 && fe.Problems[0].Field == "attachments":
		return Entry{Class: Usage, Message: i18n.Text{Ja: "添付ファイルが、この手続きで送れる件数または大きさを超えています。", En: "The attachments exceed what this procedure accepts in number or size."},
			Hint: fe.Problems[0].Message}, true
	case errors.As(err, &fe) && len(fe.Problems) > 0:
		return Entry{Class: Usage, Message: i18n.Text{Ja: "申請書に入力されていない項目、または正しくない項目があります。", En: "Some fields of the form are missing or not valid."},
			Hint: fe.Problems[0].Message}, true
	case errors.As(err, &le):
		e := sentinelEntry(flow.ErrWrongLevel)
		if !le.Signed {
			e.Command = i18n.Text{Ja: "署名が必要な手続きです。先に shinseictl sign で署名してから、その申請データを送信してください。",
				En: "sign it first with 'shinseictl sign', then submit the package"}
		}
		return e, true
	case errors.As(err, &ar):
		e := sentinelEntry(flow.ErrAlreadyReceived)
		n := ar.Record.ArrivalNumber
		e.Message = i18n.Text{Ja: "この申請データは、すでに受け付けられています（到達番号 " + n + "）。もう一度は送信していません。",
			En: "This package was already received (arrival number " + n + "); it was not sent again."}
		return e, true
	case errors.As(err, &af):
		return alreadyFiledEntry(af), true
	case errors.As(err, &pinErr):
		return pinEntry(pinErr), true
	case errors.As(err, &tl):
		return tooLargeEntry(tl.LimitText(), tl.Signed), true
	case errors.As(err, &se) && se.Refused && errors.As(se.Err, &prob) && prob.Problem.Reason == submit.ReasonTooLarge:
		// Refused as too large, the limit not known here: said once.
		return tooLargeEntry("", true), true
	case errors.As(err, &se):
		return sendEntry(se), true
	case errors.As(err, &te):
		return tlsEntry(te), true
	case errors.Is(err, flow.ErrAlreadyProcessed), errors.Is(err, flow.ErrNotApplicant), errors.Is(err, flow.ErrAmendmentNotRequested):
		// The steps after the receipt name the refusal in their own words.
		for _, s := range []error{flow.ErrAlreadyProcessed, flow.ErrNotApplicant, flow.ErrAmendmentNotRequested} {
			if errors.Is(err, s) {
				return sentinelEntry(s), true
			}
		}
	case errors.Is(err, flow.ErrNoticeNotFound):
		// The service's not-found speaks of the numbers of an
		// application; this one names the notice's, as the screen does.
		return sentinelEntry(flow.ErrNoticeNotFound), true
	case errors.As(err, &prob):
		return problemEntry(prob), true
	case errors.As(err, &ce):
		if e, ok := certReasons[ce.Reason]; ok {
			class := Negative
			if ce.Reason == certcheck.ReasonRevocationUnknown {
				class = Indeterminate
			}
			return Entry{Class: class, Message: e.msg, Hint: e.hint}, true
		}
	case errors.Is(err, errors.ErrUnsupported):
		return Entry{Class: Environment, Message: i18n.Text{Ja: "このカード（鍵）では、この方式の署名はできません。", En: "This card (key) cannot make this kind of signature."}, Hint: helpDesk}, true
	}
	return Entry{}, false
}

// sentinelEntry is the row of a sentinel (unknown when it has none).
func sentinelEntry(err error) Entry {
	for _, r := range sentinels {
		if r.err == err {
			return r.entry()
		}
	}
	return unknown
}

func precheckEntry(pe *flow.PrecheckError) Entry {
	e := sentinelEntry(flow.ErrPrecheckFailed)
	if reds := pe.Precheck.Reds(); len(reds) > 0 {
		e.Hint = reds[0].Todo
		if e.Hint.IsZero() {
			e.Hint = reds[0].Message
		}
	}
	return e
}

// pinEntry words a wrong PIN by what the card says is left.
func pinEntry(pinErr *pkcs11.PINError) Entry {
	retry := i18n.Text{Ja: "パスワードを確かめてから、もう一度お試しください。自動で再入力することはありません。", En: "Please check the PIN and try again; the app never retries by itself."}
	e := Entry{Class: Negative, Message: i18n.Text{Ja: "パスワードが違います。", En: "The PIN was wrong."}, Hint: retry,
		Command: i18n.Text{Ja: "パスワードを確かめてから、もう一度お試しください。自動で再入力することはありません。", En: "check the PIN and try again; Shinsei never retries by itself"}}
	switch st := pinErr.Status; {
	case st.Locked:
		e.Message = i18n.Text{Ja: "パスワードが違います。入力回数の上限に達したため、パスワードロックがかかりました。", En: "The PIN was wrong, and the card is now locked."}
		e.Hint = i18n.Text{Ja: "マイナンバーカードの場合は、カードをお持ちのうえ、お住まいの市区町村の窓口で署名用電子証明書のパスワードの初期化（再設定）をしてください。", En: "The lock can only be reset at your municipal office: please bring your My Number card there."}
		e.Command = i18n.Text{Ja: "パスワードロックがかかりました。マイナンバーカードの署名用電子証明書のパスワードは、市区町村の窓口でだけ初期化（再設定）できます。", En: "the PIN is now locked; a My Number card is unlocked only at the municipal office"}
	case st.FinalTry:
		e.Message = i18n.Text{Ja: "パスワードが違います。残りの入力回数は1回です。", En: "The PIN was wrong. One try is left."}
		e.Hint = i18n.Text{Ja: "次に間違えるとパスワードロックがかかります。パスワードをよく確かめてから入力してください。", En: "A wrong PIN next time locks the card: please make sure of it before trying again."}
		e.Command = i18n.Text{Ja: "残りは1回です。次に間違えるとパスワードロックがかかります。パスワードをよく確かめてからお試しください。", En: "ONE try is left: the next wrong PIN locks the card; make sure of the PIN before trying again"}
	case st.TriesLeft > 1:
		e.Message = i18n.Text{Ja: fmt.Sprintf("パスワードが違います。残りの入力回数は%d回です。", st.TriesLeft), En: fmt.Sprintf("The PIN was wrong. %d tries are left.", st.TriesLeft)}
	case st.CountLow:
		// Only "count low" is known (SoftHSM, a card without PC/SC).
		e.Message = i18n.Text{Ja: "パスワードが違います。残り回数はカードから読めませんでした。", En: "The PIN was wrong. The tries left could not be read from the card."}
	}
	return e
}

// sendEntry explains an application that did not go through: refused for
// good (kept among the refused items), or kept in the outbox to be sent
// again — indeterminate when the reply was lost after the upload.
func sendEntry(se *submit.SendError) Entry {
	cause := Of(se.Err)
	if se.Refused {
		return Entry{Class: Negative,
			Message: i18n.Text{Ja: "申請は受け付けられませんでした。" + cause.Message.Ja, En: "The application was not accepted. " + cause.Message.En},
			Hint:    cause.Hint,
			Command: i18n.Text{Ja: cause.CommandHint().Ja + "（申請データは受け付けられなかったものとして保管しています。shinseictl receipts で確認できます）",
				En: cause.CommandHint().En + "; the package is kept among the refused items ('shinseictl receipts' shows them)"}}
	}
	e := Entry{Class: Environment,
		Message: i18n.Text{Ja: "申請はまだ届いていません。送信待ちとして保管しています。" + cause.Message.Ja, En: "The application has not arrived yet; it is kept, waiting to be sent. " + cause.Message.En},
		Hint:    i18n.Text{Ja: "接続できるようになったら「申請履歴」の「今すぐ送る」で送信してください（二重に届くことはありません）。", En: "Once connected, use “Send now” in History (it never arrives twice)."}}
	switch { // each case words the command line's hint
	case cause.Class == Negative:
		e.Class = Negative
		e.Command = i18n.Text{Ja: cause.CommandHint().Ja + "（申請は送信待ちとして保管しています。shinseictl submit --service URL --pending で送れます）",
			En: cause.CommandHint().En + "; the application is kept in the outbox: 'shinseictl submit --service URL --pending' sends it"}
	case se.MayHaveArrived():
		// The whole request went out and the reply was lost: it may have
		// arrived; sending again with the same key finds out, never twice.
		e.Class = Indeterminate
		e.Message = i18n.Text{Ja: "申請は届いた可能性がありますが、応答を受け取れませんでした。送信待ちとして保管しています。" + cause.Message.Ja,
			En: "The application may have arrived, but the reply was lost; it is kept in the outbox. " + cause.Message.En}
		e.Hint = i18n.Text{Ja: "接続できるようになったら「申請履歴」の「今すぐ送る」で確かめてください（届いていれば到達番号を受け取り、二重に届くことはありません）。", En: "Once connected, use “Send now” in History to find out (if it arrived, you get its receipt; it never arrives twice)."}
		e.Command = i18n.Text{Ja: "申請は届いた可能性があります。shinseictl submit --service URL --pending で確かめてください（届いていれば受付を受け取り、二重には届きません）。",
			En: "the application may have arrived: 'shinseictl submit --service URL --pending' finds out (it gets the receipt if it arrived, and never files it twice)"}
	default:
		e.Command = i18n.Text{Ja: "申請は送信待ちとして保管しています（queued）。shinseictl submit --service URL --pending で送信します（同じ冪等キーで二重には届きません）。",
			En: "queued in the outbox; 'shinseictl submit --service URL --pending' sends it (the same idempotency key prevents a double submission)"}
	}
	return e
}

func tlsEntry(te *submit.TLSError) Entry {
	e := Entry{Class: Negative,
		Message: i18n.Text{Ja: "申請サービスの証明書を信頼できません。送信していません。", En: "The service's certificate is not trusted; nothing was sent."},
		Hint:    i18n.Text{Ja: "設定の「サービスの証明書」に、サービスの認証局（LGPKI など）の証明書を登録してください。確認を省略することはできません。", En: "Please add the service's certificate authority (LGPKI or the like) to “Service's CA certificates” in the settings; the check cannot be skipped."},
		Command: i18n.Text{Ja: "--anchor CERT でサービスの認証局の証明書（LGPKI のアプリケーション認証局またはサービスのプライベート認証局）を指定してください。確認を省略することはできません。",
			En: "give the service's CA certificate with --anchor CERT (LGPKI application CA or the service's private CA); the check is never skipped"}}
	switch te.Failure {
	case submit.TLSHostMismatch:
		e.Message = i18n.Text{Ja: "接続先のアドレスが、申請サービスの証明書と一致しません。送信していません。", En: "The address does not match the service's certificate; nothing was sent."}
		e.Hint = i18n.Text{Ja: "設定のサービスのアドレスをご確認ください。", En: "Please check the service's address in the settings."}
		e.Command = i18n.Text{Ja: "--service には、サービスの証明書に記載されたホスト名を使ってください。", En: "use the host name the service's certificate is issued for in --service"}
	case submit.TLSCertificateInvalid:
		e.Message = i18n.Text{Ja: "申請サービスの証明書が有効ではありません。送信していません。", En: "The service's certificate is not valid; nothing was sent."}
		e.Hint = i18n.Text{Ja: "パソコンの日付と時刻をご確認ください。正しい場合はサービスの運営者にお知らせください。", En: "Please check this computer's date and time; if it is right, tell the service's operator."}
		e.Command = i18n.Text{Ja: "サービスの証明書が期限切れか使えません。このパソコンの時計を確かめ、正しければサービスの運営者にお知らせください。", En: "the service's certificate is expired or unusable: check this computer's clock, else tell the service's operator"}
	case submit.TLSOldVersion:
		e.Message = i18n.Text{Ja: "申請サービスが古い暗号方式しか使えないため、接続しません。", En: "The service offers only old encryption, so the app does not connect."}
		e.Hint = i18n.Text{Ja: "サービスの運営者にお知らせください。", En: "Please tell the service's operator."}
		e.Command = i18n.Text{Ja: "サービスは TLS 1.2以上に対応する必要があります。運営者にお知らせください。それより古い方式では接続しません。", En: "the service must offer TLS 1.2 or newer: tell its operator; Shinsei does not connect with older versions"}
	}
	return e
}

// problemEntry explains the service's refusal by its reason.
func problemEntry(prob *submit.ProblemError) Entry {
	p := prob.Problem
	e := Entry{Class: Negative, Message: i18n.Text{Ja: p.MessageJA, En: p.MessageEN}}
	if e.Message.Ja == "" || e.Message.En == "" {
		e.Message = i18n.Text{Ja: "申請サービスに受け付けられませんでした。", En: "The service refused the request."}
	}
	h, ok := reasonHints[p.Reason]
	e.Hint, e.Command = h.hint, h.cmd
	switch {
	case prob.Status >= 500:
		e.Class = Environment
		e.Hint = i18n.Text{Ja: "申請サービスで障害が起きています。しばらくしてから、もう一度お試しください。", En: "The service has a problem; please try again later."}
		e.Command = i18n.Text{Ja: "申請サービスで障害が起きています。しばらくしてからお試しください。", En: "the service failed; try again later"}
		return e
	case p.Reason == submit.ReasonRateLimited:
		e.Class = Environment
		if s := int(prob.RetryAfter.Seconds()); s > 0 {
			e.Hint = i18n.Text{Ja: fmt.Sprintf("%d秒ほど待ってから、もう一度お試しください。", s), En: fmt.Sprintf("Please wait about %d seconds and try again.", s)}
			e.Command = i18n.Text{Ja: fmt.Sprintf("%s待ってからお試しください。", prob.RetryAfter), En: fmt.Sprintf("the service asks to wait %s before trying again", prob.RetryAfter)}
		}
		return e
	case p.Reason == submit.ReasonCertificateUnknown:
		e.Class = Indeterminate
		return e
	case p.Reason == submit.ReasonAccountLocked && prob.RetryAfter > 0:
		m := int((prob.RetryAfter + time.Minute - 1) / time.Minute)
		e.Hint = i18n.Text{Ja: fmt.Sprintf("%d分ほど待ってから、もう一度お試しください。パスワードをお忘れの場合は、電子証明書で利用者登録をし直すと、パスワードを再設定できます。", m),
			En: fmt.Sprintf("Please wait about %d minutes and try again. If you have forgotten the password, registering again with your electronic certificate sets a new one.", m)}
		e.Command = i18n.Text{Ja: fmt.Sprintf("%d分ほど待ってから、もう一度お試しください。パスワードをお忘れの場合は、電子証明書で登録し直してください：shinseictl account register --reset-password", m),
			En: fmt.Sprintf("the account is locked for %d min after wrong passwords: wait and try again, or reset the password by registering again with the certificate (shinseictl account register --reset-password)", m)}
		return e
	case !ok:
		e.Hint = helpDesk
		e.Command = i18n.Text{Ja: "申請サービスに受け付けられませんでした。理由はメッセージのとおりです。", En: "the service refused the request; its message says why"}
	}
	if p.MessageJA != "" {
		e.Command.En += " (" + p.MessageJA + ")"
	}
	return e
}

// tooLargeEntry explains the service's refusal of an application too
// large for its procedure once, with the limit (empty when not known;
// signed for a package, whose attachments count), instead of the
// service's message and a hint that say the same twice.
func tooLargeEntry(limit string, signed bool) Entry {
	e := Entry{Class: Negative,
		Message: i18n.Text{Ja: "申請データが大きすぎるため、申請サービスに受け付けられませんでした。", En: "The application is too large, so the service did not accept it."}}
	var cmd string
	switch {
	case limit != "" && signed:
		e.Hint = i18n.Text{Ja: fmt.Sprintf("この手続きで送れる申請データは、添付ファイルを含めて%sまでです。添付ファイルを減らすか小さくしてから、もう一度署名して送信してください。", limit),
			En: fmt.Sprintf("This procedure accepts at most %s per application, attachments included. Please remove or shrink attachments, then sign and send again.", limit)}
		cmd = fmt.Sprintf("the procedure accepts at most %s per package, attachments included: remove or shrink attachments and sign again", limit)
	case limit != "":
		e.Hint = i18n.Text{Ja: fmt.Sprintf("この手続きで送れる申請データは%sまでです。申請書の内容を短くしてから、もう一度送信してください。", limit),
			En: fmt.Sprintf("This procedure accepts at most %s per application. Please shorten the form and send again.", limit)}
		cmd = fmt.Sprintf("the service accepts a form of at most %s: shorten it and submit again", limit)
	default:
		h := reasonHints[submit.ReasonTooLarge]
		e.Hint, cmd = h.hint, h.cmd.En
	}
	e.Command = i18n.Text{Ja: e.Hint.Ja + "（申請データは受け付けられなかったものとして保管しています。shinseictl receipts で確認できます）",
		En: cmd + "; the package is kept among the refused items ('shinseictl receipts' shows them)"}
	return e
}

// alreadyFiledEntry names the earlier arrival number when the service
// told it (to the account that filed it).
func alreadyFiledEntry(af *flow.AlreadyFiledError) Entry {
	e := sentinelEntry(flow.ErrAlreadyFiled)
	if n := af.ArrivalNumber; n != "" {
		e.Message = i18n.Text{Ja: "この申請データは、すでに申請済みです（到達番号 " + n + "）。申請サービスは重ねて受け付けていません。",
			En: "This package was already filed (arrival number " + n + "); the service did not accept it a second time."}
	}
	return e
}
