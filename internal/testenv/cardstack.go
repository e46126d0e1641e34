//go:build cgo && linux

package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// openSCHint is the failure message when OpenSC's PKCS#11 module is missing.
const openSCHint = "install OpenSC's PKCS#11 module (Debian: apt-get install opensc-pkcs11 opensc)"

// cardWait bounds each wait for OpenSC to see a card come or go. pcscd polls
// vpcd every 400 ms, so a second is usual.
const cardWait = 15 * time.Second

var cards struct {
	sync.Mutex
	stack    *vcard.Stack
	startErr error
	stack1   *CardStack
}

// CardMain runs a package's tests with the virtual My Number card stack
// (vcard.StartStack: a private pcscd with vpcd) and SoftHSM, as Main
// does. It starts the stack and sets PCSCLITE_CSOCK_NAME before any test
// runs, because libpcsclite reads it once per process, at OpenSC's
// C_Initialize:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.CardMain(m)) }
//
// When the stack cannot start, the tests still run and CardStack fails
// each test that asks for it, with what to install.
func CardMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	stack, err := vcard.StartStack(ctx, vcard.StackOptions{})
	cancel()
	if err == nil {
		for _, kv := range stack.Env() {
			k, v, _ := strings.Cut(kv, "=")
			if err = os.Setenv(k, v); err != nil {
				break
			}
		}
	}
	cards.stack, cards.startErr = stack, err
	code := Main(m)
	cards.Lock()
	if cards.stack1 != nil {
		cards.stack1.Lib.Close()
	}
	cards.Unlock()
	if stack != nil {
		if err := stack.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stopping the card stack:", err)
		}
	}
	return code
}

// CardStack is the process's virtual card stack with OpenSC's module
// loaded on it, and an issuer of virtual cards from a sandbox PKI.
type CardStack struct {
	// Stack is pcscd, vpcd's slot, and the card in it.
	Stack *vcard.Stack
	// Lib is opensc-pkcs11.so, initialized once for the process.
	Lib *pkcs11.Library
	// Issuer issues the scenarios' cards; Issuer.Registry marks the revoked.
	Issuer *vcard.Issuer
}

// Cards returns the process's card stack, made at the first call. It
// fails the test, with what to install, when a part of the stack is
// missing; it needs TestMain to call CardMain.
func Cards(tb testing.TB) *CardStack {
	tb.Helper()
	cards.Lock()
	defer cards.Unlock()
	if cards.stack1 != nil {
		return cards.stack1
	}
	if cards.stack == nil && cards.startErr == nil {
		tb.Fatal("testenv.Cards needs TestMain to call testenv.CardMain")
	}
	if cards.startErr != nil {
		tb.Fatalf("the virtual card stack did not start: %v", cards.startErr)
	}
	module := ""
	for _, m := range pkcs11.FindModules() {
		if m.Name == "OpenSC" {
			module = m.Path
			break
		}
	}
	if module == "" {
		tb.Fatal(openSCHint)
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		tb.Fatalf("%v; %s", err, openSCHint)
	}
	p, err := pki.New(time.Now())
	if err != nil {
		lib.Close()
		tb.Fatal(err)
	}
	issuer, err := vcard.NewIssuer(p, pki.NewRegistry())
	if err != nil {
		lib.Close()
		tb.Fatal(err)
	}
	cards.stack1 = &CardStack{Stack: cards.stack, Lib: lib, Issuer: issuer}
	return cards.stack1
}

// Insert takes out the card in the slot, waits until OpenSC no longer
// lists it, inserts a new card issued for scenario and waits until OpenSC
// lists its two tokens.
func (c *CardStack) Insert(tb testing.TB, scenario vcard.Scenario) *vcard.Card {
	tb.Helper()
	card, err := c.Issuer.Issue(scenario)
	if err != nil {
		tb.Fatal(err)
	}
	c.Reinsert(tb, card)
	return card
}

// Reinsert takes out the card in the slot and inserts card, waiting for
// OpenSC each time, as Insert does.
func (c *CardStack) Reinsert(tb testing.TB, card *vcard.Card) {
	tb.Helper()
	c.Remove(tb)
	ctx, cancel := context.WithTimeout(context.Background(), cardWait)
	defer cancel()
	c.Stack.Slot.Insert(card)
	if _, err := c.Stack.WaitForCard(ctx, c.Lib, true); err != nil {
		tb.Fatal(err)
	}
}

// Remove takes out the card and waits until OpenSC no longer lists it.
func (c *CardStack) Remove(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cardWait)
	defer cancel()
	c.Stack.Slot.Remove()
	if _, err := c.Stack.WaitForCard(ctx, c.Lib, false); err != nil {
		tb.Fatal(err)
	}
}
