package service

import (
	"runtime"
	"syscall"
)

// runLowPriority runs f on a thread of its own at the lowest scheduling
// priority (nice 19), so that the kernel gives the processor to a clean
// login's hash first even while a flood's hash is half done. The thread
// ends with f: its goroutine exits still locked to it, since a thread's
// priority cannot be raised again without privilege.
func runLowPriority(f func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes away with its niceness
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
		defer close(done)
		f()
	}()
	<-done
}
