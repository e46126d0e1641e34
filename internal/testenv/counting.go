//go:build cgo

package testenv

import (
	"sync/atomic"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// CountingModule is a PKCS#11 module already initialized (the card
// stack's OpenSC, a fake), shared, so its Initialize and Finalize do
// nothing, that counts the calls a test says must not happen: Lists, the
// C_GetSlotList and C_GetSlotInfo calls (OpenSC looks for cards in every
// reader at each); Infos, the C_GetTokenInfo calls (OpenSC's JPKI driver
// asks the card for the PIN status at each); and the sessions Opened and
// Closed.
type CountingModule struct {
	pkcs11.Module
	Lists, Infos, Opened, Closed atomic.Int32
}

func (m *CountingModule) Initialize(...p11.InitializeOption) error { return nil }
func (m *CountingModule) Finalize() error                          { return nil }

func (m *CountingModule) GetSlotList(present bool) ([]uint, error) {
	m.Lists.Add(1)
	return m.Module.GetSlotList(present)
}

func (m *CountingModule) GetSlotInfo(slot uint) (p11.SlotInfo, error) {
	m.Lists.Add(1)
	return m.Module.GetSlotInfo(slot)
}

func (m *CountingModule) GetTokenInfo(slot uint) (p11.TokenInfo, error) {
	m.Infos.Add(1)
	return m.Module.GetTokenInfo(slot)
}

func (m *CountingModule) OpenSession(slot, flags uint) (p11.SessionHandle, error) {
	sh, err := m.Module.OpenSession(slot, flags)
	if err == nil {
		m.Opened.Add(1)
	}
	return sh, err
}

func (m *CountingModule) CloseSession(sh p11.SessionHandle) error {
	m.Closed.Add(1)
	return m.Module.CloseSession(sh)
}
