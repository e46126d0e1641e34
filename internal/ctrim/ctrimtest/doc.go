// Package ctrimtest has C free memory for tests of ctrim.Trim and of
// what calls it, and measures the process's resident anonymous memory
// (Linux with cgo only).
package ctrimtest
