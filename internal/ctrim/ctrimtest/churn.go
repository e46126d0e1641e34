//go:build cgo && linux

package ctrimtest

/*
#include <stdlib.h>

// ctrimtest_churn allocates n blocks of size bytes, each written to, and
// frees every one but the last, which it returns: the block on top keeps
// malloc from giving the freed memory back by itself.
static void *ctrimtest_churn(int n, size_t size) {
	void **blocks = malloc(n * sizeof(void *));
	if (blocks == NULL) return NULL;
	for (int i = 0; i < n; i++) {
		blocks[i] = malloc(size);
		if (blocks[i] != NULL) {
			for (size_t j = 0; j < size; j += 4096) ((char *)blocks[i])[j] = 1;
		}
	}
	for (int i = 0; i < n - 1; i++) free(blocks[i]);
	void *last = blocks[n - 1];
	free(blocks);
	return last;
}
*/
import "C"

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// Freed is how much Churn leaves freed in malloc's hands, in kB.
const Freed = 64 << 10

// Churn has C allocate 64 MiB in blocks malloc takes from its arena (not
// mapped apart) and free all but the last, on one thread: the freed
// memory stays resident, with malloc, until something trims it. It fails
// the test when malloc gave it back by itself (the test would prove
// nothing). The last block is freed at the end of the test.
func Churn(t testing.TB) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := AnonymousKB(t)
	p := C.ctrimtest_churn(1024, 64<<10)
	t.Cleanup(func() { C.free(unsafe.Pointer(p)) })
	if held := AnonymousKB(t); held-before < Freed*3/4 {
		t.Fatalf("malloc already gave the freed memory back (%d kB resident anonymous memory, %d kB before)", held, before)
	}
}

// AnonymousKB is the process's resident anonymous memory, in kB.
func AnonymousKB(t testing.TB) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Anonymous:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no Anonymous line in /proc/self/smaps_rollup")
	return 0
}
