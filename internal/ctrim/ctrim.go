// Package ctrim hands the memory the C allocator holds but no longer
// uses back to the system: the window's C libraries (Mesa compiling its
// shaders, the PKCS#11 module, GLFW) free far more than they keep, and
// glibc's malloc returns freed memory only from the top of each arena.
// Trim is what debug.FreeOSMemory is for the Go heap.
package ctrim

// Trim returns the free memory of every C allocator arena to the system
// (glibc's malloc_trim(0)), where the C library can; elsewhere (Windows,
// macOS, a build without cgo, a C library other than glibc) it does
// nothing. It takes the allocator's locks one arena at a time: call it off
// the UI thread.
func Trim() { trim() }
