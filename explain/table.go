package explain

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// helpDesk is the last resort of every hint.
var helpDesk = i18n.Text{Ja: "解決しない場合は、「ヘルプデスク」画面の診断結果を添えて、お問い合わせ窓口にご相談ください。", En: "If this does not help, please contact the help desk with the diagnostics from the Help desk screen."}

// explanation is a message and a hint.
type explanation struct{ msg, hint i18n.Text }

// row explains one sentinel error, found with errors.Is.
type row struct {
	err   error
	class Class
	// cmd is the command line's hint where it names a flag or a command;
	// zero means the hint serves both surfaces.
	cmd i18n.Text
	explanation
}

// sentinels maps errors found with errors.Is to their explanation, in the
// order they are tried.
var sentinels = []row{
	// The user's own choices first.
	{err: flow.ErrDeclined, class: Negative, explanation: explanation{i18n.Text{Ja: "署名を取りやめました。何も署名・保存していません。", En: "Signing was cancelled. Nothing was signed or saved."},
		i18n.Text{Ja: "内容を直す場合は申請書を修正してから、もう一度署名してください。", En: "To change something, correct the form and sign again."}}},
	{err: context.Canceled, class: Environment, cmd: i18n.Text{Ja: "中断しました。何も書き出していません。", En: "interrupted; nothing was written"}, explanation: explanation{i18n.Text{Ja: "中止しました。作りかけのファイルは残っていません。", En: "Stopped. No half-made file was left behind."},
		i18n.Text{Ja: "準備ができたら、もう一度お試しください。", En: "Please try again when ready."}}},
	{err: flow.ErrSecondPrompt, class: Environment, explanation: explanation{i18n.Text{Ja: "パスワードを二度続けて尋ねることはしません。", En: "The PIN is never asked twice in a row."}, i18n.Text{Ja: "もう一度最初からお試しください。", En: "Please start again."}}},
	// Inputs refused before any PIN or password was asked (flow.SignFiles).
	{err: flow.ErrNoSignatureCertificate, class: Environment, cmd: i18n.Text{Ja: "入力は行っておらず、入力回数も減っていません。15歳未満の方のカードには署名用電子証明書がありません。証明書の入ったカードをお使いください。", En: "no PIN was tried and no try was spent; a My Number card issued to a minor under 15 has no signature certificate: use a card with one"}, explanation: explanation{
		i18n.Text{Ja: "このカードには署名用電子証明書が入っていません（15歳未満の方のカードなど）。パスワードの入力は行っておらず、入力回数も減っていません。", En: "This card holds no signature certificate (as on the card of a child under 15). No password was tried and no try was spent."},
		i18n.Text{Ja: "署名用電子証明書の入ったカードをお使いいただくか、市区町村の窓口でご相談ください。", En: "Please use a card with a signature certificate, or ask at the municipal office."}}},
	{err: flow.ErrInputMissing, class: Usage, cmd: i18n.Text{Ja: "ファイルやフォルダーの場所を確かめて、もう一度お試しください（カードやパスワードは使っていません）。", En: "check the path of the file (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "ファイルが見つかりません。", En: "The file was not found."},
		i18n.Text{Ja: "ファイルを選び直してから、もう一度お試しください。", En: "Please choose the file again and try again."}}},
	{err: flow.ErrInputNotRegular, class: Usage, cmd: i18n.Text{Ja: "通常のファイルを指定してください。フォルダー、FIFO、デバイスは読み込みません（カードやパスワードは使っていません）。", En: "give a regular file: a folder, FIFO or device is never read (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "通常のファイルではありません（フォルダーなど）。", En: "It is not a regular file (a folder or the like)."},
		i18n.Text{Ja: "署名するファイルを選び直してください。", En: "Please choose the file to sign again."}}},
	{err: flow.ErrInputUnreadable, class: Usage, cmd: i18n.Text{Ja: "ファイルの権限を確かめてください（カードやパスワードは使っていません）。", En: "check the file's permissions (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "ファイルを読み取れません。", En: "The file cannot be read."},
		i18n.Text{Ja: "ファイルを開けるか確かめてから、もう一度お試しください。", En: "Please make sure the file can be opened and try again."}}},
	{err: flow.ErrFormEmpty, class: Usage, cmd: i18n.Text{Ja: "申請書のファイルを確かめてください。空のファイルです（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "check the form: the file is empty (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "申請書のファイルが空です。カードやパスワードは使っておらず、入力回数も減っていません。", En: "The form file is empty. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "記入した申請書を選び直してください。", En: "Please choose the completed form again."}}},
	{err: flow.ErrFormNotJSON, class: Usage, cmd: i18n.Text{Ja: "申請書のファイルを確かめてください。JSON として読み取れません（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "check the form: it cannot be read as JSON (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "申請書を JSON として読み取れません。カードやパスワードは使っておらず、入力回数も減っていません。", En: "The form cannot be read as JSON. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "このアプリで作成した申請書（.json）を選んでください。", En: "Please choose a form (.json) made with this app."}}},
	{err: flow.ErrOutDirMissing, class: Usage, cmd: i18n.Text{Ja: "--out の保存先フォルダーがありません。作成してから、もう一度お試しください（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "the folder of --out does not exist: create it, or give another path (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "保存先のフォルダーがありません。カードやパスワードは使っておらず、入力回数も減っていません。", En: "The folder to save in does not exist. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "保存先を選び直してください。", En: "Please choose where to save again."}}},
	{err: flow.ErrOutDirNotWritable, class: Usage, cmd: i18n.Text{Ja: "--out の保存先フォルダーに書き込めません。権限を確かめるか、別の場所を指定してください（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "the folder of --out cannot be written: check its permissions or give another place (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "保存先のフォルダーに書き込めません。カードやパスワードは使っておらず、入力回数も減っていません。", En: "The folder to save in cannot be written. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "別の保存先を選んでください。", En: "Please choose another place to save."}}},
	{err: flow.ErrOutExists, class: Usage, cmd: i18n.Text{Ja: "--out のファイルが既にあります。別の名前を指定するか、上書きする場合は --force を付けてください（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "the --out file already exists: give another name, or add --force to replace it (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "同じ名前のファイルが既にあります。カードやパスワードは使っておらず、入力回数も減っていません。", En: "A file of that name already exists. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "別の名前で保存してください。", En: "Please save under another name."}}},
	{err: flow.ErrBatchNameTwice, class: Usage, cmd: i18n.Text{Ja: "同じ名前の申請書が2つあり、署名したファイルが同じ名前になってしまいます。どちらかの名前を変えてから、もう一度お試しください（カードやパスワードは使っておらず、入力回数も減っていません）。", En: "two forms have the same name, so their packages would be the same file: rename one and try again (no PIN was tried and no try was spent)"}, explanation: explanation{
		i18n.Text{Ja: "同じ名前の申請書が2つあります。カードやパスワードは使っておらず、入力回数も減っていません。", En: "Two forms have the same name. No PIN was tried and no try was spent."},
		i18n.Text{Ja: "どちらかの申請書の名前を変えてから、もう一度お選びください。", En: "Please rename one of the forms and choose them again."}}},
	{err: flow.ErrIndeterminate, class: Indeterminate, cmd: i18n.Text{Ja: "失効の確認ができなかったため、署名していません。ネットワークと --service を確かめるか、このまま署名する場合は --accept-indeterminate を付けてください。", En: "nothing was signed: check the network and --service, or add --accept-indeterminate to sign anyway"}, explanation: explanation{
		i18n.Text{Ja: "電子証明書が失効していないかを確認できなかったため、署名していません。", En: "Whether the certificate is revoked could not be established, so nothing was signed."},
		i18n.Text{Ja: "インターネットへの接続を確認して、もう一度お試しください。", En: "Please check the network connection and try again."}}},
	{err: pkcs11.ErrFinalTryNotConfirmed, class: Negative, cmd: i18n.Text{Ja: "入力は行っていません。最後の1回を使う場合は、端末で確認するか --allow-final-try を付けてください。", En: "no PIN was tried; to spend the final try, run in a terminal and confirm, or add --allow-final-try"}, explanation: explanation{
		i18n.Text{Ja: "パスワードの入力が残り1回のため、確認をいただけなかった入力は行っていません。入力回数は減っていません。", En: "One PIN try is left and it was not confirmed, so nothing was tried; no try was spent."},
		i18n.Text{Ja: "パスワードを確かめてから、最後の1回であることを確認のうえ入力してください。分からない場合は、市区町村の窓口でパスワードの初期化（再設定）ができます。", En: "Please make sure of the PIN, then confirm spending the last try. If you do not know it, the municipal office can reset it."},
	}},
	{err: pkcs11.ErrPINLocked, class: Negative, cmd: i18n.Text{Ja: "入力は行っていません。パスワードロックの解除（パスワードの初期化）は、カードをお持ちのうえ市区町村の窓口でお手続きください。", En: "no PIN was tried; a locked My Number card is unlocked only at the municipal office (bring the card and ID)"}, explanation: explanation{
		i18n.Text{Ja: "署名用電子証明書のパスワードロックがかかっています。入力は行っていません。", En: "The PIN is locked; nothing was tried."},
		i18n.Text{Ja: "パスワードの初期化（再設定）は、マイナンバーカードをお持ちのうえ、お住まいの市区町村の窓口でお手続きください。", En: "The lock can only be reset at your municipal office: please bring your My Number card there."},
	}},
	{err: pkcs11.ErrPINFormat, class: Usage, cmd: i18n.Text{Ja: "入力は行っておらず、入力回数も減っていません。示された形式で入力してください。", En: "no PIN was tried and no try was spent; enter the PIN in the format shown"}, explanation: explanation{
		i18n.Text{Ja: "パスワードの形式が違うため、カードには送っていません。入力回数は減っていません。", En: "The PIN does not have the right format, so it was not sent to the card; no try was spent."},
		i18n.Text{Ja: "署名用電子証明書のパスワードは、英大文字と数字の6〜16文字です。", En: "The signature password has 6 to 16 capital letters and digits."}}},
	{err: pkcs11.ErrNoCertificate, class: Environment, cmd: i18n.Text{Ja: "15歳未満の方のカードには署名用電子証明書がありません。証明書の入ったカードをお使いください。", En: "a My Number card issued to a minor under 15 has no signature certificate; use a card with one"}, explanation: explanation{
		i18n.Text{Ja: "このカードには署名用電子証明書が入っていません（15歳未満の方のカードなど）。", En: "This card holds no signature certificate (as on the card of a child under 15)."},
		i18n.Text{Ja: "署名用電子証明書の入ったカードをお使いいただくか、市区町村の窓口でご相談ください。", En: "Please use a card with a signature certificate, or ask at the municipal office."}}},
	{err: pkcs11.ErrCardRemoved, class: Environment, cmd: i18n.Text{Ja: "カードが取り外されたか、リーダーの接続が切れました。置き直してから、もう一度署名してください（何も書き出していません）。", En: "the card was removed or the reader disconnected; insert it again and sign again (nothing was written)"}, explanation: explanation{
		i18n.Text{Ja: "カードが取り外されたか、カードリーダーとの接続が切れました。何も書き出していません。", En: "The card was removed or the reader was disconnected. Nothing was written."},
		i18n.Text{Ja: "カードをリーダーにしっかり置き直してから、もう一度お試しください。", En: "Please put the card back on the reader and try again."}}},
	{err: pkcs11.ErrAmbiguousToken, class: Environment, cmd: i18n.Text{Ja: "カードを置いてください（複数ある場合は --token LABEL で選べます。一覧は shinseictl tokens）。", En: "insert the card (or choose one with --token LABEL; 'shinseictl tokens' lists them)"}, explanation: explanation{
		i18n.Text{Ja: "カードが複数見つかりました。", En: "Several cards or tokens were found."},
		i18n.Text{Ja: "使うカードを一覧から選んでください。", En: "Please choose the card (token) to use from the list."}}},
	{err: pkcs11.ErrNoToken, class: Environment, cmd: i18n.Text{Ja: "カードを置いてください（複数ある場合は --token LABEL で選べます。一覧は shinseictl tokens）。", En: "insert the card (or choose one with --token LABEL; 'shinseictl tokens' lists them)"}, explanation: explanation{
		i18n.Text{Ja: "カードが見つかりません。", En: "No card was found."},
		i18n.Text{Ja: "カードをリーダーに置いて（差し込んで）から、もう一度お試しください。", En: "Please put the card on (into) the reader and try again."}}},
	{err: pkcs11.ErrModuleNotLoadable, class: Environment, cmd: i18n.Text{Ja: "OpenSC（Debian: apt-get install opensc-pkcs11）または利用者クライアントソフトをインストールするか、正しい --module PATH を指定してください。", En: "install OpenSC (Debian: apt-get install opensc-pkcs11) or the JPKI user software, or give the right --module PATH"}, explanation: explanation{
		i18n.Text{Ja: "カードを読み取るためのソフトウェアを読み込めません。", En: "The software that reads the card (the PKCS#11 module) cannot be loaded."},
		i18n.Text{Ja: "公的個人認証サービスの利用者クライアントソフトをインストールするか、設定で「カードを読み取るソフトウェア」の場所を指定してください。", En: "Please install the JPKI user software (on Linux: OpenSC), or set the module's location in the settings."},
	}},
	{err: flow.ErrNoModule, class: Environment, cmd: i18n.Text{Ja: "OpenSC（Debian: apt-get install opensc-pkcs11）をインストールするか、--module PATH を指定するか、--p12 FILE で署名してください。", En: "install OpenSC (Debian: apt-get install opensc-pkcs11), give --module PATH, or sign with --p12 FILE"}, explanation: explanation{
		i18n.Text{Ja: "カードを読み取るためのソフトウェアが見つかりません。", En: "No software that reads cards (PKCS#11 module) was found."},
		i18n.Text{Ja: "公的個人認証サービスの利用者クライアントソフトをインストールしてください。証明書ファイル（.p12）でも署名できます。", En: "Please install the JPKI user software (on Linux: OpenSC). You can also sign with a certificate file (.p12)."},
	}},
	{err: pkcs11.ErrKeyNotFound, class: Environment, cmd: i18n.Text{Ja: "--key-id HEX で鍵を選んでください。証明書と ID は shinseictl tokens で一覧できます。", En: "choose the key with --key-id HEX; 'shinseictl tokens' lists the certificates and their IDs"}, explanation: explanation{
		i18n.Text{Ja: "このカードに署名用の鍵が見つかりません。", En: "No signature key was found on this card (token)."},
		i18n.Text{Ja: "別のカードを選んでください。", En: "Please choose another card (token)."}}},
	{err: pkcs11.ErrNotLoggedIn, class: Environment, explanation: explanation{
		i18n.Text{Ja: "カードへのログインが済んでいません。", En: "The card is not logged in."}, i18n.Text{Ja: "もう一度最初からお試しください。", En: "Please start again."}}},
	{err: pcsc.ErrNoCard, class: Environment, explanation: explanation{i18n.Text{Ja: "カードリーダーにカードがありません。", En: "There is no card in the reader."}, i18n.Text{Ja: "カードを置いてから、もう一度お試しください。", En: "Please put the card on the reader and try again."}}},
	{err: pcsc.ErrUnavailable, class: Environment, cmd: i18n.Text{Ja: "カードリーダーが接続されているか、PC/SC のサービス（pcscd）が動いているかを確かめてください。", En: "check the reader is connected and the PC/SC service (pcscd) is running"}, explanation: explanation{i18n.Text{Ja: "カードリーダーを使うためのサービスを利用できません。", En: "The card reader service (PC/SC) is not available."},
		i18n.Text{Ja: "カードリーダーが接続されているか確認してください。続く場合は、「ヘルプデスク」画面の診断結果を添えてご相談ください。", En: "Please check the reader is connected (on Linux, pcscd must be running)."}}},

	{err: signer.ErrWrongPassword, class: Negative, cmd: i18n.Text{Ja: "証明書ファイルと一緒に受け取ったパスワードを確かめて、もう一度お試しください。", En: "check the password given with the certificate file and try again"}, explanation: explanation{
		i18n.Text{Ja: "証明書ファイルのパスワードが違います。", En: "The certificate file's password is not right."},
		i18n.Text{Ja: "証明書ファイルと一緒に受け取ったパスワードを確かめて、もう一度入力してください。", En: "Please check the password you received with the certificate file and enter it again."}}},
	{err: signer.ErrNotPKCS12, class: Usage, cmd: i18n.Text{Ja: "証明書と一緒に発行された .p12 / .pfx ファイルを指定してください。", En: "give the .p12/.pfx file issued with the certificate"}, explanation: explanation{
		i18n.Text{Ja: "選んだファイルは、読み取れる証明書ファイル（.p12 / .pfx）ではありません。", En: "The file chosen is not a readable certificate file (.p12/.pfx)."},
		i18n.Text{Ja: "証明書と一緒に発行された .p12 ファイルを選んでください。", En: "Please choose the .p12 file issued with the certificate."}}},
	{err: signer.ErrInvalidFile, class: Usage, cmd: i18n.Text{Ja: "申請書と添付ファイルを確かめてください。存在する通常のファイルで、申請書は空でないことが必要です。", En: "check the form and attachment files: they must exist, be regular files, and the form must not be empty"}, explanation: explanation{
		i18n.Text{Ja: "申請書または添付ファイルを読み込めません（見つからない、空、大きすぎる、名前が重複しているなど）。", En: "The form or an attachment cannot be packaged (missing, empty, too large, or a duplicate name)."},
		i18n.Text{Ja: "添付ファイルを選び直してください。", En: "Please choose the attachments again."}}},
	{err: signer.ErrMalformed, class: Usage, cmd: i18n.Text{Ja: "署名付きの申請データまたは署名として読み取れません。送り主にもう一度送ってもらってください。", En: "the file is not a readable signed package or signature; ask the sender for it again"}, explanation: explanation{
		i18n.Text{Ja: "ファイルが署名付きの申請データ・通知書として読み取れません。", En: "The file cannot be read as a signed package or notice."},
		i18n.Text{Ja: "送り主に、ファイルをもう一度送ってもらってください。", En: "Please ask the sender for the file again."}}},
	{err: signer.ErrTooLarge, class: Usage, cmd: i18n.Text{Ja: "署名付きの申請データまたは署名として読み取れません。送り主にもう一度送ってもらってください。", En: "the file is not a readable signed package or signature; ask the sender for it again"}, explanation: explanation{
		i18n.Text{Ja: "ファイルが大きすぎるため、読み取りを中止しました。", En: "The file is too large; reading it was stopped."},
		i18n.Text{Ja: "送り主に確認してください。", En: "Please check with the sender."}}},
	{err: pades.ErrMalformed, class: Usage, cmd: i18n.Text{Ja: "PDF として読み取れません。発行元にもう一度送ってもらってください。", En: "the file cannot be read as a PDF; ask the issuer for it again"}, explanation: explanation{
		i18n.Text{Ja: "ファイルを PDF として読み取れません（壊れている、途中で切れているなど）。", En: "The file cannot be read as a PDF (damaged or cut short)."},
		i18n.Text{Ja: "発行元に、ファイルをもう一度送ってもらってください。", En: "Please ask the issuer for the file again."}}},
	{err: pades.ErrTooLarge, class: Usage, cmd: i18n.Text{Ja: "この PDF は検証できる大きさ・構造を超えています。発行元に確認してください。", En: "the PDF exceeds what the verifier reads (size or structure); check with the issuer"}, explanation: explanation{
		i18n.Text{Ja: "PDF の構造が大きすぎる、または複雑すぎるため、検証を中止しました。", En: "The PDF's structure is too large or too complex; verification was stopped."},
		i18n.Text{Ja: "発行元に確認してください。", En: "Please check with the issuer."}}},
	{err: pades.ErrEncrypted, class: Usage, cmd: i18n.Text{Ja: "暗号化された PDF は検証できません。暗号化されていない PDF を発行元に求めてください。", En: "an encrypted PDF cannot be verified; ask the issuer for an unencrypted one"}, explanation: explanation{
		i18n.Text{Ja: "この PDF は暗号化されているため、署名された内容を確認できません。", En: "This PDF is encrypted, so what was signed cannot be checked."},
		i18n.Text{Ja: "暗号化されていない PDF を、発行元に送ってもらってください。", En: "Please ask the issuer for an unencrypted PDF."}}},
	{err: pades.ErrActiveContent, class: Negative, cmd: i18n.Text{Ja: "スクリプトや外部プログラムの起動を含む PDF は検証しません。発行元に確認してください。", En: "a PDF with JavaScript or launch actions is not verified; check with the issuer"}, explanation: explanation{
		i18n.Text{Ja: "この PDF にはスクリプトまたは外部プログラムを起動する指示が含まれています。自治体の通知書には通常含まれないため、検証しませんでした。", En: "This PDF contains JavaScript or an action that launches a program. Municipal notices do not contain them, so it was not verified."},
		i18n.Text{Ja: "このファイルは開かずに、発行元の市区町村にお問い合わせください。", En: "Please do not open the file; contact the municipality that issued it."}}},
	{err: pades.ErrNoSignature, class: Negative, cmd: i18n.Text{Ja: "この PDF には電子署名がありません。", En: "the PDF carries no signature"}, explanation: explanation{
		i18n.Text{Ja: "この PDF には電子署名がありません。", En: "This PDF has no electronic signature."},
		i18n.Text{Ja: "署名付きの PDF かどうか、発行元に確認してください。", En: "Please check with the issuer whether the PDF should be signed."}}},
	{err: pades.ErrByteRange, class: Negative, cmd: i18n.Text{Ja: "署名がファイルの一部しか対象にしていません。この PDF は信用しないでください。", En: "a signature leaves part of the file unsigned; do not rely on this PDF"}, explanation: explanation{
		i18n.Text{Ja: "署名の対象範囲がファイル全体になっていません。署名されていない部分が表示されるおそれがあります。", En: "A signature does not cover the whole file: unsigned parts may be shown."},
		i18n.Text{Ja: "この PDF の内容は信用しないでください。発行元の市区町村にお問い合わせください。", En: "Please do not rely on this PDF; contact the municipality that issued it."}}},
	{err: pades.ErrBox, class: Usage, cmd: i18n.Text{Ja: "署名欄は --box X1,Y1,X2,Y2（ページ左下からのポイント）と --box-page で、PDF にあるページの上に指定してください。", En: "give the box with --box X1,Y1,X2,Y2 (points from the page's lower-left corner) and --box-page, on a page the PDF has"}, explanation: explanation{
		i18n.Text{Ja: "署名欄の位置が PDF のページの上にありません。", En: "The signature box is not on a page of the PDF."},
		i18n.Text{Ja: "署名欄のページと位置を選び直してください。", En: "Please choose the page and place of the signature box again."}}},
	{err: pades.ErrText, class: Usage, cmd: i18n.Text{Ja: "--reason と --location には、この文字を使わずに指定してください（英数字なら確実に記録できます）。", En: "give --reason and --location without that character (ASCII letters and digits are always written)"}, explanation: explanation{
		i18n.Text{Ja: "署名の理由または場所に、PDF に記録できない文字が含まれています。", En: "The signature's reason or place holds a character that cannot be written in the PDF."},
		i18n.Text{Ja: "別の言葉で入力し直してください。", En: "Please enter it again in other words."}}},
	{err: signer.ErrTSAUnreachable, class: Environment, cmd: i18n.Text{Ja: "タイムスタンプは、あとで shinseictl timestamp PKG で付けられます（送信時にも自動で付けます）。--tsa URL で別のタイムスタンプ局も指定できます。", En: "add the timestamp later with 'shinseictl timestamp PKG' (submitting also adds it), or name another authority with --tsa URL"}, explanation: explanation{
		i18n.Text{Ja: "タイムスタンプ局に接続できませんでした。署名は有効ですが、タイムスタンプはまだ付いていません。", En: "The timestamp authority could not be reached. The signature is valid, but has no timestamp yet."},
		i18n.Text{Ja: "このまま送信できます。タイムスタンプは送信時に自動で付けます。", En: "You can submit as it is; the timestamp is added when you submit."}}},
	{err: signer.ErrTSABadReply, class: Environment, cmd: i18n.Text{Ja: "タイムスタンプは、あとで shinseictl timestamp PKG で付けられます（送信時にも自動で付けます）。--tsa URL で別のタイムスタンプ局も指定できます。", En: "add the timestamp later with 'shinseictl timestamp PKG' (submitting also adds it), or name another authority with --tsa URL"}, explanation: explanation{
		i18n.Text{Ja: "タイムスタンプ局の応答が正しいタイムスタンプではありませんでした。署名は有効ですが、タイムスタンプはまだ付いていません。", En: "The timestamp authority's answer was not a valid timestamp. The signature is valid, but has no timestamp yet."},
		i18n.Text{Ja: "このまま送信できます。タイムスタンプは送信時にもう一度付けます。続く場合は窓口にお問い合わせください。", En: "You can submit as it is; the timestamp is tried again when you submit. If this goes on, please contact the help desk."}}},
	{err: signer.ErrArchiveSealed, class: Usage, cmd: i18n.Text{Ja: "この申請データはアーカイブタイムスタンプで封印されているため、変更しません。アーカイブタイムスタンプが署名の時刻を証明しているので、そのまま保管・検証してください（shinseictl verify）。", En: "the package is sealed by an archive timestamp, which already proves when it was signed: keep and verify it as it is ('shinseictl verify'), without adding a timestamp"}, explanation: explanation{
		i18n.Text{Ja: "この申請データにはアーカイブタイムスタンプが付いているため、署名にタイムスタンプを追加できません（追加すると封印が壊れます）。", En: "This package carries an archive timestamp, so no timestamp can be added to its signatures: adding one would break the seal."},
		i18n.Text{Ja: "申請データは変更していません。このまま保管してください。署名の時刻はアーカイブタイムスタンプで証明されています。", En: "The package was not changed. Please keep it as it is: the archive timestamp proves when it was signed."}}},
	{err: flow.ErrNoTSA, class: Usage, cmd: i18n.Text{Ja: "--tsa URL でタイムスタンプ局を指定するか、タイムスタンプ局を案内している申請サービスを --service で指定してください。", En: "name a timestamp authority with --tsa URL, or a service that announces one with --service"}, explanation: explanation{
		i18n.Text{Ja: "タイムスタンプ局が設定されておらず、申請サービスからも案内がありません。", En: "No timestamp authority is set, and the service announces none."},
		i18n.Text{Ja: "設定でタイムスタンプ局を指定してください。署名自体は有効です。", En: "Please set a timestamp authority in the settings. The signature itself is valid."}}},

	// Proxy filing (代理申請): refused before any PIN or password.
	{err: flow.ErrProxyNotAllowed, class: Negative, explanation: explanation{
		i18n.Text{Ja: "この手続きは代理申請ができません。署名していません（署名用電子証明書のパスワードは使っていません）。", En: "This procedure cannot be filed by a proxy. Nothing was signed, and no PIN or password was used."},
		i18n.Text{Ja: "申請者ご本人が、ご自身の電子証明書で署名して申請してください。", En: "The applicant must sign and file it with their own certificate."}},
		cmd: i18n.Text{Ja: "申請者ご本人が、ご自身の証明書で署名してください（代理申請できる手続きは、サービスの手続き一覧で proxy_allowed が true のものです）。", En: "the applicant must sign it in person (procedures open to proxies have proxy_allowed true in the service's catalogue)"}},
	{err: flow.ErrPowerOfAttorneyInvalid, class: Negative, explanation: explanation{
		i18n.Text{Ja: "委任状を使うことができません。署名していません（署名用電子証明書のパスワードは使っていません）。", En: "The power of attorney cannot be used. Nothing was signed, and no PIN or password was used."},
		i18n.Text{Ja: "この手続きのための委任状（POA.asice）を、申請者ご本人に作り直していただいてください。", En: "Please ask the applicant for a new power of attorney (POA.asice) for this procedure."}},
		cmd: i18n.Text{Ja: "申請者ご本人に shinseictl sign --power-of-attorney --proxy 名前 --procedure 手続きID --out POA.asice で委任状を作り直していただいてください。", En: "ask the applicant for a new one: 'shinseictl sign --power-of-attorney --proxy NAME --procedure ID --out POA.asice'"}},
	{err: flow.ErrPrincipalNotApplicant, class: Negative, explanation: explanation{
		i18n.Text{Ja: "委任状に署名した方と、申請書の申請者が一致しません。署名していません（署名用電子証明書のパスワードは使っていません）。", En: "The person who signed the power of attorney is not the form's applicant. Nothing was signed, and no PIN or password was used."},
		i18n.Text{Ja: "申請者欄を委任者の電子証明書の記録どおりに直すか、申請者ご本人の委任状をご用意ください。", En: "Please correct the applicant block to the principal's certificate, or get the applicant's own power of attorney."}}},
	{err: flow.ErrPowerOfAttorneyExpired, class: Negative, explanation: explanation{
		i18n.Text{Ja: "委任状の有効期限が過ぎています。署名も送信もしていません（パスワードは使っていません）。", En: "The power of attorney has expired. Nothing was signed or sent, and no PIN or password was used."},
		i18n.Text{Ja: "委任者（申請者ご本人）に、新しい委任状を作っていただいてください。", En: "Please ask the principal (the applicant) for a new power of attorney."}},
		cmd: i18n.Text{Ja: "委任者に shinseictl sign --power-of-attorney で新しい委任状を作っていただいてください（有効期限は --valid-until YYYY-MM-DD、指定しなければ3か月後です）。", En: "ask the principal for a new one: 'shinseictl sign --power-of-attorney' (valid for 3 months, or until --valid-until YYYY-MM-DD)"}},
	{err: flow.ErrPowerOfAttorneyNotYetValid, class: Negative, explanation: explanation{
		i18n.Text{Ja: "委任状の作成日時が、このパソコンの現在の時刻より後になっています。署名も送信もしていません（パスワードは使っていません）。", En: "The power of attorney is dated after this computer's current time. Nothing was signed or sent, and no PIN or password was used."},
		i18n.Text{Ja: "このパソコンの日付と時刻を確かめてください。正しい場合は、委任者にパソコンの時計を確かめて委任状を作り直していただいてください。", En: "Please check this computer's date and time. If they are right, ask the principal to check their computer's clock and make a new power of attorney."}}},
	{err: flow.ErrValidUntilOutOfRange, class: Usage, explanation: explanation{
		i18n.Text{Ja: fmt.Sprintf("委任状の有効期限は、今日から%dか月後までの日付で指定してください。署名していません（署名用電子証明書のパスワードは使っていません）。", submit.PowerOfAttorneyMaxMonths), En: fmt.Sprintf("A power of attorney's last day must be from today to %d months ahead. Nothing was signed, and no PIN or password was used.", submit.PowerOfAttorneyMaxMonths)},
		i18n.Text{Ja: fmt.Sprintf("有効期限を選び直してください。指定しない場合は%dか月後になります。", submit.PowerOfAttorneyDefaultMonths), En: fmt.Sprintf("Please choose another last day; without one it is %d months ahead.", submit.PowerOfAttorneyDefaultMonths)}},
		cmd: i18n.Text{Ja: fmt.Sprintf("--valid-until には今日から%dか月後までの日付（YYYY-MM-DD）を指定してください（省略すると%dか月後）。", submit.PowerOfAttorneyMaxMonths, submit.PowerOfAttorneyDefaultMonths), En: fmt.Sprintf("give --valid-until a date (YYYY-MM-DD) from today to %d months ahead, or leave it out for %d months", submit.PowerOfAttorneyMaxMonths, submit.PowerOfAttorneyDefaultMonths)}},

	{err: flow.ErrWrongLevel, class: Usage, explanation: explanation{
		i18n.Text{Ja: "この手続きの申請方法（ログイン・署名の要否）と合っていません。", En: "This does not fit how the procedure is filed (login and signature)."},
		i18n.Text{Ja: "署名が必要な手続きは署名してから、署名が不要な手続きは署名せずに送信してください。", En: "Sign the form for procedures that need a signature, and send the form itself for the others."}}},
	{err: flow.ErrNoAccount, class: Usage, cmd: i18n.Text{Ja: "--account ID でお持ちの ID を指定してください（shinseictl account login --account ID でログインしておけます）。ID をまだお持ちでない場合だけ shinseictl account register で登録してください。", En: "give your account with --account ID (or log in first: 'shinseictl account login --account ID'); register with 'shinseictl account register' only if you have no account yet"}, explanation: explanation{
		i18n.Text{Ja: "この手続きにはログインが必要ですが、ID が登録されていません。", En: "This procedure needs a login, and no ID is kept."},
		i18n.Text{Ja: "「アカウント」画面で、マイナンバーカードまたは証明書ファイルを使って ID を登録するか、お持ちの ID でログインしてください。", En: "Please register an ID with your My Number card or certificate file, or log in with your ID, on the Account screen."},
	}},
	{err: flow.ErrPasswordTooShort, class: Usage, explanation: explanation{
		i18n.Text{Ja: fmt.Sprintf("パスワードが短すぎます（%d文字以上必要です）。", flow.MinPasswordLen), En: fmt.Sprintf("The password is too short (at least %d characters).", flow.MinPasswordLen)},
		i18n.Text{Ja: "より長いパスワードを決めてください。", En: "Please choose a longer password."}}},
	{err: flow.ErrPasswordTooLong, class: Usage, explanation: explanation{
		i18n.Text{Ja: fmt.Sprintf("パスワードが長すぎます（%d文字以内です）。", submit.MaxPasswordLen), En: fmt.Sprintf("The password is too long (at most %d characters).", submit.MaxPasswordLen)},
		i18n.Text{Ja: "より短いパスワードを決めてください。", En: "Please choose a shorter password."}}},
	{err: flow.ErrPasswordUnusable, class: Usage, explanation: explanation{
		i18n.Text{Ja: "パスワードに、制御文字や目に見えない文字は使えません。また、空白だけのパスワードも使えません。", En: "The password must not contain control or invisible characters, nor consist only of spaces."},
		i18n.Text{Ja: "文字・数字・記号を組み合わせて、パスワードを決め直してください。", En: "Please choose a password of letters, digits and symbols."}}},
	{err: flow.ErrPasswordGuessable, class: Usage, explanation: explanation{
		i18n.Text{Ja: "このパスワードは、よく使われているか、同じ文字や並びの繰り返しのため、推測されやすく使えません。", En: "This password is too easy to guess: it is commonly used, or repeats characters or sequences."},
		i18n.Text{Ja: "いくつかの単語を組み合わせるなど、推測されにくいパスワードを決め直してください。", En: "Please choose a harder one, for example several words together."}}},
	{err: flow.ErrUserType, class: Usage, explanation: explanation{
		i18n.Text{Ja: "証明書から、住民の方か法人かを判別できません。", En: "The certificate does not tell whether it is a resident's or a company's."},
		i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書で登録してください。", En: "Please register with a My Number card or a commercial-registry certificate."}}},
	{err: flow.ErrNotQueued, class: Environment, explanation: explanation{
		i18n.Text{Ja: "申請を送信待ちの場所（送信箱）に保存できませんでした。何も送信していません。", En: "The application could not be saved in the outbox; nothing was sent."},
		i18n.Text{Ja: "ディスクの空き容量と、データフォルダーに書き込めるかを確認してから、もう一度お試しください。", En: "Please check the free disk space and that the data folder can be written, then try again."}}},
	{err: flow.ErrNoticeNotFound, class: Usage, explanation: explanation{
		i18n.Text{Ja: "その到達番号の申請に、その通知番号の通知はありません。", En: "The application of that arrival number has no notice of that notice number."},
		i18n.Text{Ja: "到達番号と通知番号をご確認ください。「申請履歴」で「状況を確認」を押すと、届いた通知の通知番号が表示され、「通知を開く」でそのまま確かめられます。", En: "Please check the arrival number and the notice number. In History, “Check status” lists the notices that arrived with their numbers, and “Open the notice” verifies one."}},
		cmd: i18n.Text{Ja: "到達番号と通知番号をご確認ください。shinseictl status で、届いた通知の通知番号が表示されます。", En: "check the arrival number and the notice number; 'shinseictl status' lists the notices that arrived"}},
	{err: flow.ErrAlreadyProcessed, class: Negative, explanation: explanation{
		i18n.Text{Ja: "この申請は、すでに市区町村で処理が済んでいるため、取り下げや補正はできません。何も送信していません。", En: "This application has already been processed by the municipality, so it can no longer be withdrawn or corrected. Nothing was sent."},
		i18n.Text{Ja: "内容についてはお手続きの窓口にお問い合わせください。", En: "Please contact the office of the procedure about it."}},
		cmd: i18n.Text{Ja: "処理済みの申請は取り下げ・補正できません。shinseictl status で状況を確認し、窓口にお問い合わせください。", En: "a processed application cannot be withdrawn or amended: see 'shinseictl status' and contact the office of the procedure"}},
	{err: flow.ErrNotApplicant, class: Negative, explanation: explanation{
		i18n.Text{Ja: "申請したご本人の電子証明書による署名ではないため、受け付けられませんでした。", En: "It was not signed with the certificate of the person who filed the application, so it was not accepted."},
		i18n.Text{Ja: "申請のときと同じ方のマイナンバーカードまたは電子証明書で署名してください。", En: "Please sign with the My Number card or certificate of the same person as the application."}},
		cmd: i18n.Text{Ja: "申請のときと同じ方のカード（--module）または証明書ファイル（--p12）で署名してください。", En: "sign with the card (--module) or certificate file (--p12) of the person who filed the application"}},
	{err: flow.ErrAmendmentNotRequested, class: Negative, explanation: explanation{
		i18n.Text{Ja: "この申請には、現在補正のご依頼はありません。何も送信していません。", En: "No correction is requested for this application now. Nothing was sent."},
		i18n.Text{Ja: "「申請履歴」で「状況を確認」を押すと、補正依頼が届いているかが分かります。", En: "In History, “Check status” shows whether a request for correction has arrived."}},
		cmd: i18n.Text{Ja: "補正依頼が届いているかは shinseictl status で確認できます。", En: "'shinseictl status' shows whether a correction is requested"}},
	{err: flow.ErrCorrectionUnverified, class: Negative, explanation: explanation{
		i18n.Text{Ja: "補正依頼の通知書を、市区町村が発行したものと確認できませんでした。通知の内容は使っていません。", En: "The request for correction could not be verified as the municipality's, so its content was not used."},
		i18n.Text{Ja: "発行元の市区町村にお問い合わせください。", En: "Please contact the municipality that issued it."}},
		cmd: i18n.Text{Ja: "通知書を shinseictl verify で確かめ、発行元の市区町村にお問い合わせください。", En: "check the notice with 'shinseictl verify' and contact the municipality that issued it"}},
	{err: flow.ErrOriginalNotKept, class: Negative, explanation: explanation{
		i18n.Text{Ja: "この申請の申請書は、このコンピューターに保存されていません。何も書き出していません。", En: "The form of this application is not kept on this computer. Nothing was written."},
		i18n.Text{Ja: "補正する項目を直した申請書を、あらためて作成してください。", En: "Please write the form again, with the fields to correct put right."}},
		cmd: i18n.Text{Ja: "直した申請書を作成し、shinseictl amend 到達番号 申請書 で送信してください。", En: "write the corrected form and file it with 'shinseictl amend ARRIVAL FORM'"}},
	{err: flow.ErrNoService, class: Usage, explanation: explanation{
		i18n.Text{Ja: "申請サービスが設定されていません。", En: "No service is configured."},
		i18n.Text{Ja: "設定画面で申請サービスのアドレスを入力してください。", En: "Please enter the service's address in the settings."}}},
	{err: flow.ErrNoDataDir, class: Usage, explanation: explanation{
		i18n.Text{Ja: "データを保存する場所が設定されていません。", En: "No place to keep data is configured."},
		i18n.Text{Ja: "アプリを起動し直してください。続く場合は、「ヘルプデスク」画面の診断結果を添えてご相談ください。", En: "Please start the app again; if it goes on, contact the help desk with the diagnostics from the Help desk screen."}},
		cmd: i18n.Text{Ja: "--data-dir DIR または環境変数 SHINSEI_DATA_DIR でデータフォルダーを指定してください。", En: "give a data directory with --data-dir DIR or $SHINSEI_DATA_DIR"}},
	{err: flow.ErrNoCredential, class: Usage, explanation: explanation{
		i18n.Text{Ja: "署名に使うカードまたは証明書ファイルが選ばれていません。", En: "No card or certificate file was chosen to sign with."},
		i18n.Text{Ja: "カードか証明書ファイルのどちらか一つを選んでください。", En: "Please choose a card or a certificate file (one of them)."}}},
	{err: flow.ErrNoCallback, class: Environment, explanation: explanation{
		i18n.Text{Ja: "アプリの内部エラーです（確認画面を表示できません）。", En: "Internal error of the app (a dialog is missing)."}, helpDesk}},

	{err: submit.ErrNoKeyring, class: Environment, cmd: i18n.Text{Ja: "ID とパスワードは OS のキーリングにだけ保管します。キーリングを起動するかロックを解除してください（Linux: D-Bus セッション上の GNOME キーリングまたは KWallet）。cron や ssh などのスクリプトでは、dbus-run-session と gnome-keyring-daemon --unlock の下で実行するか（README 参照）、--password-stdin でパスワードを渡してください。", En: "Shinsei keeps IDs and passwords only in the OS keyring: unlock or start it (Linux: GNOME Keyring or KWallet through the Secret Service on the D-Bus session); in a script (cron, ssh, CI) run the command under dbus-run-session with gnome-keyring-daemon --unlock (see README), or give the password with --password-stdin"}, explanation: explanation{
		i18n.Text{Ja: "パスワードを安全に保管する場所（OS のキーリング）を利用できません。", En: "The OS keyring, where passwords are kept safely, cannot be used."},
		i18n.Text{Ja: "キーリングのロックを解除してから、もう一度お試しください（Linux では GNOME キーリングまたは KWallet が必要です）。", En: "Please unlock the keyring and try again (on Linux, GNOME Keyring or KWallet is needed)."},
	}},
	{err: submit.ErrNotStored, class: Environment, cmd: i18n.Text{Ja: "先にログインしてください：shinseictl account login --service URL --account ID（パスワードは保管されます）。保管せずに使う場合は --password-stdin でパスワードを渡してください。", En: "log in first: shinseictl account login --service URL --account ID (the password is kept), or pipe the password to this command with --password-stdin"}, explanation: explanation{
		i18n.Text{Ja: "ID またはパスワードが保管されていません。", En: "No ID or password is kept."},
		i18n.Text{Ja: "一度ログインしてください（パスワードは OS のキーリングに保管されます）。", En: "Please log in once (the password is kept in the OS keyring)."}}},
	{err: submit.ErrSecretTooLarge, class: Usage, cmd: i18n.Text{Ja: "より短いパスワードにしてください。", En: "use a shorter password"}, explanation: explanation{
		i18n.Text{Ja: "パスワードが長すぎて保管できません。", En: "The password is too long to be kept."}, i18n.Text{Ja: "より短いパスワードにしてください。", En: "Please use a shorter password."}}},
	{err: submit.ErrNotForm, class: Usage, cmd: i18n.Text{Ja: "shinseictl sign で作った署名済みの申請データ（.asice）か、「procedure」で手続きを指定した JSON の申請書を指定してください。", En: "give a signed package (.asice made by 'shinseictl sign') or a JSON form whose \"procedure\" names the procedure"}, explanation: explanation{
		i18n.Text{Ja: "申請書として読み取れないファイルです。", En: "The file cannot be read as a form."},
		i18n.Text{Ja: "このアプリで作成した申請書（.json）または署名済みの申請データ（.asice）を選んでください。", En: "Please choose a form (.json) or signed package (.asice) made with this app."}}},
	{err: submit.ErrBusy, class: Environment, explanation: explanation{
		i18n.Text{Ja: "この申請は、別のウィンドウまたはプログラムで送信中です。", En: "This application is being sent by another window or program."},
		i18n.Text{Ja: "しばらく待ってから、「申請履歴」で届いたかをご確認ください。", En: "Please wait a moment, then look in History whether it arrived."}},
		cmd: i18n.Text{Ja: "しばらく待ってから、shinseictl receipts で届いたかをご確認ください。", En: "wait a moment, then see with 'shinseictl receipts' whether it arrived"}},
	{err: submit.ErrUnreachable, class: Environment, cmd: i18n.Text{Ja: "ネットワーク接続と --service のアドレスを確かめて、もう一度お試しください。", En: "check the network connection and the --service address, then try again"}, explanation: explanation{
		i18n.Text{Ja: "申請サービスに接続できません。", En: "The service cannot be reached."},
		i18n.Text{Ja: "インターネットへの接続を確認して、もう一度お試しください。", En: "Please check the network connection and try again."}}},
	{err: submit.ErrNotAPI, class: Environment, cmd: i18n.Text{Ja: "このアドレスは応答しますが、申請サービスの API ではありません。--service に申請サービスのアドレスを指定してください。", En: "this address answers, but it is not the service's API: check the --service address"}, explanation: explanation{
		i18n.Text{Ja: "設定のアドレスは応答しますが、申請サービスではありません。何も送信していません。", En: "The address answers, but it is not the e-application service; nothing was sent."},
		i18n.Text{Ja: "設定のサービスのアドレスが正しいかご確認ください。", En: "Please check the service's address in the settings."}}},
	{err: flow.ErrAlreadyReceived, class: Done, cmd: i18n.Text{Ja: "もう一度送る場合だけ --again を付けてください（端末で確認します。端末がない場合は --again --yes）。", En: "to file it once more anyway, add --again (asked on a terminal; --again --yes without one)"}, explanation: explanation{
		i18n.Text{Ja: "この申請データは、すでに受け付けられています。もう一度は送信していません。", En: "This package was already received; it was not sent again."},
		i18n.Text{Ja: "「申請履歴」で到達番号をご確認ください。", En: "Please find its arrival number in History."}}},
	{err: flow.ErrAlreadyFiled, class: Done, cmd: i18n.Text{Ja: "申請サービスには、同じ署名の申請データがすでに届いています。もう一度送る必要はありません（shinseictl receipts と shinseictl status で状況を確認できます）。", En: "the service already holds this signed package: there is no need to send it again ('shinseictl receipts' and 'shinseictl status' show where it stands)"}, explanation: explanation{
		i18n.Text{Ja: "この申請データは、すでに申請済みです。申請サービスは重ねて受け付けていません。", En: "This package was already filed; the service did not accept it a second time."},
		i18n.Text{Ja: "受付の状況は「申請履歴」でご確認ください。もう一度送る必要はありません。", En: "Please see History for where it stands; there is no need to send it again."}}},
	{err: submit.ErrBadReply, class: Environment, cmd: i18n.Text{Ja: "想定外の応答でした。--service が申請サービスのアドレスか確かめてください。", En: "the service answered something unexpected: check that --service is the service's address"}, explanation: explanation{
		i18n.Text{Ja: "申請サービスから想定外の応答がありました。", En: "The service gave an unexpected answer."},
		i18n.Text{Ja: "設定のサービスのアドレスが正しいかご確認ください。", En: "Please check the service's address in the settings."}}},

	{err: identity.ErrNotJPKI, class: Negative, explanation: explanation{
		i18n.Text{Ja: "マイナンバーカードの署名用電子証明書ではありません（利用者証明用の証明書などです）。", En: "This is not a My Number card signature certificate (it may be the authentication certificate)."},
		i18n.Text{Ja: "署名用電子証明書（英数字6〜16文字のパスワード）を使ってください。", En: "Please use the signature certificate (6–16 letters and digits password)."}}},
	{err: identity.ErrNotCorporate, class: Negative, explanation: explanation{
		i18n.Text{Ja: "商業登記電子証明書ではありません。", En: "This is not a commercial-registry certificate."}, i18n.Text{Ja: "法人の商業登記電子証明書を選んでください。", En: "Please choose the company's commercial-registry certificate."}}},
	{err: identity.ErrMalformed, class: Usage, explanation: explanation{
		i18n.Text{Ja: "証明書に記録された情報を読み取れません。", En: "The data in the certificate cannot be read."}, helpDesk}},

	{err: context.DeadlineExceeded, class: Environment, explanation: explanation{
		i18n.Text{Ja: "時間内に終わらなかったため中止しました。", En: "It took too long and was stopped."}, i18n.Text{Ja: "もう一度お試しください。", En: "Please try again."}}},
	{err: fs.ErrNotExist, class: Usage, cmd: i18n.Text{Ja: "ファイルやフォルダーの場所を確かめてから、もう一度お試しください。", En: "check the path of the file or folder and try again"}, explanation: explanation{
		i18n.Text{Ja: "ファイルが見つかりません。", En: "The file was not found."}, i18n.Text{Ja: "ファイルを選び直してください。", En: "Please choose the file again."}}},
	{err: fs.ErrPermission, class: Usage, cmd: i18n.Text{Ja: "ファイルの権限を確かめるか、別の場所を指定してください。", En: "check the file's permissions, or give another place"}, explanation: explanation{
		i18n.Text{Ja: "ファイルを読み書きする権限がありません。", En: "There is no permission to read or write the file."}, i18n.Text{Ja: "別の場所を選んでください。", En: "Please choose another place."}}},

	{err: pkcs11.ErrPINIncorrect, class: Negative, explanation: explanation{
		i18n.Text{Ja: "パスワードが違います。", En: "The PIN was wrong."},
		i18n.Text{Ja: "パスワードを確かめてから、もう一度お試しください。自動で再入力することはありません。", En: "Please check the PIN and try again; the app never retries by itself."}}},
	{err: pcsc.ErrNoReader, class: Environment, explanation: explanation{
		i18n.Text{Ja: "カードリーダーが見つかりません。", En: "No card reader was found."},
		i18n.Text{Ja: "カードリーダーをパソコンに接続してから、もう一度お試しください。", En: "Please connect the card reader and try again."}}},
	{err: pcsc.ErrNotJPKI, class: Environment, explanation: explanation{
		i18n.Text{Ja: "リーダーのカードはマイナンバーカードではありません。", En: "The card in the reader is not a My Number card."},
		i18n.Text{Ja: "マイナンバーカードを置いてから、もう一度お試しください。", En: "Please put your My Number card on the reader and try again."}}},
	{err: flow.ErrPrecheckFailed, class: Negative, explanation: explanation{
		i18n.Text{Ja: "事前確認で問題が見つかったため、署名していません。", En: "The pre-check found a problem, so nothing was signed."},
		i18n.Text{Ja: "事前確認の結果に従って直してから、もう一度お試しください。", En: "Please correct what the pre-check shows and try again."}}},
	{err: flow.ErrFormInvalid, class: Usage, explanation: explanation{
		i18n.Text{Ja: "申請書に入力されていない項目、または正しくない項目があります。", En: "Some fields of the form are missing or not valid."},
		i18n.Text{Ja: "申請書を直してから、もう一度お試しください。", En: "Please correct the form and try again."}}},
	{err: identity.ErrMissingAttribute, class: Negative, explanation: certificateData},
	{err: identity.ErrBadBirthDate, class: Negative, explanation: certificateData},
	{err: identity.ErrBadSex, class: Negative, explanation: certificateData},
	{err: identity.ErrBadFlags, class: Negative, explanation: certificateData},
	{err: identity.ErrFlagsLength, class: Negative, explanation: certificateData},
	{err: pkcs11.ErrNotProvisionable, class: Environment, cmd: i18n.Text{Ja: "このモジュールでは、トークンの初期設定はできません。練習用のトークンは SoftHSM で作成してください。", En: "this module cannot set up tokens: make practice tokens with SoftHSM"}, explanation: explanation{
		i18n.Text{Ja: "このカードのソフトウェアでは、練習用のカードを用意できません。", En: "This module cannot set up tokens."},
		i18n.Text{Ja: "練習用のカードは、サンドボックスで用意してください。", En: "Please make practice tokens with SoftHSM."}}},
	{err: certcheck.ErrInvalidOptions, class: Usage, explanation: explanation{
		i18n.Text{Ja: "失効確認の設定が正しくありません。", En: "The revocation settings are not valid."},
		i18n.Text{Ja: "設定の失効確認先（アドレスと証明書）をご確認ください。", En: "Please check the revocation responder's address and certificate in the settings."}}},
	{err: certcheck.ErrVANotServing, class: Indeterminate, explanation: revocationUnknown},
	{err: signer.ErrKeyMismatch, class: Negative, explanation: explanation{
		i18n.Text{Ja: "鍵と証明書の組み合わせが正しくないため、署名できません。", En: "The key does not belong to the certificate, so nothing can be signed."},
		i18n.Text{Ja: "証明書と一緒に発行された鍵（カードまたは .p12 ファイル）をお使いください。", En: "Please use the key issued with the certificate (the card or the .p12 file)."}}},
	{err: submit.ErrInvalidAccountID, class: Usage, explanation: explanation{
		i18n.Text{Ja: "この ID はキーリングに保管できない形式です。", En: "This ID cannot be kept in the keyring."},
		i18n.Text{Ja: "申請サービスから発行された ID をそのまま入力してください。", En: "Please enter the ID exactly as the service issued it."}}},
	{err: certcheck.ErrNotPinned, class: Negative, cmd: i18n.Text{Ja: "--anchor には、公開されている指紋と一致するルート証明書を指定してください。", En: "give with --anchor a root certificate whose fingerprint matches the published one"}, explanation: explanation{
		i18n.Text{Ja: "信頼する認証局として指定された証明書が、公開されているルート証明書と一致しません。", En: "A certificate given as a trusted authority is not the published root certificate."},
		i18n.Text{Ja: "設定の「信頼する認証局」を、公開元から入手したルート証明書に置き換えてください。", En: "Please replace the trusted authority in the settings with the root certificate from its publisher."}}},
	{err: certcheck.ErrCRLSignerRevoked, class: Negative, explanation: revocationData},
	{err: certcheck.ErrCRLTooLarge, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrCRLNotFetchable, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrCRLMalformed, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrCRLSignature, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrCRLSigner, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrCRLStale, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrCRLCritical, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPNotFetchable, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrOCSPUnreachable, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrOCSPHTTPStatus, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrOCSPTooLarge, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPMalformed, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPResponseStatus, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrOCSPSignature, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPUnauthorized, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPNotOCSPSigning, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPResponderInvalid, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPCertIDMismatch, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPNotYetValid, class: Indeterminate, explanation: revocationClock},
	{err: certcheck.ErrOCSPStale, class: Indeterminate, explanation: revocationUnknown},
	{err: certcheck.ErrOCSPNonce, class: Indeterminate, explanation: revocationData},
	{err: certcheck.ErrOCSPCritical, class: Indeterminate, explanation: revocationData},
	{err: submit.ErrNoItem, class: Usage, explanation: explanation{
		i18n.Text{Ja: "送信待ちの一覧に、その申請はありません。", En: "There is no such application waiting in the outbox."},
		i18n.Text{Ja: "「申請履歴」で、届いているかをご確認ください。", En: "Please look in History whether it arrived."}},
		cmd: i18n.Text{Ja: "shinseictl receipts で、届いているかをご確認ください。", En: "see with 'shinseictl receipts' whether it arrived"}},
	{err: submit.ErrUntrustedServer, class: Negative, explanation: explanation{
		i18n.Text{Ja: "申請サービスの証明書を信頼できません。送信していません。", En: "The service's certificate is not trusted; nothing was sent."},
		i18n.Text{Ja: "設定の「サービスの証明書」に、サービスの認証局（LGPKI など）の証明書を登録してください。確認を省略することはできません。", En: "Please add the service's certificate authority (LGPKI or the like) to “Service's CA certificates” in the settings; the check cannot be skipped."}}},
	{err: submit.ErrRefused, class: Negative, explanation: explanation{
		i18n.Text{Ja: "申請サービスに受け付けられませんでした。", En: "The service refused the request."},
		i18n.Text{Ja: "表示された理由に従って直してから、もう一度お試しください。", En: "Please correct what the reason says and try again."}}},
	{err: submit.ErrKept, class: Environment, explanation: explanation{
		i18n.Text{Ja: "申請はまだ届いていません。送信待ちとして保管しています。", En: "The application has not arrived yet; it is kept, waiting to be sent."},
		i18n.Text{Ja: "接続できるようになったら「申請履歴」の「今すぐ送る」で送信してください（二重に届くことはありません）。", En: "Once connected, use “Send now” in History (it never arrives twice)."}},
		cmd: i18n.Text{Ja: "接続できるようになったら shinseictl submit --service URL --pending で送信してください（二重に届くことはありません）。", En: "once connected, 'shinseictl submit --service URL --pending' sends it (it never arrives twice)"}},
}

// reasonHints say what to do about each refusal of the service.
// reasonHint is what to do about one refusal of the service: in the
// window's words, and on the command line.
type reasonHint struct{ hint, cmd i18n.Text }

// reasonHints say what to do about each refusal of the service.
var reasonHints = map[submit.Reason]reasonHint{
	submit.ReasonInvalidCredentials: {i18n.Text{Ja: "ID とパスワードを確認してください。何度も間違えるとアカウントがロックされます。", En: "Please check the ID and password; several wrong passwords lock the account."},
		i18n.Text{Ja: "ID とパスワードを確認してください。何度も間違えるとアカウントがロックされます。", En: "check the account ID and password; several wrong passwords lock the account"}},
	submit.ReasonAccountLocked: {i18n.Text{Ja: "しばらく時間をおいてからお試しいただくか、申請サービスの問い合わせ窓口にご相談ください。", En: "Please try again later, or ask the service's help desk."},
		i18n.Text{Ja: "しばらく時間をおいてからお試しいただくか、申請サービスの問い合わせ窓口にご相談ください。", En: "the account is locked after too many wrong passwords: wait and try later, or ask the service's help desk"}},
	submit.ReasonRateLimited: {i18n.Text{Ja: "しばらく時間をおいてから、もう一度お試しください。", En: "Please wait a while and try again."},
		i18n.Text{Ja: "しばらく時間をおいてから、もう一度お試しください。", En: "the service asks to wait before trying again"}},
	submit.ReasonLoginRequired: {i18n.Text{Ja: "ログインしてから、もう一度お試しください。", En: "Please log in and try again."},
		i18n.Text{Ja: "先にログインしてください：shinseictl account login --service URL", En: "log in first: shinseictl account login --service URL"}},
	submit.ReasonChallengeInvalid: {i18n.Text{Ja: "時間が経ちすぎたため、もう一度最初からお試しください。", En: "Too much time passed; please start again."},
		i18n.Text{Ja: "時間が経ちすぎたため、もう一度最初からお試しください。", En: "run the command again: the challenge had expired"}},
	submit.ReasonSignatureRequired: {i18n.Text{Ja: "この手続きは署名が必要です。署名してから送信してください。", En: "This procedure needs a signature; please sign and send again."},
		i18n.Text{Ja: "この手続きは署名が必要です。shinseictl sign で申請書に署名してください。", En: "this procedure needs a signed package: sign the form with 'shinseictl sign'"}},
	submit.ReasonSignatureInvalid: {i18n.Text{Ja: "申請データが壊れているか変更されています。もう一度署名してください。", En: "The package is damaged or was altered; please sign again."},
		i18n.Text{Ja: "申請データが壊れているか変更されています。もう一度署名してください。", En: "the package was altered or its signature is broken: sign the form again"}},
	submit.ReasonCertificateUntrusted: {i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書で署名してください。", En: "Please sign with a My Number card or a commercial-registry certificate."},
		i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書で署名してください。", En: "sign with a My Number card or a commercial-registry certificate the service accepts"}},
	submit.ReasonCertificateExpired: {i18n.Text{Ja: "電子証明書の有効期限が切れています。マイナンバーカードの署名用電子証明書はお住まいの市区町村の窓口で、商業登記電子証明書は登記所で更新してから、署名し直してください。", En: "The certificate has expired; please renew it (a My Number card's at your municipal office, a commercial-registry certificate at the registry office) and sign again."},
		i18n.Text{Ja: "電子証明書の有効期限が切れています。市区町村の窓口（マイナンバーカード）または登記所（商業登記電子証明書）で更新してから、署名し直してください。", En: "the certificate has expired: renew it (My Number card: at the municipal office; commercial-registry certificate: at the registry office) and sign again"}},
	submit.ReasonCertificateRevoked: {i18n.Text{Ja: "電子証明書が失効しています（氏名・住所などの変更でも失効します）。市区町村の窓口で新しい証明書を受け取ってから署名し直してください。", En: "The certificate is revoked (a change of name or address also revokes it); please get a new one at the municipal office and sign again."},
		i18n.Text{Ja: "電子証明書が失効しています（氏名・住所などの変更でも失効します）。市区町村の窓口で新しい証明書を受け取ってから署名し直してください。", En: "the certificate is revoked (a change of name or address revokes a My Number card's certificate): get a new one and sign again"}},
	submit.ReasonCertificateUnknown: {i18n.Text{Ja: "証明書の状態を確認できませんでした。しばらくしてから、もう一度お試しください。", En: "The certificate's status could not be established; please try again later."},
		i18n.Text{Ja: "証明書の状態を確認できませんでした。しばらくしてから、もう一度お試しください。", En: "the service could not establish the certificate's status: try again later"}},
	submit.ReasonWrongCertificateType: {i18n.Text{Ja: "この手続きは別の種類の申請者向けです（住民の方はマイナンバーカード、法人は商業登記電子証明書）。", En: "This procedure is for another kind of applicant (residents: My Number card; companies: registry certificate)."},
		i18n.Text{Ja: "この手続きは別の種類の申請者向けです（住民の方はマイナンバーカード、法人は商業登記電子証明書）。", En: "this procedure is for another kind of applicant: sign with the right certificate (resident: My Number card; company: registry certificate)"}},
	submit.ReasonIdentityMismatch: {i18n.Text{Ja: "申請者欄（氏名・生年月日・性別・住所）を証明書の記載どおりに直して、署名し直してください。", En: "Please write the applicant block (name, date of birth, sex, address) as in the certificate and sign again."},
		i18n.Text{Ja: "申請者欄（氏名・生年月日・性別・住所）を証明書の記載どおりに直して、署名し直してください。", En: "the applicant data in the form must match the certificate's name, date of birth, sex and address"}},
	submit.ReasonSignerNotHolder: {i18n.Text{Ja: "ログインしている ID の本人の証明書で署名してください。", En: "Please sign with the certificate of the person whose ID is logged in."},
		i18n.Text{Ja: "ログインしている ID の本人の証明書で署名してください。", En: "sign with the account holder's own certificate, or log in with the signer's account"}},
	submit.ReasonProxyNotAllowed: {i18n.Text{Ja: "申請者ご本人が、ご自身の電子証明書で署名して申請してください。", En: "The applicant must sign and file it with their own certificate."},
		i18n.Text{Ja: "この手続きは代理申請できません。申請者ご本人が署名してください。", En: "this procedure takes no proxy: the applicant must sign it"}},
	submit.ReasonPowerOfAttorneyInvalid: {i18n.Text{Ja: "この手続きのための委任状を申請者ご本人に作り直していただき、署名し直してください。", En: "Please ask the applicant for a new power of attorney for this procedure, and sign again."},
		i18n.Text{Ja: "申請者ご本人に委任状を作り直していただき（shinseictl sign --power-of-attorney）、--proxy-for で署名し直してください。", En: "ask the applicant for a new power of attorney ('shinseictl sign --power-of-attorney') and sign again with --proxy-for"}},
	submit.ReasonPrincipalNotApplicant: {i18n.Text{Ja: "申請者欄を委任者の電子証明書の記録どおりに直すか、申請者ご本人の委任状で署名し直してください。", En: "Please correct the applicant block to the principal's certificate, or sign again with the applicant's own power of attorney."},
		i18n.Text{Ja: "申請者欄と委任状の署名者を一致させて、署名し直してください。", En: "the form's applicant must be the power of attorney's signer: correct one and sign again"}},
	submit.ReasonPowerOfAttorneyExpired: {i18n.Text{Ja: "委任者（申請者ご本人）に新しい委任状を作っていただき、署名し直してください。", En: "Please ask the principal (the applicant) for a new power of attorney, and sign again."},
		i18n.Text{Ja: "委任者に新しい委任状を作っていただき（shinseictl sign --power-of-attorney）、--proxy-for で署名し直してください。", En: "ask the principal for a new power of attorney ('shinseictl sign --power-of-attorney') and sign again with --proxy-for"}},
	submit.ReasonProxyNotSubmitter: {i18n.Text{Ja: "委任状で指定された代理人ご本人の電子証明書で署名し、指定された利用者IDでログインして送信してください。", En: "Please sign with the named proxy's own certificate, and send it logged in with the named user ID."},
		i18n.Text{Ja: "委任状で指定された代理人の証明書で署名し、指定された利用者IDで送信してください（--account）。", En: "sign with the named proxy's certificate and send from the named account (--account)"}},
	submit.ReasonFormInvalid: {i18n.Text{Ja: "申請書を直して、もう一度お試しください。", En: "Please correct the form and try again."},
		i18n.Text{Ja: "申請書を直して、もう一度お試しください。", En: "correct the form and submit again"}},
	submit.ReasonBadRequest: {i18n.Text{Ja: "申請書を直して、もう一度お試しください。", En: "Please correct the form and try again."},
		i18n.Text{Ja: "申請書を直して、もう一度お試しください。", En: "correct the form and submit again"}},
	submit.ReasonTooLarge: {i18n.Text{Ja: "手続きごとに送れる大きさの上限は、申請書の添付ファイル欄に表示しています。", En: "Each procedure's limit is shown beside the attachments on the form."},
		i18n.Text{Ja: "添付ファイルを減らすか小さくしてください。", En: "the package is larger than the procedure allows: remove or shrink attachments"}},
	submit.ReasonUnsupportedMedia: {i18n.Text{Ja: "署名が必要な手続きには署名済みの申請データを、それ以外には JSON の申請書を送信してください。", En: "Submit a signed package for signature procedures and the JSON form for the others."},
		i18n.Text{Ja: "署名が必要な手続きには署名済みの申請データを、それ以外には JSON の申請書を送信してください。", En: "submit a signed package for signature procedures and the JSON form for the others"}},
	submit.ReasonUnknownProcedure: {i18n.Text{Ja: "手続きの一覧を更新して、選び直してください。", En: "Please refresh the list of procedures and choose again."},
		i18n.Text{Ja: "申請書の手続き ID をご確認ください。", En: "check the procedure ID in the form"}},
	submit.ReasonAccountExists: {i18n.Text{Ja: "この電子証明書の方の ID はすでに登録されています。お持ちの ID でログインしてください。パスワードを忘れた場合だけ、パスワードを再設定してください（以前のパスワードは使えなくなります）。", En: "An ID is already registered for this certificate's holder: please log in with it. Reset its password only if it is forgotten (the old password then stops working)."},
		i18n.Text{Ja: "お持ちの ID で shinseictl account login してください。パスワードを忘れた場合だけ --reset-password を付けて登録し直してください（以前のパスワードは誰も使えなくなります）。", En: "log in with the existing account ('shinseictl account login --account ID'); only if its password is forgotten, register again with --reset-password (the old password then stops working for everyone)"}},
	submit.ReasonNotFound: {i18n.Text{Ja: "到達番号（と問合せ番号）をご確認ください。", En: "Please check the arrival number (and the inquiry number)."},
		i18n.Text{Ja: "到達番号（と問合せ番号）をご確認ください。", En: "check the arrival number (and the inquiry number for an anonymous application)"}},
	submit.ReasonAlreadyReceived: {i18n.Text{Ja: "受付の状況は「申請履歴」でご確認ください。もう一度送る必要はありません。", En: "Please see History for where it stands; there is no need to send it again."},
		i18n.Text{Ja: "同じ署名の申請データがすでに届いています。shinseictl receipts で状況を確認してください。", En: "the service already holds this signed package: see 'shinseictl receipts'; there is no need to send it again"}},
	submit.ReasonAlreadyProcessed: {i18n.Text{Ja: "内容についてはお手続きの窓口にお問い合わせください。", En: "Please contact the office of the procedure about it."},
		i18n.Text{Ja: "処理済みの申請は取り下げ・補正できません。", En: "a processed application cannot be withdrawn or amended"}},
	submit.ReasonNotApplicant: {i18n.Text{Ja: "申請のときと同じ方の電子証明書で署名してください。", En: "Please sign with the same person's certificate as the application."},
		i18n.Text{Ja: "申請のときと同じ方の電子証明書で署名してください。", En: "sign with the certificate of the person who filed the application"}},
	submit.ReasonAmendmentNotRequested: {i18n.Text{Ja: "補正は、補正依頼の通知が届いたときにだけ送信できます。", En: "An amendment can be sent only when a request for correction has arrived."},
		i18n.Text{Ja: "補正依頼が届いているかは shinseictl status で確認できます。", En: "'shinseictl status' shows whether a correction is requested"}},
	submit.ReasonIdempotencyConflict: {i18n.Text{Ja: "この申請と同じ送信番号で、内容の違う申請がすでに送られています。まず「申請履歴」で、申請が届いていないかをご確認ください。届いていない場合だけ、新しい申請としてもう一度署名・送信してください。", En: "An application with other content was already sent under the same sending key. Please first look in History whether your application arrived; only if it did not, sign and send it again as a new application."},
		i18n.Text{Ja: "この申請と同じ冪等キーで、内容の違う申請がすでに送られています。まず shinseictl receipts で届いていないかをご確認ください。届いていない場合だけ、新しい申請として送信してください。", En: "this application's key was used for other content: submit the file again as a new application"}},
}

// certReasons word certcheck's findings.
var certReasons = map[certcheck.Reason]explanation{
	certcheck.ReasonUntrusted:         {i18n.Text{Ja: "信頼できる認証局の証明書ではありません。", En: "The certificate is not from a trusted authority."}, i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書をお使いください。", En: "Please use a My Number card or a commercial-registry certificate."}},
	certcheck.ReasonExpired:           {i18n.Text{Ja: "電子証明書の有効期限が切れています。", En: "The certificate has expired."}, i18n.Text{Ja: "証明書を更新してください（マイナンバーカードの署名用電子証明書はお住まいの市区町村の窓口、商業登記電子証明書は登記所で更新できます）。", En: "Please renew the certificate (a My Number card's at your municipal office, a commercial-registry certificate at the registry office)."}},
	certcheck.ReasonNotYetValid:       {i18n.Text{Ja: "電子証明書の有効期間がまだ始まっていません。", En: "The certificate is not valid yet."}, i18n.Text{Ja: "パソコンの日付と時刻をご確認ください。", En: "Please check this computer's date and time."}},
	certcheck.ReasonKeyUsage:          {i18n.Text{Ja: "この証明書は署名には使えません。", En: "This certificate may not sign documents."}, i18n.Text{Ja: "署名用の電子証明書を選んでください。", En: "Please choose a signature certificate."}},
	certcheck.ReasonRevoked:           {i18n.Text{Ja: "電子証明書が失効しています。", En: "The certificate is revoked."}, i18n.Text{Ja: "新しい証明書を取得してください。", En: "Please get a new certificate."}},
	certcheck.ReasonOnHold:            {i18n.Text{Ja: "電子証明書が一時停止されています。", En: "The certificate is suspended."}, i18n.Text{Ja: "発行元にご確認ください。", En: "Please ask the issuer."}},
	certcheck.ReasonRevocationUnknown: {i18n.Text{Ja: "証明書が失効しているかどうか確認できませんでした。", En: "Whether the certificate is revoked could not be established."}, i18n.Text{Ja: "インターネットへの接続を確認して、もう一度お試しください。", En: "Please check the network connection and try again."}},
}

// certificateData, revocationUnknown, revocationData and revocationClock
// are shared by several errors that mean the same to the user.
var (
	certificateData = explanation{
		i18n.Text{Ja: "証明書に記録された氏名・生年月日などの情報を読み取れません。", En: "The holder's data in the certificate cannot be read."}, helpDesk}
	revocationUnknown = explanation{
		i18n.Text{Ja: "証明書が失効しているかどうか確認できませんでした。", En: "Whether the certificate is revoked could not be established."},
		i18n.Text{Ja: "インターネットへの接続を確認して、しばらくしてからもう一度お試しください。", En: "Please check the network connection and try again later."}}
	revocationData = explanation{
		i18n.Text{Ja: "失効情報が正しくないため、証明書が失効しているかどうか確認できませんでした。", En: "The revocation data is not valid, so whether the certificate is revoked could not be established."},
		i18n.Text{Ja: "しばらくしてからもう一度お試しください。続く場合は失効情報の発行元にお知らせください。", En: "Please try again later; if it goes on, tell the issuer of the revocation data."}}
	revocationClock = explanation{
		i18n.Text{Ja: "失効情報の日時が、このパソコンの時刻より先になっています。", En: "The revocation data is dated after this computer's clock."},
		i18n.Text{Ja: "パソコンの日付と時刻をご確認ください。", En: "Please check this computer's date and time."}}
)
