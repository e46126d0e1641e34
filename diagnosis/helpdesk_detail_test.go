package diagnosis

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/i18n"
)

// residentWords are what a resident's line never shows: they belong to
// the help desk's detail.
var residentWords = []string{"pcscd", "sudo", "systemctl", "apt-get", "PKCS#11", "PC/SC", "OpenSC", "HTTP", "異常"}

// The path to it (pcsc.Establish failing) is run by the command line's
// diag script, in a process of its own: libpcsclite keeps the first
// socket name a process uses, and this package's tests share the
// virtual card stack's.
func TestAReaderServiceThatDoesNotAnswerIsExplainedToTheResidentAndDetailedForTheHelpDesk(t *testing.T) {
	r := &Report{}
	r.PCSC.readerServiceDown()
	p := r.PCSC.Check
	if p.Status != StatusFail {
		t.Fatalf("the card reader section is %s, want fail", p.Status)
	}
	resident := p.Summary.Ja + p.Hint.Ja + p.Summary.En + p.Hint.En + SectionPCSC.Title().Ja + p.Status.Label(i18n.Japanese)
	for _, w := range residentWords {
		if strings.Contains(resident, w) {
			t.Errorf("the resident's line has %q: %q", w, resident)
		}
	}
	if !strings.Contains(p.Hint.Ja, "再起動") {
		t.Errorf("the resident's hint does not say what to do: %q", p.Hint.Ja)
	}
	for _, want := range []string{"pcscd", "sudo systemctl start pcscd.socket"} {
		if !strings.Contains(p.Detail.Ja, want) || !strings.Contains(p.Detail.En, want) {
			t.Errorf("the help desk's detail lacks %q: %+v", want, p.Detail)
		}
	}
	if h := p.HelpDeskHint(); h != p.Detail {
		t.Errorf("the help desk's hint is %+v, want the detail", h)
	}

	// The copied report and the JSON keep the detail.
	if ja := r.Text(i18n.Japanese); !strings.Contains(ja, "［ヘルプデスク向け］ pcscd に接続できません") || !strings.Contains(ja, "[要対応] カードリーダー") {
		t.Errorf("the Japanese report lacks the help desk's detail or the level:\n%s", ja)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"detail":{`) || !strings.Contains(string(b), `sudo systemctl start pcscd.socket`) {
		t.Errorf("the JSON report lacks the detail: %s", b)
	}
}

func TestTheStatusLevelsAreTheGlossarys(t *testing.T) {
	for _, c := range []struct {
		status Status
		ja     string
	}{
		{StatusOK, "問題なし"},
		{StatusWarn, "注意"},
		{StatusFail, "要対応"},
		{StatusSkipped, "未確認"},
	} {
		if got := c.status.Label(i18n.Japanese); got != c.ja {
			t.Errorf("%s is %q in Japanese, want %q", c.status, got, c.ja)
		}
	}
}
