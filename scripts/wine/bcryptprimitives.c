/*
 * Test equipment, never shipped: a bcryptprimitives.dll for Wine 8.0,
 * which lacks it. Go since 1.22 gets its random bytes from ProcessPrng
 * there; this one fills the buffer through RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. scripts/wine-test builds it with
 * mingw-w64 into each fresh Wine prefix's system32 (DESIGN.md, "Windows
 * under Wine").
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills len bytes at data; it returns TRUE, as Windows' does. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
