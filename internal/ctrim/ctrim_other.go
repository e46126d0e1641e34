//go:build !cgo || !linux

package ctrim

func trim() {}
