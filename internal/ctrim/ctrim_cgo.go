//go:build cgo && linux

package ctrim

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static int ctrim_trim(void) { return malloc_trim(0); }
#else
static int ctrim_trim(void) { return 0; }
#endif
*/
import "C"

func trim() { C.ctrim_trim() }
