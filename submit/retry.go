package submit

import (
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the attempts of one Send or Flush run. The zero
// value means DefaultRetry.
type RetryPolicy struct {
	// Attempts is the most attempts per item per run (at least 1).
	Attempts int
	// Base is the wait before the second attempt; each later wait doubles,
	// up to Max. Every wait is drawn at random between half and all of
	// its value ("equal jitter"), so that clients do not retry in step.
	Base, Max time.Duration
}

// DefaultRetry is five attempts waiting about 1, 2, 4 and 8 seconds.
var DefaultRetry = RetryPolicy{Attempts: 5, Base: time.Second, Max: 30 * time.Second}

func (p RetryPolicy) normalized() RetryPolicy {
	if p.Attempts <= 0 {
		return DefaultRetry
	}
	if p.Base <= 0 {
		p.Base = DefaultRetry.Base
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	return p
}

// backoff returns the wait after the given failed attempt (1-based); a
// service's Retry-After is honoured up to Max.
func (p RetryPolicy) backoff(attempt int, err error) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	d = d/2 + rand.N(d/2+1)
	if ra := retryAfterOf(err); ra > d {
		d = min(ra, p.Max)
	}
	return d
}

func retryAfterOf(err error) time.Duration {
	var pe *ProblemError
	if errors.As(err, &pe) {
		return pe.RetryAfter
	}
	return 0
}
