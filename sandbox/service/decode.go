package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// Limits of request decoding.
const (
	svcMaxJSON        = 1 << 20 // a JSON body
	svcMaxFormJSON    = 1 << 20 // the form inside a package
	svcMaxTextRunes   = 1000    // a form string without its own MaxLen
	svcMaxPassword    = 128     // runes
	svcMinPassword    = 12      // runes
	svcMaxIDLen       = 64
	svcMaxChallenge   = 128
	svcMinIdemKey     = 16
	svcMaxIdemKey     = 64
	svcMaxEmail       = 254
	svcMaxSignature   = 256 << 10 // a certificate login's CMS
	svcMaxCertificate = 64 << 10  // a certificate to validate
)

// svcApplicantKeys are the applicant-block names a form may use: the
// JSON names of identity.Applicant.
var svcApplicantKeys = []string{"name", "name_kana", "birth_date", "sex", "address",
	"corporate_name", "corporate_number", "corporate_address", "representative_name", "representative_title"}

// svcDecodeJSON reads exactly one JSON value of at most limit bytes from r
// into v: unknown fields, trailing data, an empty body and a body over
// the limit are refused. Numbers in maps stay json.Number. Its refusals
// name the field or the byte offset, never the input.
func svcDecodeJSON(r io.Reader, limit int64, v any) *svcProblem {
	data, err := iox.ReadAll(r, limit)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, iox.ErrTooLarge):
		return svcFail(submit.ReasonTooLarge, fmt.Sprintf("body over %d bytes", limit))
	case err != nil:
		return svcFail(submit.ReasonBadRequest, "body could not be read")
	}
	return svcDecodeJSONBytes(data, v)
}

// svcDecodeJSONBytes is svcDecodeJSON for data in memory.
func svcDecodeJSONBytes(data []byte, v any) *svcProblem {
	if len(bytes.TrimSpace(data)) == 0 {
		return svcFail(submit.ReasonBadRequest, "empty body")
	}
	if !utf8.Valid(data) {
		return svcFail(submit.ReasonBadRequest, "body is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return svcFail(submit.ReasonBadRequest, svcJSONDetail(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return svcFail(submit.ReasonBadRequest, "data after the JSON value")
	}
	return nil
}

// svcJSONDetail says where a JSON error is without quoting the input.
func svcJSONDetail(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return "the body is not a JSON object"
		}
		return svcSafeName(te.Field) + ": wrong type"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "JSON ends too early"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + svcSafeName(strings.Trim(name, `"`))
	}
	return "invalid JSON"
}

// svcSafeName returns a client-given field name when it is short and
// made of name characters, and a placeholder otherwise, so that a detail
// never echoes arbitrary input.
func svcSafeName(s string) string {
	if s == "" || len(s) > 64 || strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r == '.' || r == '-' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0 {
		return "(a field)"
	}
	return s
}

// svcMediaType returns the media type of the request body, lower-case
// without parameters. A charset other than UTF-8 is refused.
func svcMediaType(r *http.Request) (string, *svcProblem) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", svcFail(submit.ReasonUnsupportedMedia, "no Content-Type")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", svcFail(submit.ReasonUnsupportedMedia, "Content-Type cannot be read")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "", svcFail(submit.ReasonUnsupportedMedia, "charset must be utf-8")
	}
	return mt, nil
}

// svcWantMedia refuses a body whose media type is not one of want.
func svcWantMedia(r *http.Request, want ...string) (string, *svcProblem) {
	mt, p := svcMediaType(r)
	if p != nil {
		return "", p
	}
	if !slices.Contains(want, mt) {
		return "", svcFail(submit.ReasonUnsupportedMedia, "Content-Type must be "+strings.Join(want, " or "))
	}
	return mt, nil
}

// svcIdempotencyKey reads the Idempotency-Key header: 16–64 of
// [A-Za-z0-9_-].
func svcIdempotencyKey(h http.Header) (string, *svcProblem) {
	vals := h.Values(submit.HeaderIdemKey)
	if len(vals) != 1 {
		return "", svcFail(submit.ReasonBadRequest, submit.HeaderIdemKey+": give exactly one")
	}
	k := vals[0]
	if len(k) < svcMinIdemKey || len(k) > svcMaxIdemKey || strings.IndexFunc(k, func(r rune) bool {
		return !(r == '_' || r == '-' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0 {
		return "", svcFail(submit.ReasonBadRequest, submit.HeaderIdemKey+": 16–64 of A–Z, a–z, 0–9, _ and -")
	}
	return k, nil
}

// svcRequire refuses an empty or over-long string field.
func svcRequire(field, v string, maxLen int) *svcProblem {
	switch {
	case strings.TrimSpace(v) == "":
		return svcFail(submit.ReasonBadRequest, field+": required")
	case len(v) > maxLen:
		return svcFail(submit.ReasonBadRequest, fmt.Sprintf("%s: longer than %d bytes", field, maxLen))
	}
	return nil
}

// svcDecodeLogin reads and checks a submit.Login.
func svcDecodeLogin(r io.Reader, limit int64) (submit.Login, *svcProblem) {
	var l submit.Login
	if p := svcDecodeJSON(r, limit, &l); p != nil {
		return l, p
	}
	if p := svcRequire("account_id", l.AccountID, svcMaxIDLen); p != nil {
		return l, p
	}
	if p := svcRequire("password", l.Password, 4*svcMaxPassword); p != nil {
		return l, p
	}
	return l, nil
}

// svcDecodeCertificateLogin reads and checks a submit.CertificateLogin.
func svcDecodeCertificateLogin(r io.Reader, limit int64) (submit.CertificateLogin, *svcProblem) {
	var c submit.CertificateLogin
	if p := svcDecodeJSON(r, limit, &c); p != nil {
		return c, p
	}
	if p := svcRequire("challenge", c.Challenge, svcMaxChallenge); p != nil {
		return c, p
	}
	switch {
	case len(c.Signature) == 0:
		return c, svcFail(submit.ReasonBadRequest, "signature: required")
	case len(c.Signature) > svcMaxSignature:
		return c, svcFail(submit.ReasonBadRequest, "signature: too long")
	}
	return c, nil
}

// svcDecodeValidation reads and checks a submit.ValidationRequest.
func svcDecodeValidation(r io.Reader, limit int64) (submit.ValidationRequest, *svcProblem) {
	var v submit.ValidationRequest
	if p := svcDecodeJSON(r, limit, &v); p != nil {
		return v, p
	}
	switch {
	case len(v.Certificate) == 0:
		return v, svcFail(submit.ReasonBadRequest, "certificate: required")
	case len(v.Certificate) > svcMaxCertificate:
		return v, svcFail(submit.ReasonBadRequest, "certificate: too long")
	}
	return v, nil
}

// svcDecodeRegistration reads and checks the form of a registration
// package. Problems with its content are form-invalid: the JSON was
// signed, so it is a form.
func svcDecodeRegistration(data []byte) (submit.Registration, *svcProblem) {
	var reg submit.Registration
	if p := svcDecodeJSONBytes(data, &reg); p != nil {
		return reg, svcFail(submit.ReasonFormInvalid, p.Problem.Detail)
	}
	switch {
	case reg.Type != "registration":
		return reg, svcFail(submit.ReasonFormInvalid, "type: must be registration")
	case reg.Challenge == "" || len(reg.Challenge) > svcMaxChallenge:
		return reg, svcFail(submit.ReasonFormInvalid, "challenge: required")
	case reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany:
		return reg, svcFail(submit.ReasonFormInvalid, "user_type: resident or company")
	case len(reg.Email) > svcMaxEmail || reg.Email != "" && !svcLooksLikeEmail(reg.Email):
		return reg, svcFail(submit.ReasonFormInvalid, "email: not an e-mail address")
	}
	if reg.Password != "" {
		if n := utf8.RuneCountInString(reg.Password); n < svcMinPassword || n > svcMaxPassword {
			return reg, svcFail(submit.ReasonFormInvalid, fmt.Sprintf("password: %d to %d characters", svcMinPassword, svcMaxPassword)).
				withText("パスワードは12文字以上、128文字以内で設定してください。", "The password must have 12 to 128 characters.")
		}
	}
	return reg, nil
}

func svcLooksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>\"") && strings.Contains(s[at:], ".")
}

// svcDecodeForm reads a submit.FormDocument (a JSON body, or the form of
// a package) and checks it against proc's schema. A form that is not
// JSON is bad-request when it is the body and form-invalid when it came
// out of a package (inPackage).
func svcDecodeForm(data []byte, proc *submit.Procedure, inPackage bool) (submit.FormDocument, *svcProblem) {
	var doc submit.FormDocument
	if p := svcDecodeJSONBytes(data, &doc); p != nil {
		if inPackage {
			return doc, svcFail(submit.ReasonFormInvalid, "form: "+p.Problem.Detail)
		}
		return doc, p
	}
	return doc, svcValidateForm(proc, doc)
}

// svcValidateForm checks a form against its procedure's schema: the
// procedure ID, the applicant block and every field's presence, type,
// length and choices. The detail names the first failing field.
func svcValidateForm(proc *submit.Procedure, doc submit.FormDocument) *svcProblem {
	if doc.Procedure != proc.ID {
		return svcFail(submit.ReasonFormInvalid, "procedure: the form is for another procedure").
			withText("この申請書は別の手続きのものです。", "This form belongs to another procedure.")
	}
	for k := range doc.Applicant {
		if !slices.Contains(svcApplicantKeys, k) {
			return svcFail(submit.ReasonFormInvalid, "applicant: unknown field "+svcSafeName(k))
		}
	}
	for _, name := range proc.Form.Applicant {
		v, ok := doc.Applicant[name]
		s, isText := svcText(v)
		if !ok || v == nil || !isText || strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > svcMaxTextRunes || !svcPrintable(s) {
			ja, en := svcLabels([]string{name})
			return svcFail(submit.ReasonFormInvalid, "applicant."+name).
				withText("申請者欄の"+ja+"が入力されていないか、正しくありません。", "The applicant's "+en+" is missing or not valid.")
		}
	}
	for k := range doc.Fields {
		if !slices.ContainsFunc(proc.Form.Fields, func(f submit.Field) bool { return f.Name == k }) {
			return svcFail(submit.ReasonFormInvalid, "fields: unknown field "+svcSafeName(k))
		}
	}
	for _, f := range proc.Form.Fields {
		if ok, missing := svcFieldValid(f, doc.Fields[f.Name]); !ok {
			detail := "fields." + f.Name
			if missing {
				detail += ": required"
			}
			return svcFail(submit.ReasonFormInvalid, detail).
				withText("「"+f.LabelJA+"」が入力されていないか、正しくありません。", f.LabelEN+" is missing or not valid.")
		}
	}
	return nil
}

// svcText returns v as text: a string, or a number (the sex may be 1 or 2).
func svcText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	}
	return "", false
}

// svcPrintable refuses control characters other than tab and newlines.
func svcPrintable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r)
	}) < 0
}

// svcFieldValid checks one field's value; missing reports an absent or
// empty required value.
func svcFieldValid(f submit.Field, v any) (ok, missing bool) {
	if v == nil {
		return !f.Required, f.Required
	}
	if s, isString := v.(string); isString && strings.TrimSpace(s) == "" {
		return !f.Required, f.Required
	}
	switch f.Type {
	case "string":
		s, isString := v.(string)
		limit := svcMaxTextRunes
		if f.MaxLen > 0 {
			limit = f.MaxLen
		}
		return isString && utf8.RuneCountInString(s) <= limit && svcPrintable(s), false
	case "number":
		n, isNumber := v.(json.Number)
		if !isNumber {
			return false, false
		}
		x, err := n.Float64()
		return err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) && x >= 0, false
	case "date":
		s, isString := v.(string)
		if !isString {
			return false, false
		}
		_, err := time.Parse(time.DateOnly, s)
		return err == nil, false
	case "choice":
		s, isString := v.(string)
		return isString && slices.Contains(f.Choices, s), false
	}
	return false, false
}
