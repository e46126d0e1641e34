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
	"github.com/shinsei-app/shinsei/internal/jsonx"
	"github.com/shinsei-app/shinsei/submit"
)

// Limits of request decoding.
const (
	maxJSON        = 1 << 20 // a JSON body
	maxFormJSON    = 1 << 20 // the form inside a package
	maxTextRunes   = 1000    // a form string without its own MaxLen
	maxPassword    = 128     // runes
	minPassword    = 12      // runes
	maxIDLen       = 64
	maxChallenge   = 128
	minIdemKey     = 16
	maxIdemKey     = 64
	maxEmail       = 254
	maxSignature   = 256 << 10 // a certificate login's CMS
	maxCertificate = 64 << 10  // a certificate to validate
)

// applicantKeys are the applicant-block names a form may use: the
// JSON names of identity.Applicant.
var applicantKeys = []string{"name", "name_kana", "birth_date", "sex", "address",
	"corporate_name", "corporate_number", "corporate_address", "representative_name", "representative_title"}

// decodeJSON reads exactly one JSON value of at most limit bytes from r
// into v: unknown fields, trailing data, an empty body and a body over
// the limit are refused. Numbers in maps stay json.Number. Its refusals
// name the field or the byte offset, never the input.
func decodeJSON(r io.Reader, limit int64, v any) *apiProblem {
	data, err := iox.ReadAll(r, limit)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, iox.ErrTooLarge):
		return fail(submit.ReasonTooLarge, fmt.Sprintf("body over %d bytes", limit))
	case err != nil:
		return aborted() // the client stopped mid-body
	}
	return decodeJSONBytes(data, v)
}

// readJSONRequest reads a request's JSON body into v: its media type,
// its size (at most limit) and its decoding checked.
func readJSONRequest(w http.ResponseWriter, r *http.Request, limit int64, v any) *apiProblem {
	if _, p := wantMedia(r, submit.MediaJSON); p != nil {
		return p
	}
	if p := limitBody(w, r, limit); p != nil {
		return p
	}
	return decodeJSON(r.Body, limit, v)
}

// decodeJSONBytes is decodeJSON for data in memory.
func decodeJSONBytes(data []byte, v any) *apiProblem {
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(submit.ReasonBadRequest, "empty body")
	}
	if !utf8.Valid(data) {
		return fail(submit.ReasonBadRequest, "body is not UTF-8")
	}
	if err := jsonx.CheckKeys(data); err != nil {
		// Which of two equal keys counts is up to the decoder: refused.
		return fail(submit.ReasonBadRequest, strings.TrimPrefix(err.Error(), "jsonx: "))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fail(submit.ReasonBadRequest, jsonDetail(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(submit.ReasonBadRequest, "data after the JSON value")
	}
	return nil
}

// jsonDetail says where a JSON error is without quoting the input.
func jsonDetail(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return "the body is not a JSON object"
		}
		return safeName(te.Field) + ": wrong type"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "JSON ends too early"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + safeName(strings.Trim(name, `"`))
	}
	return "invalid JSON"
}

// safeName returns a client-given field name when it is short and
// made of name characters, and a placeholder otherwise, so that a detail
// never echoes arbitrary input.
func safeName(s string) string {
	if s == "" || len(s) > 64 || strings.IndexFunc(s, func(r rune) bool {
		return !(r == '_' || r == '.' || r == '-' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0 {
		return "(a field)"
	}
	return s
}

// mediaTypeOf returns the media type of the request body, lower-case
// without parameters. A charset other than UTF-8 is refused.
func mediaTypeOf(r *http.Request) (string, *apiProblem) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "", fail(submit.ReasonUnsupportedMedia, "no Content-Type")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fail(submit.ReasonUnsupportedMedia, "Content-Type cannot be read")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "", fail(submit.ReasonUnsupportedMedia, "charset must be utf-8")
	}
	return mt, nil
}

// wantMedia refuses a body whose media type is not one of want.
func wantMedia(r *http.Request, want ...string) (string, *apiProblem) {
	mt, p := mediaTypeOf(r)
	if p != nil {
		return "", p
	}
	if !slices.Contains(want, mt) {
		return "", fail(submit.ReasonUnsupportedMedia, "Content-Type must be "+strings.Join(want, " or "))
	}
	return mt, nil
}

// idempotencyKey reads the Idempotency-Key header: 16–64 of
// [A-Za-z0-9_-].
func idempotencyKey(h http.Header) (string, *apiProblem) {
	vals := h.Values(submit.HeaderIdemKey)
	if len(vals) != 1 {
		return "", fail(submit.ReasonBadRequest, submit.HeaderIdemKey+": give exactly one")
	}
	k := vals[0]
	if len(k) < minIdemKey || len(k) > maxIdemKey || strings.IndexFunc(k, func(r rune) bool {
		return !(r == '_' || r == '-' || r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0 {
		return "", fail(submit.ReasonBadRequest, submit.HeaderIdemKey+": 16–64 of A–Z, a–z, 0–9, _ and -")
	}
	return k, nil
}

// require refuses an empty or over-long string field.
func require(field, v string, maxLen int) *apiProblem {
	switch {
	case strings.TrimSpace(v) == "":
		return fail(submit.ReasonBadRequest, field+": required")
	case len(v) > maxLen:
		return fail(submit.ReasonBadRequest, fmt.Sprintf("%s: longer than %d bytes", field, maxLen))
	}
	return nil
}

// decodeLogin reads and checks a submit.Login.
func decodeLogin(r io.Reader, limit int64) (submit.Login, *apiProblem) {
	var l submit.Login
	if p := decodeJSON(r, limit, &l); p != nil {
		return l, p
	}
	if p := require("account_id", l.AccountID, maxIDLen); p != nil {
		return l, p
	}
	if p := require("password", l.Password, 4*maxPassword); p != nil {
		return l, p
	}
	return l, nil
}

// decodeCertificateLogin reads and checks a submit.CertificateLogin.
func decodeCertificateLogin(r io.Reader, limit int64) (submit.CertificateLogin, *apiProblem) {
	var c submit.CertificateLogin
	if p := decodeJSON(r, limit, &c); p != nil {
		return c, p
	}
	if p := require("challenge", c.Challenge, maxChallenge); p != nil {
		return c, p
	}
	switch {
	case len(c.Signature) == 0:
		return c, fail(submit.ReasonBadRequest, "signature: required")
	case len(c.Signature) > maxSignature:
		return c, fail(submit.ReasonBadRequest, "signature: too long")
	}
	return c, nil
}

// decodeValidation reads and checks a submit.ValidationRequest.
func decodeValidation(r io.Reader, limit int64) (submit.ValidationRequest, *apiProblem) {
	var v submit.ValidationRequest
	if p := decodeJSON(r, limit, &v); p != nil {
		return v, p
	}
	switch {
	case len(v.Certificate) == 0:
		return v, fail(submit.ReasonBadRequest, "certificate: required")
	case len(v.Certificate) > maxCertificate:
		return v, fail(submit.ReasonBadRequest, "certificate: too long")
	}
	return v, nil
}

// decodeRegistration reads and checks the form of a registration
// package. Problems with its content are form-invalid: the JSON was
// signed, so it is a form.
func decodeRegistration(data []byte) (submit.Registration, *apiProblem) {
	var reg submit.Registration
	if p := decodeJSONBytes(data, &reg); p != nil {
		return reg, fail(submit.ReasonFormInvalid, p.Problem.Detail)
	}
	switch {
	case reg.Type != "registration":
		return reg, fail(submit.ReasonFormInvalid, "type: must be registration")
	case reg.Challenge == "" || len(reg.Challenge) > maxChallenge:
		return reg, fail(submit.ReasonFormInvalid, "challenge: required")
	case reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany:
		return reg, fail(submit.ReasonFormInvalid, "user_type: resident or company")
	case len(reg.Email) > maxEmail || reg.Email != "" && !looksLikeEmail(reg.Email) || hasInvisible(reg.Email):
		return reg, fail(submit.ReasonFormInvalid, "email: not an e-mail address")
	}
	if reg.Password != "" {
		if p := passwordRefusal(submit.CheckPassword(reg.Password)); p != nil {
			return reg, p
		}
	}
	return reg, nil
}

func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>\"") && strings.Contains(s[at:], ".")
}

// decodeForm reads a submit.FormDocument (a JSON body, or the form of
// a package) and checks it against proc's schema. A form that is not
// JSON is bad-request when it is the body and form-invalid when it came
// out of a package (inPackage).
func decodeForm(data []byte, proc *submit.Procedure, inPackage bool) (submit.FormDocument, *apiProblem) {
	var doc submit.FormDocument
	if p := decodeJSONBytes(data, &doc); p != nil {
		if inPackage {
			return doc, fail(submit.ReasonFormInvalid, "form: "+p.Problem.Detail)
		}
		return doc, p
	}
	return doc, validateForm(proc, doc)
}

// validateForm checks a form against its procedure's schema: the
// procedure ID, the applicant block and every field's presence, type,
// length and choices. The detail names the first failing field.
func validateForm(proc *submit.Procedure, doc submit.FormDocument) *apiProblem {
	if doc.Procedure != proc.ID {
		return fail(submit.ReasonFormInvalid, "procedure: the form is for another procedure").
			withText("この申請書は別の手続きのものです。", "This form belongs to another procedure.")
	}
	for k := range doc.Applicant {
		if !slices.Contains(applicantKeys, k) {
			return fail(submit.ReasonFormInvalid, "applicant: unknown field "+safeName(k))
		}
		if !slices.Contains(proc.Form.Applicant, k) {
			// Not asked for by this procedure: refused rather than kept
			// unchecked.
			return fail(submit.ReasonFormInvalid, "applicant: "+safeName(k)+" is not a field of this procedure").
				withText("申請者欄に、この手続きにない項目があります。", "The applicant block has a field this procedure does not ask for.")
		}
	}
	for _, name := range proc.Form.Applicant {
		v, ok := doc.Applicant[name]
		s, isText := textOf(v)
		if isText && hasInvisible(s) {
			ja, en := labelsOf([]string{name})
			return invisibleRefusal("applicant."+name, "申請者欄の"+ja, "The applicant's "+en)
		}
		if !ok || v == nil || !isText || strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > maxTextRunes || !isPrintable(s) {
			ja, en := labelsOf([]string{name})
			return fail(submit.ReasonFormInvalid, "applicant."+name).
				withText("申請者欄の"+ja+"が入力されていないか、正しくありません。", "The applicant's "+en+" is missing or not valid.")
		}
	}
	for k := range doc.Fields {
		if !slices.ContainsFunc(proc.Form.Fields, func(f submit.Field) bool { return f.Name == k }) {
			return fail(submit.ReasonFormInvalid, "fields: unknown field "+safeName(k))
		}
	}
	for _, f := range proc.Form.Fields {
		if s, isText := doc.Fields[f.Name].(string); isText && hasInvisible(s) {
			return invisibleRefusal("fields."+f.Name, "「"+f.LabelJA+"」", f.LabelEN)
		}
		if ok, missing := fieldValid(f, doc.Fields[f.Name]); !ok {
			detail := "fields." + f.Name
			if missing {
				detail += ": required"
			}
			return fail(submit.ReasonFormInvalid, detail).
				withText("「"+f.LabelJA+"」が入力されていないか、正しくありません。", f.LabelEN+" is missing or not valid.")
		}
	}
	return nil
}

// textOf returns v as text: a string, or a number (the sex may be 1 or 2).
func textOf(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	}
	return "", false
}

// hasInvisible reports a character that shows as nothing
// (submit.IsInvisible): zero-width, bidirectional control and other
// format characters, and the Hangul fillers.
func hasInvisible(s string) bool { return strings.IndexFunc(s, submit.IsInvisible) >= 0 }

// invisibleRefusal is the refusal of a field holding an invisible
// character; label is the field's name in Japanese and English.
func invisibleRefusal(detail, labelJA, labelEN string) *apiProblem {
	return fail(submit.ReasonFormInvalid, detail+": invisible character").
		withText(labelJA+"に、目に見えない文字（ゼロ幅スペースや文字の向きを変える制御文字など）が含まれています。その文字を削除してください。",
			labelEN+" contains an invisible character (such as a zero-width space or a text-direction control); please remove it.")
}

// isPrintable refuses control characters other than tab and newlines.
func isPrintable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r)
	}) < 0
}

// fieldValid checks one field's value; missing reports an absent or
// empty required value.
func fieldValid(f submit.Field, v any) (ok, missing bool) {
	if v == nil {
		return !f.Required, f.Required
	}
	if s, isString := v.(string); isString && strings.TrimSpace(s) == "" {
		return !f.Required, f.Required
	}
	switch f.Type {
	case "string":
		s, isString := v.(string)
		limit := maxTextRunes
		if f.MaxLen > 0 {
			limit = f.MaxLen
		}
		return isString && utf8.RuneCountInString(s) <= limit && isPrintable(s), false
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
