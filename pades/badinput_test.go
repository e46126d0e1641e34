package pades

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// rawPDF is a one-page PDF written by hand with extra put into the
// catalogue; the PDF library finds its objects without a valid table.
func rawPDF(catalogExtra, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := []int{}
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	obj("<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, trailerExtra, xref)
	return b.Bytes()
}

func TestBadInputIsRefusedWithATypedError(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	signed, err := os.ReadFile(s.plain)
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	encrypted := filepath.Join(dir, "encrypted.pdf")
	run(t, "qpdf", "--encrypt", "", "owner", "256", "--", s.plain, encrypted)
	bigString := filepath.Join(dir, "big-objstm.pdf")
	{
		huge := rawPDF("/Huge 4 0 R", "")
		// A string of 17 MiB in an object of its own, which qpdf puts
		// into a (compressed) object stream.
		huge = bytes.Replace(huge, []byte("xref"), []byte("4 0 obj\n("+strings.Repeat("A", MaxObjectStream+(1<<20))+")\nendobj\nxref"), 1)
		rawPath := filepath.Join(dir, "big.raw")
		if err := os.WriteFile(rawPath, huge, 0o600); err != nil {
			t.Fatal(err)
		}
		qpdfRepair(t, "--object-streams=generate", rawPath, bigString)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	replace := func(old, new string) []byte {
		if len(old) != len(new) {
			t.Fatalf("replacement must keep the length: %q %q", old, new)
		}
		if !bytes.Contains(signed, []byte(old)) {
			t.Fatalf("%q is not in the signed file", old)
		}
		return bytes.Replace(signed, []byte(old), []byte(new), 1)
	}
	br := byteRangeText(t, signed)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"a file that is not a PDF is malformed", []byte("PK\x03\x04 this is a ZIP, not a PDF at all"), ErrMalformed},
		{"an empty file is malformed", nil, ErrMalformed},
		{"a signed PDF cut in half is malformed", signed[:len(signed)/2], ErrMalformed},
		{"a signed PDF without its last byte range is malformed", signed[:len(signed)-200], ErrMalformed},
		{"an encrypted PDF is refused as encrypted", read(encrypted), ErrEncrypted},
		{"JavaScript run when the file opens is active content", rawPDF("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", ""), ErrActiveContent},
		{"a launch action is active content", rawPDF("/OpenAction << /S /Launch /F (calc.exe) >>", ""), ErrActiveContent},
		{"document-level JavaScript is active content", rawPDF("/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>", ""), ErrActiveContent},
		{"an object stream decoding to over 16 MiB is too large", read(bigString), ErrTooLarge},
		{"a cross-reference size of a billion objects is too large", rawPDF("", "/Size 1000000000"), ErrTooLarge},
		{"a cross-reference subsection of a billion objects is too large",
			bytes.Replace(rawPDF("", ""), []byte("xref\n0 4\n"), []byte("xref\n999999999 4\n"), 1), ErrTooLarge},
		{"arrays nested 60000 deep are too large", rawPDF("/Deep "+strings.Repeat("[", 60000)+strings.Repeat("]", 60000), ""), ErrTooLarge},
		{"a PDF without a signature is unsigned", rawPDF("", ""), ErrNoSignature},
		{"a byte range not starting at the file's start leaves content unsigned", replace(br, "[9"+br[2:]), ErrByteRange},
		{"a byte range whose gap is not the signature leaves content unsigned", replace(br, shiftGap(t, br)), ErrByteRange},
		{"a byte range ending before a revision ends leaves content unsigned", replace(br, shortenLast(t, br)), ErrByteRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(context.Background(), bytes.NewReader(tc.data), int64(len(tc.data)), f.opts())
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v (report %+v), want %v", err, rep, tc.want)
			}
			if err.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestContentsThatAreNotCMSMakeTheSignatureInvalid(t *testing.T) {
	f := testFixtures(t)
	signed, err := os.ReadFile(signedPDFs(t).plain)
	if err != nil {
		t.Fatal(err)
	}
	br := byteRangeText(t, signed)
	var a, b int64
	fmt.Sscanf(br, "[0 %d %d", &a, &b)
	data := append([]byte{}, signed...)
	copy(data[a+1:b-1], bytes.Repeat([]byte("ab"), int(b-a)))
	rep, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Signatures[0].Integrity.Reason; got != ReasonUnreadable || rep.Outcome() != OutcomeInvalid {
		t.Fatalf("integrity %+v, outcome %s", rep.Signatures[0].Integrity, rep.Outcome())
	}
}

// byteRangeText is the "[0 a b c" of the signature's /ByteRange as
// pdfsig wrote it.
func byteRangeText(t *testing.T, data []byte) string {
	t.Helper()
	i := bytes.Index(data, []byte("/ByteRange ["))
	if i < 0 {
		t.Fatal("no /ByteRange")
	}
	rest := data[i+len("/ByteRange "):]
	end := bytes.IndexByte(rest, ']')
	return strings.TrimRight(string(rest[:end]), " ")
}

// shiftGap moves the gap's end one byte into the signature's hex.
func shiftGap(t *testing.T, br string) string {
	var a, b, c int64
	if _, err := fmt.Sscanf(br, "[0 %d %d %d", &a, &b, &c); err != nil {
		t.Fatal(err)
	}
	return fixWidth(t, fmt.Sprintf("[0 %d %d %d", a, b-1, c+1), len(br))
}

// shortenLast makes the second range end 100 bytes early.
func shortenLast(t *testing.T, br string) string {
	var a, b, c int64
	if _, err := fmt.Sscanf(br, "[0 %d %d %d", &a, &b, &c); err != nil {
		t.Fatal(err)
	}
	return fixWidth(t, fmt.Sprintf("[0 %d %d %d", a, b, c-100), len(br))
}

func fixWidth(t *testing.T, s string, n int) string {
	if len(s) > n {
		t.Fatalf("%q longer than %d", s, n)
	}
	return s + strings.Repeat(" ", n-len(s))
}

// qpdfRepair has qpdf write in as out with opts; its exit 3 (warnings: it
// rebuilt the table) is success here.
func qpdfRepair(t *testing.T, opt, in, out string) {
	t.Helper()
	writeWithQPDF(t, []string{opt, in, out})
}
