package signer

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The pipeline reads a file in chunks of chunkSize; at most chunks of them
// are in memory at once, whatever the file's size.
const (
	chunkSize = 1 << 20
	chunks    = 4
)

// pipeline copies files while hashing them, reusing its buffers from one
// file to the next.
type pipeline struct {
	free chan []byte
	size int // of each chunk
}

// newPipeline makes the chunks no larger than the largest file needs, so
// that signing a small form does not allocate megabytes.
func newPipeline(largest int64) *pipeline {
	size := int(min(chunkSize, max(largest, 1)))
	p := &pipeline{free: make(chan []byte, chunks), size: size}
	for range chunks {
		p.free <- make([]byte, size)
	}
	return p
}

// copy copies exactly size bytes of src to dst, reading src once, and
// returns the SHA-256 and CRC-32 of those bytes. The calling goroutine
// reads, checksums and writes each chunk while another goroutine computes
// SHA-256 over it, so that hashing overlaps with the I/O; a file of one
// chunk at most has no reading to overlap with, so its chunk is hashed
// after it is written, without waking a goroutine. progress gets the
// length of each chunk written. It fails if src is shorter or longer than
// size.
func (p *pipeline) copy(ctx context.Context, dst io.Writer, src io.Reader, size int64, progress func(int64)) (sum [sha256.Size]byte, crc uint32, err error) {
	todo := make(chan []byte, chunks)
	hashed := make(chan [sha256.Size]byte, 1)
	one := size <= int64(p.size)
	if !one {
		go p.hash(todo, hashed)
	}
	crc, err = p.feed(ctx, dst, src, size, todo, progress)
	close(todo)
	if one {
		p.hash(todo, hashed)
	}
	return <-hashed, crc, err
}

// hash computes SHA-256 over the chunks from todo, returning each to the
// free list, and sends the sum once todo is closed.
func (p *pipeline) hash(todo <-chan []byte, sum chan<- [sha256.Size]byte) {
	h := sha256.New()
	for b := range todo {
		h.Write(b)
		p.free <- b[:cap(b)]
	}
	sum <- [sha256.Size]byte(h.Sum(nil))
}

// feed reads src chunk by chunk, passes each chunk to the hasher and
// writes it to dst, returning the CRC-32 of what it wrote.
func (p *pipeline) feed(ctx context.Context, dst io.Writer, src io.Reader, size int64, todo chan<- []byte, progress func(int64)) (uint32, error) {
	var crc uint32
	for done := int64(0); done < size; {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("signer: stopped: %w", err)
		}
		b := <-p.free
		b = b[:min(int64(len(b)), size-done)]
		if _, err := io.ReadFull(src, b); err != nil {
			p.free <- b[:cap(b)]
			return 0, fmt.Errorf("file changed while being read, or unreadable: %w", err)
		}
		todo <- b
		crc = crc32.Update(crc, crc32.IEEETable, b)
		if _, err := dst.Write(b); err != nil {
			return 0, fmt.Errorf("write package: %w", err)
		}
		done += int64(len(b))
		progress(int64(len(b)))
	}
	if _, err := io.ReadFull(src, make([]byte, 1)); !errors.Is(err, io.EOF) {
		return 0, errors.New("file grew while being read")
	}
	return crc, nil
}
