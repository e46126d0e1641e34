// Package archtest holds the test that keeps the dependency rule of
// DESIGN.md §2: core packages never import fyne, ui, flow or cmd.
package archtest
