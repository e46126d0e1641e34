package ui

import "fyne.io/fyne/v2"

// onMain runs fn on the UI thread, where every widget is touched: the
// goroutines that wait for flow, the service or a card hand their results
// over through it. It is fyne.Do in the app. Fyne's test driver runs
// fyne.Do on the caller's goroutine instead, beside the test's own, so
// the tests replace onMain with a queue they drain on the test goroutine.
var onMain = fyne.Do
