// Package ui is Shinsei's desktop app, built with Fyne over package flow:
// one file per screen, each a small struct with onXxx handlers, that shows
// what flow returns and answers what flow asks (PINs, confirmations,
// progress) through flow's callbacks. It never calls the crypto packages
// itself.
//
// Every string comes from assets/lang (Japanese first, English second)
// through Fyne's lang package, drawn with the embedded BIZ UDPGothic
// (Theme). Work runs on goroutines, and goroutines touch widgets only
// through onMain. The GUI never logs a PIN or personal data: it logs
// nothing but Fyne's own errors.
package ui
