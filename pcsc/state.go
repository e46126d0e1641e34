package pcsc

// ReaderState is what pcscd tells of a reader without connecting to its
// card (Context.States).
type ReaderState struct {
	// Reader is the reader's name.
	Reader string
	// Present: a card is in the reader.
	Present bool
	// Events counts the cards put in and taken out since pcscd saw the
	// reader (modulo 2^16): two readings that differ mean the card may
	// have been changed in between.
	Events uint16
}
