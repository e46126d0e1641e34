package signer

import (
	"archive/zip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// ErrInvalidFile means a file given to Build cannot be packaged: the form
// is missing or empty, a file is missing, unreadable, a directory or too
// large, or its name in the package is invalid, reserved or taken.
var ErrInvalidFile = errors.New("signer: file cannot be packaged")

// File is one file to put into a package.
type File struct {
	// Name is the file's name inside the package, "/"-separated; empty
	// means the base name of Path. Names are normalized to Unicode NFC and
	// must differ from each other ignoring case.
	Name string
	// Path is where the file is read from.
	Path string
}

// BuildOptions are optional settings of Build.
type BuildOptions struct {
	// Progress, when set, is called on Build's goroutine as the files are
	// copied and hashed, with the bytes done and the total.
	Progress func(done, total int64)
	// TSA, when set, is asked for a signature-time-stamp token right
	// after signing (CAdES-T). An authority that cannot be reached or
	// answers wrongly never fails Build: the package is written without
	// the token (CAdES-BES) and BuildResult.TimestampErr says why.
	TSA *TSA
	// ValidationData, when set, goes into the signature after the
	// time-stamp (AddValidationData): with a time-stamp the package is
	// CAdES-B-LT from the start, without rewriting it afterwards.
	ValidationData *ValidationData
	// Carry names signed packages (a power of attorney) whose files,
	// manifests and signatures are copied unchanged into the package,
	// beside a new signature over its own manifest
	// (META-INF/signatureNNN.p7s over META-INF/ASiCManifestNNN.xml, the
	// next free number), which names the new files and the carried ones.
	// Each must be intact and hold only CAdES signatures; its files must
	// not take the new files' names (ErrInvalidFile).
	Carry []string
	// Supporting marks no file as the form (no Rootfile): the package is
	// a supporting document, such as a power of attorney, to be carried
	// into another package beside that package's form.
	Supporting bool
}

// BuildResult describes the package Build wrote.
type BuildResult struct {
	// Files are the packaged files in order, the form first, then the
	// files BuildOptions.Carry carried.
	Files []FileResult
	// Size is the package's size in bytes.
	Size int64
	// Timestamped is true when the signature carries a time-stamp token
	// from BuildOptions.TSA; TimestampErr, wrapping ErrTSAUnreachable or
	// ErrTSABadReply, says why not when one was asked for.
	Timestamped  bool
	TimestampErr error
	// ValidationData is true when the signature carries
	// BuildOptions.ValidationData.
	ValidationData bool
}

// input is a file opened for packaging.
type input struct {
	name string
	role string
	f    *os.File
	size int64
}

// ErrKeyMismatch: the credential's key is not the key of its certificate.
var ErrKeyMismatch = errors.New("signer: the key does not belong to the certificate")

// Build writes a signed package of files to outPath: the first file is the
// form, the others are attachments. Each file is read once, copied into
// the package and hashed in the same pass. The package is written to a
// temporary file next to outPath (mode 0600), synced and renamed over
// outPath; on any error, including cancellation of ctx, nothing is left at
// outPath and the temporary file is removed. Build is Prepare and then
// Prepared.Sign, with the credential checked first.
func Build(ctx context.Context, outPath string, files []File, cred Credential, opts BuildOptions) (*BuildResult, error) {
	if err := checkCredential(cred); err != nil {
		return nil, err
	}
	p, err := Prepare(ctx, outPath, files, opts)
	if err != nil {
		return nil, err
	}
	return p.Sign(ctx, cred, SignOptions{TSA: opts.TSA, ValidationData: opts.ValidationData})
}

// checkCredential refuses a credential without a key or a certificate, or
// whose key is not its certificate's (ErrKeyMismatch).
func checkCredential(cred Credential) error {
	if cred.Signer == nil || cred.Cert == nil {
		return errors.New("signer: the credential needs a key and a certificate")
	}
	if !samePublicKey(cred.Signer, cred.Cert) {
		return ErrKeyMismatch
	}
	return nil
}

// SignOptions are what Prepared.Sign adds to the signature (see
// BuildOptions' fields of the same names).
type SignOptions struct {
	TSA            *TSA
	ValidationData *ValidationData
}

// Prepared is a package written up to its signature, in a temporary file
// next to its path: its files copied and hashed, its manifest made. It
// needs no credential, so a batch prepares its packages while the PIN is
// asked. Sign signs it and puts it in place; Abort removes it. Either
// must be called once; a Prepared is used by one goroutine at a time.
type Prepared struct {
	out      *fsx.File
	cr       *carried
	w        *packageWriter
	manifest []byte
}

// Prepare writes the files into a temporary package next to outPath, as
// Build does, up to the signature. Of opts it uses Progress, Carry and
// Supporting; the signature's options are Sign's. On error nothing is
// left behind.
func Prepare(ctx context.Context, outPath string, files []File, opts BuildOptions) (_ *Prepared, err error) {
	ins, total, err := openInputs(files, outPath)
	defer func() {
		for _, in := range ins {
			in.f.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	p := &Prepared{}
	defer func() {
		if err != nil {
			p.Abort()
		}
	}()
	if len(opts.Carry) > 0 {
		if err := statCarry(opts.Carry); err != nil {
			return nil, err
		}
		names := make([]string, len(ins))
		for i, in := range ins {
			names[i] = in.name
		}
		if p.cr, err = openCarried(ctx, opts.Carry, names); err != nil {
			return nil, err
		}
	}
	if p.out, err = fsx.Create(outPath, 0); err != nil {
		return nil, fmt.Errorf("signer: create package: %w", err)
	}
	progress := func(int64) {}
	if opts.Progress != nil {
		var done int64
		progress = func(n int64) { done += n; opts.Progress(done, total) }
	}
	p.w = newPackageWriter(p.out.File, p.cr)
	if p.manifest, err = p.w.files(ctx, ins, opts.Supporting, progress); err != nil {
		return nil, err
	}
	return p, nil
}

// Sign signs the prepared package's manifest with cred, writes the
// signature and the ZIP's directory, and syncs and renames the package
// over its path. On any error, including cancellation of ctx, nothing is
// left at the path and the temporary file is removed.
func (p *Prepared) Sign(ctx context.Context, cred Credential, opts SignOptions) (*BuildResult, error) {
	defer p.Abort() // after Commit, nothing to do
	if err := checkCredential(cred); err != nil {
		return nil, err
	}
	res, err := p.w.sign(ctx, p.manifest, cred, opts)
	if err != nil {
		return nil, err
	}
	if err := p.out.Commit(); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return nil, fmt.Errorf("signer: write package: %w", err)
	}
	return res, nil
}

// Abort removes the prepared package. It does nothing once the package
// was signed or aborted.
func (p *Prepared) Abort() {
	if p.out != nil {
		p.out.Abort()
	}
	if p.cr != nil {
		p.cr.close()
		p.cr = nil
	}
}

// openInputs checks the files' names and opens them. It returns what it
// opened even on error, for the caller to close.
func openInputs(files []File, outPath string) (ins []input, total int64, err error) {
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("%w: no form", ErrInvalidFile)
	}
	out, _ := os.Stat(outPath) // nil when there is no file yet
	seen := make(map[string]bool)
	for i, file := range files {
		role := "the form"
		if i > 0 {
			role = fmt.Sprintf("attachment %d", i)
		}
		name := file.Name
		if name == "" {
			name = filepath.Base(file.Path)
		}
		name = norm.NFC.String(name)
		switch err := checkName(name); {
		case err != nil:
			return ins, 0, fmt.Errorf("%w: %s: %w", ErrInvalidFile, role, err)
		case reserved(name):
			return ins, 0, fmt.Errorf("%w: %s: the name is reserved for the container", ErrInvalidFile, role)
		case seen[nameKey(name)]:
			return ins, 0, fmt.Errorf("%w: %s: another file has the same name", ErrInvalidFile, role)
		}
		seen[nameKey(name)] = true
		f, err := os.Open(file.Path)
		if err != nil {
			return ins, 0, fmt.Errorf("%w: %s: %w", ErrInvalidFile, role, err)
		}
		ins = append(ins, input{name: name, role: role, f: f})
		fi, err := f.Stat()
		switch {
		case err != nil:
			return ins, 0, fmt.Errorf("%w: %s: %w", ErrInvalidFile, role, err)
		case fi.IsDir():
			return ins, 0, fmt.Errorf("%w: %s is a directory", ErrInvalidFile, role)
		case !fi.Mode().IsRegular():
			return ins, 0, fmt.Errorf("%w: %s is not a regular file", ErrInvalidFile, role)
		case i == 0 && fi.Size() == 0:
			return ins, 0, fmt.Errorf("%w: the form is empty", ErrInvalidFile)
		case fi.Size() > maxEntrySize:
			return ins, 0, fmt.Errorf("%w: %s is larger than %d bytes", ErrInvalidFile, role, uint64(maxEntrySize))
		case out != nil && os.SameFile(out, fi):
			return ins, 0, fmt.Errorf("%w: %s is the output file", ErrInvalidFile, role)
		}
		ins[i].size = fi.Size()
		total += fi.Size()
	}
	return ins, total, nil
}

// packageWriter writes a package's ZIP to out in two steps: files
// writes the files and makes the manifest, sign the signature and the
// rest.
type packageWriter struct {
	out *os.File
	zw  *zip.Writer
	cr  *carried // nil when nothing is carried
	now time.Time
	// sigName and manName are the new signature's entries.
	sigName, manName string
	// Each file's local header is written before its CRC is known; its
	// CRC field is patched once the ZIP is complete (sizes are known up
	// front), so no entry needs a data descriptor.
	patches []crcPatch
	res     BuildResult
}

type crcPatch struct {
	off int64
	crc uint32
}

func newPackageWriter(out *os.File, cr *carried) *packageWriter {
	w := &packageWriter{out: out, zw: zip.NewWriter(&writeback{f: out}), cr: cr, now: time.Now(),
		sigName: signatureName, manName: manifestName}
	if cr != nil {
		w.sigName, w.manName = cr.sigName, cr.manifestName
	}
	return w
}

// files writes the mimetype, ins and what is carried, and returns the
// manifest that names them.
func (w *packageWriter) files(ctx context.Context, ins []input, supporting bool, progress func(int64)) ([]byte, error) {
	if err := writeSmall(w.zw, mimetypeName, []byte(mimetypeASiCE), w.now); err != nil {
		return nil, err
	}
	var entries []manifestEntry
	var largest int64
	for _, in := range ins {
		largest = max(largest, in.size)
	}
	pipe := newPipeline(largest)
	for i, in := range ins {
		if err := w.zw.Flush(); err != nil {
			return nil, fmt.Errorf("signer: write package: %w", err)
		}
		off, err := w.out.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("signer: write package: %w", err)
		}
		fh := storedHeader(in.name, in.size, 0, w.now)
		zf, err := w.zw.CreateRaw(fh)
		if err != nil {
			return nil, fmt.Errorf("signer: write package: %w", err)
		}
		sum, crc, err := pipe.copy(ctx, zf, in.f, in.size, progress)
		if err != nil {
			return nil, fmt.Errorf("signer: %s: %w", in.role, err)
		}
		fh.CRC32 = crc // CreateRaw keeps fh for the central directory
		w.patches = append(w.patches, crcPatch{off + 14, crc})
		e := manifestEntry{Name: in.name, MimeType: mimeType(in.name), SHA256: sum[:], Root: i == 0 && !supporting}
		entries = append(entries, e)
		w.res.Files = append(w.res.Files, FileResult{Name: e.Name, MimeType: e.MimeType, Form: e.Root,
			Size: in.size, SHA256: fmt.Sprintf("%x", sum), Status: StatusOK, Manifests: []string{w.manName}})
	}
	if w.cr != nil {
		more, files, err := w.cr.writeFiles(ctx, w.zw, w.now, w.manName)
		if err != nil {
			return nil, err
		}
		entries = append(entries, more...)
		w.res.Files = append(w.res.Files, files...)
	}
	return marshalManifest(w.sigName, entries), nil
}

// sign signs manifest with cred and writes the signature, the manifest,
// the carried packages' own and the ZIP's directory.
func (w *packageWriter) sign(ctx context.Context, manifest []byte, cred Credential, opts SignOptions) (*BuildResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("signer: stopped: %w", err)
	}
	res := &w.res
	sig, err := signDetached(manifest, cred, essAttribute(cred.Cert))
	if err != nil {
		return nil, err
	}
	if opts.TSA != nil {
		if stamped, err := StampSignature(ctx, sig, *opts.TSA); err != nil {
			res.TimestampErr = err
		} else {
			sig, res.Timestamped = stamped, true
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("signer: stopped: %w", err)
		}
	}
	if opts.ValidationData != nil && !opts.ValidationData.Empty() {
		if sig, err = AddValidationData(sig, *opts.ValidationData); err != nil {
			return nil, err
		}
		res.ValidationData = true
	}
	if w.cr != nil {
		if err := w.cr.writeMeta(w.zw, w.now); err != nil {
			return nil, err
		}
	}
	if err := writeSmall(w.zw, w.manName, manifest, w.now); err != nil {
		return nil, err
	}
	if err := writeSmall(w.zw, w.sigName, sig, w.now); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, fmt.Errorf("signer: write package: %w", err)
	}
	for _, p := range w.patches {
		if _, err := w.out.WriteAt(binary.LittleEndian.AppendUint32(nil, p.crc), p.off); err != nil {
			return nil, fmt.Errorf("signer: write package: %w", err)
		}
	}
	size, err := w.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("signer: write package: %w", err)
	}
	res.Size = size
	return res, nil
}

// writeSmall adds an entry held in memory.
func writeSmall(zw *zip.Writer, name string, data []byte, mod time.Time) error {
	w, err := zw.CreateRaw(storedHeader(name, int64(len(data)), crc32.ChecksumIEEE(data), mod))
	if err == nil {
		_, err = w.Write(data)
	}
	if err != nil {
		return fmt.Errorf("signer: write package: %w", err)
	}
	return nil
}

// storedHeader is the header of a stored entry with its CRC and sizes in
// the local header, no extra field and no data descriptor.
func storedHeader(name string, size int64, crc uint32, mod time.Time) *zip.FileHeader {
	fh := &zip.FileHeader{Name: name, Method: zip.Store, CreatorVersion: 20, ReaderVersion: 20,
		CRC32: crc, CompressedSize64: uint64(size), UncompressedSize64: uint64(size)}
	fh.ModifiedDate = uint16(mod.Day() + int(mod.Month())<<5 + (mod.Year()-1980)<<9)
	fh.ModifiedTime = uint16(mod.Second()/2 + mod.Minute()<<5 + mod.Hour()<<11)
	if strings.IndexFunc(name, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		fh.Flags |= 0x800 // the name is UTF-8
	}
	return fh
}

// writebackEvery is how many bytes Build writes before it asks the
// operating system to start writing them to disk.
const writebackEvery = 16 << 20

// writeback writes to f and starts the writeback of every writebackEvery
// bytes, so that the disk works while the rest is hashed and the final
// Sync has little left to do.
type writeback struct {
	f              *os.File
	start, pending int64
}

func (w *writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if w.pending += int64(n); w.pending >= writebackEvery {
		startWriteback(w.f, w.start, w.pending)
		w.start, w.pending = w.start+w.pending, 0
	}
	return n, err
}
