//go:build linux && cgo

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// runCard is "shinsei-sandbox card": the virtual My Number card in a
// scenario, behind the real stack, for a help desk to walk through a
// resident's situation in the app.
func runCard(ctx context.Context, args []string) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	return card(ctx, args, os.Stdin, os.Stdout)
}

// card starts pcscd with vpcd (vcard.StartStack), inserts a virtual
// card issued for the scenario, waits until OpenSC sees it, prints what to
// export and what the card holds, and keeps everything running until ctx
// ends; then it stops pcscd by its process id. An empty line on in takes
// the card out, or puts it back.
func card(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("card", flag.ContinueOnError)
	fs.SetOutput(out)
	name := fs.String("scenario", string(vcard.ScenarioHealthy), "the card's scenario `NAME` (see --list)")
	list := fs.Bool("list", false, "list the scenarios and stop")
	dir := fs.String("dir", "", "keep pcscd's socket, its log and the trust anchors in `DIR` (default: a temporary directory, removed at the end)")
	sandboxDir := fs.String("sandbox", "", "issue the card from the PKI of 'shinsei-sandbox serve --dir `DIR`', so that its service accepts the card's signatures and answers revoked for the revoked scenario (default: a PKI of the card's own)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		printScenarios(out)
		return nil
	}
	scenario, err := vcard.ParseScenario(*name)
	if err != nil {
		var names []string
		for _, s := range vcard.Scenarios() {
			names = append(names, string(s))
		}
		return fmt.Errorf("card: %w; choose one of %s ('shinsei-sandbox card --list' describes them)", err, strings.Join(names, ", "))
	}
	module := ""
	for _, m := range pkcs11.FindModules() {
		if m.Name == "OpenSC" {
			module = m.Path
			break
		}
	}
	if module == "" {
		return errors.New("card: OpenSC's PKCS#11 module is not installed (Debian: apt-get install opensc-pkcs11 opensc)")
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stack, err := vcard.StartStack(startCtx, vcard.StackOptions{Dir: *dir})
	if err != nil {
		return err
	}
	defer stack.Close()
	// This process waits for OpenSC to see the card, through the stack.
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		return err
	}
	defer lib.Close()
	p, reg, err := cardPKI(*sandboxDir, time.Now())
	if err != nil {
		return err
	}
	issuer, err := vcard.NewIssuer(p, reg)
	if err != nil {
		return err
	}
	vc, err := issuer.Issue(scenario)
	if err != nil {
		return err
	}
	anchors := map[string][]byte{"jpki-sign.pem": p.JPKISign.Cert.Raw, "jpki-sign-old.pem": p.JPKISignOld.Cert.Raw,
		"jpki-auth.pem": issuer.AuthCA.Cert.Raw}
	for file, der := range anchors {
		if err := writeCertPEM(filepath.Join(stack.Dir, file), der); err != nil {
			return err
		}
	}
	stack.Slot.Insert(vc)
	if _, err := stack.WaitForCard(startCtx, lib, true); err != nil {
		return fmt.Errorf("card: %w", err)
	}

	ja, en := scenarioText(scenario)
	vars := stack.Env()
	if *sandboxDir != "" {
		// The app's embedded sandbox then uses this sandbox's PKI and
		// registry, and offers the card.
		abs, err := filepath.Abs(*sandboxDir)
		if err != nil {
			return err
		}
		vars = append(vars, sandbox.DirEnv+"="+abs)
	}
	env := strings.Join(vars, " ")
	fmt.Fprintln(out, "Shinsei サンドボックス: 仮想マイナンバーカード / sandbox virtual My Number card")
	fmt.Fprintf(out, "  scenario        %s\n                  %s\n                  %s\n", scenario, ja, en)
	fmt.Fprintf(out, "  reader          %q (pcscd pid %d, log %s)\n", vcard.ReaderName+" 00 00", stack.PID(), filepath.Join(stack.Dir, "pcscd.log"))
	fmt.Fprintf(out, "  export          export %s\n", env)
	fmt.Fprintf(out, "  PKCS#11 module  %s\n", module)
	fmt.Fprintf(out, "  署名用パスワード  %s   (signature password; 利用者証明用暗証番号 / user authentication PIN %s)\n",
		vcard.SignaturePIN, vcard.AuthPIN)
	fmt.Fprintf(out, "  trust anchors   %s  (jpki-sign-old.pem, jpki-auth.pem beside it)\n", filepath.Join(stack.Dir, "jpki-sign.pem"))
	if *sandboxDir != "" {
		fmt.Fprintf(out, "  sandbox         issued by the PKI in %s: 'serve --dir' there, and the app with the export above, know this card\n", *sandboxDir)
	}
	fmt.Fprintf(out, "  try             %s shinseictl tokens --module %s\n", env, module)
	fmt.Fprintf(out, "                  %s shinseictl diag\n", env)
	fmt.Fprintln(out, "Enter: カードを取り出す・戻す / take the card out or put it back.  Ctrl-C: 終了 / stop everything.")

	lines := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		removed := stack.Slot.Removed()
		if stack.Slot.Card() == nil {
			removed = nil // out: nothing to watch until it is put back
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "停止します / stopping")
			return nil
		case <-lines:
			if stack.Slot.Card() != nil {
				stack.Slot.Remove()
				fmt.Fprintln(out, "カードを取り出しました。Enter で戻します / card taken out; Enter puts it back")
			} else {
				stack.Slot.Insert(vc)
				fmt.Fprintln(out, "カードを戻しました / card put back")
			}
		case <-removed:
			fmt.Fprintln(out, "カードが抜き取られました（シナリオのとおり）。Enter で戻します / the card was pulled out, as the scenario does; Enter puts it back")
		}
	}
}

// printScenarios lists the scenarios with what each reproduces.
func printScenarios(out io.Writer) {
	for _, s := range vcard.Scenarios() {
		ja, en := scenarioText(s)
		fmt.Fprintf(out, "%-26s %s\n%-26s %s\n", s, ja, "", en)
	}
}

// scenarioText says in Japanese and English what a scenario reproduces.
func scenarioText(s vcard.Scenario) (ja, en string) {
	jaText := map[vcard.Scenario]string{
		vcard.ScenarioHealthy:              "正常なカード。証明書の内容は見本の申請書と一致します",
		vcard.ScenarioFinalTry:             "署名用パスワードの残り回数が 1 回のカード",
		vcard.ScenarioLocked:               "署名用パスワードがロックされたカード（市区町村の窓口での手続きが必要）",
		vcard.ScenarioExpired:              "署名用電子証明書の有効期限が切れたカード",
		vcard.ScenarioRevoked:              "署名用電子証明書が失効しているカード",
		vcard.ScenarioAddressChanged:       "証明書の住所が申請書の住所と異なるカード（転居後など）",
		vcard.ScenarioOldGeneration:        "前の世代のルート証明書で発行された証明書のカード",
		vcard.ScenarioNoSignatureCert:      "署名用電子証明書のないカード（15歳未満の方のカード）",
		vcard.ScenarioRemovedDuringSigning: "署名の途中でカードが抜き取られる（Enter で戻せます）",
	}
	return jaText[s], s.Description()
}
