package flow

// SetSendingHook has SubmitBatch tell f when it starts (+1) and ends (-1)
// sending a package, until the returned function is called.
func SetSendingHook(f func(delta int)) (restore func()) {
	sendingHook = f
	return func() { sendingHook = nil }
}
