package flow

// PartialRemoved is how many partial outbox copies — left by a submission
// that was killed while copying its package — were removed when the App
// opened its outbox. Such a copy never became an item: nothing was sent
// from it, and the original file is where it was.
func (a *App) PartialRemoved() int {
	if a.outbox == nil {
		return 0
	}
	return a.outbox.PartialRemoved()
}
