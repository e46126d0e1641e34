package service

import (
	"context"
	"sync"
	"time"
)

// Login throttling (NIST SP 800-63B §5.2.2), the same for an account ID
// that exists and one that does not:
//
//   - Failures are counted per pair of account ID and client address. A
//     pair's fifth consecutive failure locks that pair for LockoutBase
//     (1 min); each failure after a lock ends doubles the next lock, up
//     to LockoutDuration (15 min). A pair quiet for LockoutWindow after
//     its last failure or lock is forgotten; a good password clears it.
//     So one address cannot lock the holder out at another address.
//   - Across all addresses, AccountFailures (100) consecutive failures of
//     one account ID lock it until the holder registers again with the
//     certificate, which resets the password (the cap NIST requires).
//   - An attempt is reserved before its password is checked, so however
//     many arrive at once no more password checks run than the failures
//     still allowed; an attempt that finds none left is answered 423 at
//     once, without a check.
//
// The state is kept in memory (a restart forgets it), bounded by
// maxGateEntries pairs and as many accounts; the oldest quiet entries are
// dropped first.

// maxGateEntries bounds the gate's memory (about 100 bytes an entry).
const maxGateEntries = 100_000

// loginGate reserves login attempts and records their outcome.
type loginGate struct {
	mu       sync.Mutex
	limits   Limits
	pairs    map[gateKey]*pairState
	accounts map[string]*accountState
}

type gateKey struct{ account, addr string }

// pairState is one account ID at one client address.
type pairState struct {
	failures int // consecutive
	inFlight int
	locked   time.Time // until
	last     time.Time // last failure or reservation
}

// accountState is one account ID at every address.
type accountState struct {
	failures int // consecutive, any address
	inFlight int
	last     time.Time
}

func newLoginGate(l Limits) *loginGate {
	return &loginGate{limits: l, pairs: map[gateKey]*pairState{}, accounts: map[string]*accountState{}}
}

// attempt is a reserved login attempt; exactly one of fail or succeed
// (or cancel, when no password was checked) must follow.
type attempt struct {
	g    *loginGate
	key  gateKey
	done bool
}

// reserve reserves a password check of account from addr. When none may
// run it returns how long the caller should wait (zero: until the holder
// acts, see AccountFailures).
func (g *loginGate) reserve(account, addr string, now time.Time) (*attempt, time.Duration, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := gateKey{account, addr}
	p := g.pair(key, now)
	a := g.account(account, now)
	if a.failures+a.inFlight >= g.limits.AccountFailures {
		return nil, 0, false
	}
	if p.locked.After(now) {
		return nil, p.locked.Sub(now), false
	}
	allowed := g.limits.LockoutFailures - p.failures // before the first lock
	if allowed < 1 {
		allowed = 1 // after a lock ended: one attempt at a time
	}
	if p.inFlight >= allowed {
		return nil, g.lockFor(p.failures + p.inFlight), false
	}
	p.inFlight++
	a.inFlight++
	p.last, a.last = now, now
	return &attempt{g: g, key: key}, 0, true
}

// lockFor is the lock the failures-th consecutive failure of a pair sets:
// zero before LockoutFailures, then LockoutBase doubling to LockoutDuration.
func (g *loginGate) lockFor(failures int) time.Duration {
	if failures < g.limits.LockoutFailures {
		return 0
	}
	d := g.limits.LockoutBase
	for i := g.limits.LockoutFailures; i < failures && d < g.limits.LockoutDuration; i++ {
		d *= 2
	}
	return min(d, g.limits.LockoutDuration)
}

// fail records a wrong password. It returns the lock the failure set, or
// zero; locked reports whether the account ID is now locked at every
// address.
func (t *attempt) fail(now time.Time) (wait time.Duration, locked bool) {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	p, a := t.release()
	p.failures++
	a.failures++
	p.last, a.last = now, now
	if a.failures >= g.limits.AccountFailures {
		return 0, true
	}
	if d := g.lockFor(p.failures); d > 0 {
		p.locked = now.Add(d)
		return d, true
	}
	return 0, false
}

// succeed records a good password: the pair and the account's count of
// consecutive failures start again.
func (t *attempt) succeed() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	p, a := t.release()
	p.failures, p.locked = 0, time.Time{}
	a.failures = 0
	// Nothing left to remember unless other attempts are under way.
	if p.inFlight == 0 {
		delete(g.pairs, t.key)
	}
	if a.inFlight == 0 {
		delete(g.accounts, t.key.account)
	}
}

// cancel gives the reservation back without an outcome.
func (t *attempt) cancel() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	t.release()
}

// release ends the reservation; the caller holds mu.
func (t *attempt) release() (*pairState, *accountState) {
	g := t.g
	p, a := g.pairs[t.key], g.accounts[t.key.account]
	if !t.done {
		t.done = true
		p.inFlight--
		a.inFlight--
	}
	return p, a
}

// clear forgets an account ID everywhere: its holder registered again.
func (g *loginGate) clear(account string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, p := range g.pairs {
		if k.account == account && p.inFlight == 0 {
			delete(g.pairs, k)
		} else if k.account == account {
			p.failures, p.locked = 0, time.Time{}
		}
	}
	if a := g.accounts[account]; a != nil {
		a.failures = 0
	}
}

// pair returns key's state, forgetting it when quiet; the caller holds mu.
func (g *loginGate) pair(key gateKey, now time.Time) *pairState {
	p := g.pairs[key]
	if p != nil && p.inFlight == 0 && now.Sub(later(p.last, p.locked)) > g.limits.LockoutWindow {
		p = nil
	}
	if p == nil {
		if len(g.pairs) >= maxGateEntries {
			prune(g.pairs, func(p *pairState) (time.Time, bool) { return later(p.last, p.locked), p.inFlight == 0 })
		}
		p = &pairState{}
		g.pairs[key] = p
	}
	return p
}

// account returns account's state; the caller holds mu. Its failures
// are kept as long as it has room: they are consecutive, not timed.
func (g *loginGate) account(account string, now time.Time) *accountState {
	a := g.accounts[account]
	if a == nil {
		if len(g.accounts) >= maxGateEntries {
			prune(g.accounts, func(a *accountState) (time.Time, bool) { return a.last, a.inFlight == 0 })
		}
		a = &accountState{last: now}
		g.accounts[account] = a
	}
	return a
}

// prune drops the idle entries of m older than their mean age.
func prune[K comparable, V any](m map[K]V, age func(V) (time.Time, bool)) {
	var times []time.Time
	for _, v := range m {
		if t, idle := age(v); idle {
			times = append(times, t)
		}
	}
	if len(times) == 0 {
		return
	}
	var sum time.Duration
	base := times[0]
	for _, t := range times {
		sum += t.Sub(base)
	}
	cut := base.Add(sum / time.Duration(len(times)))
	for k, v := range m {
		if t, idle := age(v); idle && !t.After(cut) {
			delete(m, k)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// hashBudget runs Argon2 hashes, at most total at once, in two lanes.
// A low-priority hash starts only while no high-priority one runs or
// waits and none ended within lowCooldown, and leaves one slot free, so
// that a flood of logins from addresses that have been failing neither
// queues a clean login behind it nor runs beside a stream of clean ones
// (Argon2 is memory-hard: two at once slow each other); a clean login
// shares the processor with at most the one flood hash already running,
// and that one runs at the lowest priority (runLowPriority).
// The lane depends only on the client address's record, never on
// whether the account ID exists.
type hashBudget struct {
	mu            sync.Mutex
	total         int
	running, high int           // hashes running; of them high-priority
	highWaiting   int           // high-priority hashes waiting
	highEnded     time.Time     // when the last high-priority hash ended
	changed       chan struct{} // closed and replaced when a slot frees
}

// lowCooldown is how long low-priority hashes wait after a high-priority
// one ended: longer than the gap between one login's hash and the next
// of a client logging in again and again.
const lowCooldown = 100 * time.Millisecond

func newHashBudget(total int) *hashBudget {
	return &hashBudget{total: max(total, 2), changed: make(chan struct{})}
}

// run runs f in the lane, or returns ctx's error when the request ends
// while it waits.
func (b *hashBudget) run(ctx context.Context, low bool, f func()) error {
	b.mu.Lock()
	if !low {
		b.highWaiting++
	}
	for {
		var free bool
		var cooling time.Duration
		if low {
			free = b.running < b.total-1 && b.high == 0 && b.highWaiting == 0
			if cooling = lowCooldown - time.Since(b.highEnded); free && cooling > 0 {
				free = false
			}
		} else {
			free = b.running < b.total
		}
		if free {
			break
		}
		wait := b.changed
		b.mu.Unlock()
		var cooled <-chan time.Time
		if cooling > 0 {
			cooled = time.After(cooling)
		}
		select {
		case <-wait:
		case <-cooled:
		case <-ctx.Done():
			b.mu.Lock()
			if !low {
				b.highWaiting--
				b.signal() // low-priority work may go now
			}
			b.mu.Unlock()
			return ctx.Err()
		}
		b.mu.Lock()
	}
	b.running++
	if !low {
		b.highWaiting--
		b.high++
	}
	b.mu.Unlock()

	defer func() {
		b.mu.Lock()
		b.running--
		if !low {
			b.high--
			b.highEnded = time.Now()
		}
		b.signal()
		b.mu.Unlock()
	}()
	if low {
		runLowPriority(f)
	} else {
		f()
	}
	return nil
}

// signal wakes every waiter to look again; the caller holds mu.
func (b *hashBudget) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// any reports whether key has any event in its current window.
func (l *limiter) any(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[key]
	return w != nil && w.count > 0 && now.Sub(w.start) < l.per && !now.Before(w.start)
}
