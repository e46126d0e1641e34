package main

import (
	"testing"
	"time"
)

func TestArchiveRenewReadsItsLeadTimeInDaysOrAsAGoDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"ninety days", "90d", 90 * 24 * time.Hour, true},
		{"zero days renews only what has expired", "0d", 0, true},
		{"a Go duration", "2160h", 90 * 24 * time.Hour, true},
		{"a negative lead time is refused", "-5d", 0, false},
		{"words are refused", "soon", 0, false},
		{"a fraction of a day is refused", "1.5d", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDays(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("parseDays(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}
