package identity

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// otherName encodes one JPKI-style otherName GeneralName for seeds.
func otherName(t testing.TB, oid asn1.ObjectIdentifier, tag int, value string) asn1.RawValue {
	t.Helper()
	inner, err := asn1.Marshal(asn1.RawValue{Tag: tag, Bytes: []byte(value)})
	if err != nil {
		t.Fatal(err)
	}
	oidDER, err := asn1.Marshal(oid)
	if err != nil {
		t.Fatal(err)
	}
	explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	if err != nil {
		t.Fatal(err)
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oidDER, explicit...)}
}

func sanDER(t testing.TB, names ...asn1.RawValue) []byte {
	t.Helper()
	der, err := asn1.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func sampleSAN(t testing.TB, tag int) []byte {
	return sanDER(t,
		asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("example.jp")},
		otherName(t, OIDJPKIAddress, tag, "東京都千代田区霞が関二丁目１番２号"),
		otherName(t, OIDJPKIName, tag, "高橋　花子"),
		otherName(t, OIDJPKINameFlags, tag, "10000"),
		otherName(t, OIDJPKISex, tag, "2"),
		otherName(t, OIDJPKIBirthDate, tag, "319850415"),
	)
}

// FuzzFromJPKI feeds arbitrary bytes to FromJPKI as the value of a
// subjectAltName extension: it must never panic, must return either a consistent Person or
// an error, and its errors must not quote the input.
func FuzzFromJPKI(f *testing.F) {
	f.Add(sampleSAN(f, asn1.TagUTF8String))
	f.Add(sampleSAN(f, asn1.TagOctetString))
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x03, 0xa0, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		if len(der) > 64<<10 {
			return
		}
		p, err := FromJPKI(&x509.Certificate{Extensions: []pkix.Extension{{Id: oidSubjectAltName, Value: der}}})
		if err != nil {
			if p != nil {
				t.Fatal("a Person together with an error")
			}
			msg := err.Error()
			for i := 0; i < len(msg); i++ {
				if msg[i] >= utf8.RuneSelf {
					t.Fatal("error text is not plain ASCII: it may quote a value")
				}
			}
			var ae *AttributeError
			if !errors.Is(err, ErrNotJPKI) && !errors.As(err, &ae) {
				t.Fatalf("untyped error %q", msg)
			}
			return
		}
		if p.Name == "" || p.Address == "" || !p.Sex.Valid() || !p.BirthDate.Era.Valid() {
			t.Fatal("a Person without its required attributes")
		}
		if len(p.NameFlags) != utf8.RuneCountInString(p.Name) || len(p.AddressFlags) != utf8.RuneCountInString(p.Address) {
			t.Fatal("flags do not have one entry per character")
		}
		// Matching the certificate against itself always succeeds.
		a := Applicant{Name: p.Name, Address: p.Address, Sex: p.Sex.Code(), BirthDate: p.BirthDate.ISO()}
		if r := MatchPerson(p, a); r.Overall != OutcomeMatch {
			t.Fatalf("a certificate does not match its own values: %v", r)
		}
		// Nor does it fail to match its own normal forms.
		if utf8.RuneCountInString(p.Name) > maxValueRunes || utf8.RuneCountInString(p.Address) > maxValueRunes {
			return
		}
		a = Applicant{Name: NormalizeName(p.Name), Address: NormalizeAddress(p.Address)}
		if r := MatchPerson(p, a); r.Overall == OutcomeMismatch && !isBlank(a.Name) && !isBlank(a.Address) {
			t.Fatalf("a certificate does not match its own normal forms: %v", r)
		}
	})
}

// FuzzNormalizeAddress checks that address normalisation never panics, is
// idempotent, and that a value always matches itself and its normal form
// (name normalisation is checked for idempotence on the same inputs).
func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{
		"東京都千代田区霞が関二丁目１番２号", "東京都千代田区霞が関２－１－２", "2-1-2 101", "1番地の2",
		"北海道札幌市中央区北一条西二丁目", "茨城県龍ケ崎市３７１０番地", "センター２ー１ー２　４０１号室",
		"二十三丁目一〇一", "ｶﾞ　\u3099-ー―", "葛\U000E0100飾区", "１－－２－", "\xff\xfe", "千百十一",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4*maxValueRunes {
			return // far longer than any address; keeps the minimiser quick
		}
		once := NormalizeAddress(s)
		if twice := NormalizeAddress(once); twice != once {
			t.Fatalf("not idempotent: %+q → %+q → %+q", s, once, twice)
		}
		if strings.ContainsFunc(once, isSpaceLike) {
			t.Fatalf("spaces left in %+q", once)
		}
		if n := NormalizeName(s); NormalizeName(n) != n {
			t.Fatalf("name normalisation not idempotent: %+q → %+q → %+q", s, n, NormalizeName(n))
		}
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxValueRunes {
			return
		}
		if r := matchText(FieldAddress, s, nil, s, addressSteps); r.Outcome != OutcomeMatch && r.Outcome != OutcomeNotGiven {
			t.Fatalf("%+q does not match itself: %v", s, r)
		}
		if r := matchText(FieldAddress, s, nil, once, addressSteps); !isBlank(s) && r.Outcome == OutcomeMismatch {
			t.Fatalf("%+q does not match its normal form %+q: %v", s, once, r)
		}
	})
}
