//go:build !linux

package service

// runLowPriority runs f; only Linux lowers the thread's priority.
func runLowPriority(f func()) { f() }
