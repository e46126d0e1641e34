package ui

import (
	"image"
	"runtime/debug"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/shinsei-app/shinsei/internal/ctrim"
)

// returnMemoryAfterNextFrame hands the memory the Go runtime holds but
// no longer uses back to the system, once the window has painted its
// next frame. It is called on the UI thread where a piece of work that
// allocates much and keeps little has ended and the window goes idle:
// the app opened (in the sandbox: its PKI issued, its card provisioned),
// an application signed and sent, or given up. Left alone, the runtime
// keeps such freed memory up to its next collection's goal (about twice
// what is live) and returns it only slowly: up to ≈ 40 MB of an idle
// window's resident memory after one application. The C libraries' freed
// memory (Mesa compiling shaders, the PKCS#11 module) goes back too
// (ctrim.Trim; ≈ 1 MB after one application). The collection runs on
// another goroutine, after the frame, so the window never waits for it.
// The trigger is a 1×1 transparent raster, as for the first frame (see
// startAfterFirstFrame): Fyne calls its generator only when it paints.
func (s *shell) returnMemoryAfterNextFrame() {
	if s.footer == nil || s.memoryReturnPending {
		return
	}
	s.memoryReturnPending = true
	var once sync.Once
	var r *canvas.Raster
	r = canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			free := s.returnMemory // tests count the calls
			if free == nil {
				free = returnMemory
			}
			go func() {
				free()
				onMain(func() {
					s.footer.Remove(r)
					s.memoryReturnPending = false
				})
			}()
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	s.footer.Add(r)
}

// returnMemory hands the memory the Go runtime and the C allocator hold
// but no longer use back to the system. It takes some milliseconds: call
// it off the UI thread.
func returnMemory() {
	debug.FreeOSMemory()
	ctrim.Trim()
}
