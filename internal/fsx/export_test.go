package fsx

// RemoveEach exposes the entry-by-entry fallback of RemoveAll, which only
// Windows reaches, to the tests on every system.
var RemoveEach = removeEach
