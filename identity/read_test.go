package identity_test

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestFromJPKIReadsSandboxCertificatesBackExactly(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts pki.ResidentOptions
	}{
		{"a certificate with UTF8String attributes reads back exactly", pki.ResidentOptions{}},
		{"a certificate with OCTET STRING attributes reads back exactly", pki.ResidentOptions{OctetStrings: true}},
		{"a certificate from the old root generation reads back exactly", pki.ResidentOptions{OldGeneration: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := pki.SampleResident()
			cred, err := sandboxPKI(t).IssueResident(want, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			p, err := identity.FromJPKI(cred.Cert)
			if err != nil {
				t.Fatalf("FromJPKI: %v", err)
			}
			if p.Name != want.Name || p.Address != want.Address {
				t.Errorf("name/address = %q / %q, want %q / %q", p.Name, p.Address, want.Name, want.Address)
			}
			if !slices.Equal(p.NameFlags, []bool{true, false, false, false, false}) {
				t.Errorf("name flags = %v, want only the first character flagged", p.NameFlags)
			}
			if len(p.AddressFlags) != len([]rune(want.Address)) || slices.Contains(p.AddressFlags, true) {
				t.Errorf("address flags = %v, want one false per character", p.AddressFlags)
			}
			if p.Sex != identity.SexFemale {
				t.Errorf("sex = %d, want 2", p.Sex)
			}
			if p.BirthDate.Era != identity.EraShowa || !p.BirthDate.Date.Equal(time.Date(1985, 4, 15, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("date of birth = %s %s, want 昭和 1985-04-15", p.BirthDate.Era, p.BirthDate.ISO())
			}
			if p.BirthDate.Japanese() != "昭和60年4月15日" {
				t.Errorf("Japanese() = %q", p.BirthDate.Japanese())
			}
			wantRaw := identity.RawAttributes{Name: want.Name, NameFlags: want.NameFlags, Sex: want.Sex,
				BirthDate: want.BirthDate, Address: want.Address, AddressFlags: want.AddressFlags}
			if p.Raw != wantRaw {
				t.Errorf("raw attributes differ from what the sandbox wrote")
			}
			if !p.HasSubstitutes() {
				t.Error("HasSubstitutes() = false for a flagged name")
			}
		})
	}
}

func TestFromJPKIFindsTheAttributesInAnyOrderAmongOtherNames(t *testing.T) {
	names := sampleNames(t)
	slices.Reverse(names)
	names = append([]asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte("hanako@example.jp")},
		utf8Name(t, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, "upn@example.jp"),
	}, names...)
	names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("example.jp")})
	p, err := identity.FromJPKI(issueWith(t, sanExtension(t, names...)))
	if err != nil {
		t.Fatalf("FromJPKI: %v", err)
	}
	if p.Name != "高橋　花子" || p.Sex != identity.SexFemale || p.BirthDate.ISO() != "1985-04-15" {
		t.Error("attributes not read back from a reordered subjectAltName")
	}
}

func TestFromJPKIReportsWhatIsWrongWithoutQuotingIt(t *testing.T) {
	replace := func(oid asn1.ObjectIdentifier, value asn1.RawValue) func(*testing.T) []asn1.RawValue {
		return func(t *testing.T) []asn1.RawValue {
			names := sampleNames(t)
			for i := range names {
				if strings.Contains(string(names[i].Bytes), string(mustMarshal(t, oid))) {
					names[i] = value
				}
			}
			return names
		}
	}
	without := func(oid asn1.ObjectIdentifier) func(*testing.T) []asn1.RawValue {
		return func(t *testing.T) []asn1.RawValue {
			return slices.DeleteFunc(sampleNames(t), func(n asn1.RawValue) bool {
				return strings.Contains(string(n.Bytes), string(mustMarshal(t, oid)))
			})
		}
	}
	for _, tc := range []struct {
		name      string
		names     func(*testing.T) []asn1.RawValue
		wantErr   error
		wantField string
	}{
		{"a birth date in an unknown era is a bad birth date",
			replace(identity.OIDJPKIBirthDate, utf8Name(t, identity.OIDJPKIBirthDate, "619850415")), identity.ErrBadBirthDate, "birth_date"},
		{"a Showa date given the Heisei era digit is a bad birth date",
			replace(identity.OIDJPKIBirthDate, utf8Name(t, identity.OIDJPKIBirthDate, "419850415")), identity.ErrBadBirthDate, "birth_date"},
		{"the thirtieth of February is a bad birth date",
			replace(identity.OIDJPKIBirthDate, utf8Name(t, identity.OIDJPKIBirthDate, "319850230")), identity.ErrBadBirthDate, "birth_date"},
		{"a birth date in era notation instead of EYYYYMMDD is a bad birth date",
			replace(identity.OIDJPKIBirthDate, utf8Name(t, identity.OIDJPKIBirthDate, "S60.4.15")), identity.ErrBadBirthDate, "birth_date"},
		{"name flags shorter than the name are the wrong length",
			replace(identity.OIDJPKINameFlags, utf8Name(t, identity.OIDJPKINameFlags, "100")), identity.ErrFlagsLength, "name_flags"},
		{"name flags counted in bytes instead of characters are the wrong length",
			replace(identity.OIDJPKINameFlags, utf8Name(t, identity.OIDJPKINameFlags, strings.Repeat("0", len("高橋　花子")))), identity.ErrFlagsLength, "name_flags"},
		{"address flags holding a letter are bad flags",
			func(t *testing.T) []asn1.RawValue {
				return append(sampleNames(t), utf8Name(t, identity.OIDJPKIAddressFlags, "0000000000000000x"))
			}, identity.ErrBadFlags, "address_flags"},
		{"sex code 0 is a bad sex code",
			replace(identity.OIDJPKISex, utf8Name(t, identity.OIDJPKISex, "0")), identity.ErrBadSex, "sex"},
		{"a certificate without the address is missing an attribute",
			without(identity.OIDJPKIAddress), identity.ErrMissingAttribute, "address"},
		{"an empty name is a missing attribute",
			replace(identity.OIDJPKIName, utf8Name(t, identity.OIDJPKIName, "")), identity.ErrMissingAttribute, "name"},
		{"a name held in an INTEGER is malformed",
			replace(identity.OIDJPKIName, otherName(t, identity.OIDJPKIName, asn1.TagInteger, []byte{1})), identity.ErrMalformed, "name"},
		{"a name that is not valid UTF-8 is malformed",
			replace(identity.OIDJPKIName, otherName(t, identity.OIDJPKIName, asn1.TagOctetString, []byte{0x82, 0xa0, 0x82, 0xa2})), identity.ErrMalformed, "name"},
		{"a name given twice is malformed",
			func(t *testing.T) []asn1.RawValue {
				return append(sampleNames(t), utf8Name(t, identity.OIDJPKIName, "高橋　華子"))
			}, identity.ErrMalformed, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := identity.FromJPKI(issueWith(t, sanExtension(t, tc.names(t)...)))
			checkAttributeError(t, err, tc.wantErr, tc.wantField)
		})
	}
}

func checkAttributeError(t *testing.T, err, wantErr error, wantField string) {
	t.Helper()
	if !errors.Is(err, wantErr) {
		t.Fatalf("error %v, want %v", err, wantErr)
	}
	var ae *identity.AttributeError
	if !errors.As(err, &ae) || ae.Field != wantField {
		t.Fatalf("error %v, want an AttributeError for %s", err, wantField)
	}
	for _, value := range []string{"高橋", "花子", "華子", "霞が関", "1985", "0415", "サンドボックス", "佐藤", "東京"} {
		if strings.Contains(err.Error(), value) {
			t.Fatalf("error text quotes a value: %v", err)
		}
	}
}

func TestFromJPKIRecognisesCertificatesThatAreNotJPKISignatureCertificates(t *testing.T) {
	p := sandboxPKI(t)
	private, err := p.IssuePrivate("Sandbox Private User")
	if err != nil {
		t.Fatal(err)
	}
	corporate, err := p.IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a certificate without subjectAltName is not a JPKI signature certificate", func(t *testing.T) {
		if _, err := identity.FromJPKI(private.Cert); !errors.Is(err, identity.ErrNotJPKI) {
			t.Fatalf("error %v, want ErrNotJPKI", err)
		}
	})
	t.Run("a commercial-registry certificate is not a JPKI signature certificate", func(t *testing.T) {
		if _, err := identity.FromJPKI(corporate.Cert); !errors.Is(err, identity.ErrNotJPKI) {
			t.Fatalf("error %v, want ErrNotJPKI", err)
		}
	})
	t.Run("a subjectAltName with only a DNS name is not a JPKI signature certificate", func(t *testing.T) {
		cert := issueWith(t, sanExtension(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("example.jp")}))
		if _, err := identity.FromJPKI(cert); !errors.Is(err, identity.ErrNotJPKI) {
			t.Fatalf("error %v, want ErrNotJPKI", err)
		}
	})
	t.Run("a truncated subjectAltName is malformed", func(t *testing.T) {
		der := mustMarshal(t, sampleNames(t))
		_, err := identity.FromJPKI(withExtensions(pkix.Extension{Id: oidSAN, Value: der[:len(der)-3]}))
		checkAttributeError(t, err, identity.ErrMalformed, "subject_alt_name")
	})
	t.Run("trailing bytes after the subjectAltName are malformed", func(t *testing.T) {
		der := append(mustMarshal(t, sampleNames(t)), 0x05, 0x00)
		_, err := identity.FromJPKI(withExtensions(pkix.Extension{Id: oidSAN, Value: der}))
		checkAttributeError(t, err, identity.ErrMalformed, "subject_alt_name")
	})
}

func TestFromCorporateReadsTheSandboxCertificateBackExactly(t *testing.T) {
	want := pki.SampleCorporation()
	cred, err := sandboxPKI(t).IssueCorporate(want)
	if err != nil {
		t.Fatal(err)
	}
	c, err := identity.FromCorporate(cred.Cert)
	if err != nil {
		t.Fatalf("FromCorporate: %v", err)
	}
	got := pki.Corporation{Name: c.Name, Number: c.Number, Address: c.Address, RepresentativeName: c.RepresentativeName,
		RepresentativeTitle: c.RepresentativeTitle, RegistryOffice: c.RegistryOffice}
	if got != want {
		t.Errorf("read %+v, want %+v", got, want)
	}
	if c.Registrar != want.RegistryOffice {
		t.Errorf("registrar = %q, want %q", c.Registrar, want.RegistryOffice)
	}
}

func TestFromCorporateAcceptsEveryDirectoryStringType(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field asn1.RawValue
		get   func(*identity.Corporation) string
		want  string
	}{
		{"a BMPString corporate name is read as UTF-16BE",
			directoryString(t, identity.TagCorporateName, asn1.TagBMPString, bmp("株式会社渋谷技研")),
			func(c *identity.Corporation) string { return c.Name }, "株式会社渋谷技研"},
		{"a PrintableString registered number is read as ASCII",
			directoryString(t, identity.TagRegisteredNumber, asn1.TagPrintableString, []byte("0110-01-012345")),
			func(c *identity.Corporation) string { return c.Number }, "0110-01-012345"},
		{"a TeletexString representative title is read as Latin-1",
			directoryString(t, identity.TagRepresentativeTitle, asn1.TagT61String, []byte("Pr\xe9sident")),
			func(c *identity.Corporation) string { return c.RepresentativeTitle }, "Président"},
		{"a UniversalString address is read as UTF-32BE",
			directoryString(t, identity.TagCorporateAddress, 28, ucs4("東京都渋谷区道玄坂一丁目２番３号")),
			func(c *identity.Corporation) string { return c.Address }, "東京都渋谷区道玄坂一丁目２番３号"},
		{"a UTF8String representative name is read as it is",
			directoryString(t, identity.TagRepresentativeName, asn1.TagUTF8String, []byte("山﨑　太郎")),
			func(c *identity.Corporation) string { return c.RepresentativeName }, "山﨑　太郎"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := []asn1.RawValue{tc.field}
			if tc.field.Tag != identity.TagCorporateName {
				fields = append(fields, directoryString(t, identity.TagCorporateName, asn1.TagUTF8String, []byte("株式会社渋谷技研")))
			}
			fields = append(fields, directoryString(t, 5, asn1.TagUTF8String, []byte("an unknown field is ignored")))
			c, err := identity.FromCorporate(issueWith(t, registrar(t, "東京法務局"), corporationInfo(t, fields...)))
			if err != nil {
				t.Fatalf("FromCorporate: %v", err)
			}
			if got := tc.get(c); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFromCorporateReportsWhatIsWrongWithoutQuotingIt(t *testing.T) {
	name := func(t *testing.T) asn1.RawValue {
		return directoryString(t, identity.TagCorporateName, asn1.TagUTF8String, []byte("株式会社サンドボックス商事"))
	}
	for _, tc := range []struct {
		name      string
		exts      func(*testing.T) []pkix.Extension
		wantErr   error
		wantField string
	}{
		{"an odd-length BMPString is malformed", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{corporationInfo(t, name(t), directoryString(t, identity.TagRepresentativeName, asn1.TagBMPString, []byte{0x4f, 0x50, 0x85}))}
		}, identity.ErrMalformed, "representative_name"},
		{"Japanese bytes in a PrintableString are malformed", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{corporationInfo(t, name(t), directoryString(t, identity.TagRegisteredNumber, asn1.TagPrintableString, []byte("０１")))}
		}, identity.ErrMalformed, "corporate_number"},
		{"a corporate name given twice is malformed", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{corporationInfo(t, name(t), name(t))}
		}, identity.ErrMalformed, "corporate_name"},
		{"corporation info without a corporate name is missing an attribute", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{registrar(t, "東京法務局"), corporationInfo(t, directoryString(t, identity.TagRegisteredNumber, asn1.TagUTF8String, []byte("0100-01-999999")))}
		}, identity.ErrMissingAttribute, "corporate_name"},
		{"a registrar without corporation info is missing an attribute", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{registrar(t, "東京法務局")}
		}, identity.ErrMissingAttribute, "registered_corporation_info"},
		{"corporation info that is not a SEQUENCE is malformed", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{{Id: identity.OIDRegisteredCorporationInfo, Value: mustMarshal(t, "株式会社")}}
		}, identity.ErrMalformed, "registered_corporation_info"},
		{"a registrar that is an INTEGER is malformed", func(t *testing.T) []pkix.Extension {
			return []pkix.Extension{{Id: identity.OIDRegistrar, Value: mustMarshal(t, 7)}, corporationInfo(t, name(t))}
		}, identity.ErrMalformed, "registrar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := identity.FromCorporate(withExtensions(tc.exts(t)...))
			checkAttributeError(t, err, tc.wantErr, tc.wantField)
		})
	}
	t.Run("a JPKI signature certificate is not a commercial-registry certificate", func(t *testing.T) {
		cred, err := sandboxPKI(t).IssueResident(pki.SampleResident(), pki.ResidentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := identity.FromCorporate(cred.Cert); !errors.Is(err, identity.ErrNotCorporate) {
			t.Fatalf("error %v, want ErrNotCorporate", err)
		}
	})
}
