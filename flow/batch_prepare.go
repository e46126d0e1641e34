package flow

import (
	"context"
	"sync"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
)

// BatchPrepareAhead is how many packages of a batch are prepared ahead of
// their signatures: the forms and attachments copied and hashed into
// their temporary packages, from the moment the PIN or password is asked
// — while it is entered and the first forms are signed. Each holds one
// open file until it is signed.
const BatchPrepareAhead = 32

// preparing prepares a batch's packages in the order of its forms, at
// most BatchPrepareAhead waiting at a time.
type preparing struct {
	cancel context.CancelFunc
	ready  []chan preparedPackage // one per item, each sent at most once
	slots  chan struct{}
	done   chan struct{}
	start  func() // once
}

type preparedPackage struct {
	p   *signer.Prepared
	err error
}

// prepareBatch makes the preparing of the packages of items, whose
// inputs were checked; start starts it. stop must be called once the
// batch is over.
func prepareBatch(ctx context.Context, items []BatchItem) *preparing {
	ctx, cancel := context.WithCancel(ctx)
	b := &preparing{cancel: cancel, ready: make([]chan preparedPackage, len(items)),
		slots: make(chan struct{}, BatchPrepareAhead), done: make(chan struct{})}
	for i := range b.ready {
		b.ready[i] = make(chan preparedPackage, 1)
	}
	b.start = sync.OnceFunc(func() {
		go func() {
			defer close(b.done)
			for i := range items {
				if ctx.Err() != nil {
					return
				}
				select {
				case b.slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				p, err := batchSigned(&items[i]).prepare(ctx, batchFiles(&items[i]), Callbacks{})
				b.ready[i] <- preparedPackage{p, err}
			}
		}()
	})
	return b
}

// whilePrompting starts the preparing when cb asks for the PIN or the
// password: then, not while the card is opened, which the preparing
// would slow.
func (b *preparing) whilePrompting(cb Callbacks) Callbacks {
	if pin := cb.PIN; pin != nil {
		cb.PIN = func(ctx context.Context, r pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			b.start()
			return pin(ctx, r)
		}
	}
	if secret := cb.Secret; secret != nil {
		cb.Secret = func(ctx context.Context, r SecretRequest) ([]byte, error) {
			b.start()
			return secret(ctx, r)
		}
	}
	return cb
}

// take waits for item i's package, which the caller then signs or
// aborts, and makes room for the next one. It fails with ctx's error
// when the batch stopped before the package was prepared.
func (b *preparing) take(ctx context.Context, i int) (*signer.Prepared, error) {
	select {
	case pp := <-b.ready[i]:
		<-b.slots
		return pp.p, pp.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// discard removes item i's package, for a form that will not be signed.
func (b *preparing) discard(ctx context.Context, i int) {
	if p, err := b.take(ctx, i); err == nil {
		p.Abort()
	}
}

// stop stops the preparing and removes every package prepared and not
// taken.
func (b *preparing) stop() {
	b.cancel()
	b.start() // so that done is closed
	<-b.done
	for _, c := range b.ready {
		select {
		case pp := <-c:
			if pp.err == nil {
				pp.p.Abort()
			}
		default:
		}
	}
}

// batchFiles are the files of a batch's form: the form, then its
// attachments.
func batchFiles(it *BatchItem) []signer.File {
	files := make([]signer.File, 0, 1+len(it.Attachments))
	files = append(files, signer.File{Path: it.Form})
	for _, f := range it.Attachments {
		files = append(files, signer.File{Path: f})
	}
	return files
}

// batchSigned is the package a batch's form is signed into.
func batchSigned(it *BatchItem) *Signed {
	signed := &Signed{Path: it.Package, Form: it.form}
	if it.proc != nil {
		signed.Procedure = *it.proc
	}
	return signed
}
