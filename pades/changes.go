package pades

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/digitorus/pdf"
)

// Kinds of change a later revision makes.
const (
	KindSignature     = "signature"
	KindSignatureFld  = "signature field"
	KindDocTimestamp  = "document time-stamp"
	KindValidation    = "validation data"
	KindCatalogue     = "document catalogue"
	KindForm          = "form"
	KindPage          = "page"
	KindAnnotation    = "annotation"
	KindMetadata      = "metadata"
	KindNewObject     = "new object"
	KindList          = "list of fields or annotations"
	KindReplacedObjct = "object"
)

// changesAfter lists the objects the revisions after the first covered
// bytes added or replaced, each named and judged.
func (d *document) changesAfter(ctx context.Context, covered int64) ([]Change, error) {
	notRevision := &ByteRangeError{Why: "the signed bytes do not end with a complete revision"}
	if !endsWithEOF(d.f.f, covered) {
		return nil, notRevision
	}
	var old *pdf.Reader
	err := d.guard(func() {
		var err error
		old, err = pdf.NewReader(io.NewSectionReader(d.f, 0, covered), covered)
		if err != nil {
			panic(err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%w: the signed revision cannot be read: %w", ErrMalformed, err)
	}
	var out []Change
	err = d.guard(func() {
		olds, news := old.Xref(), d.r.Xref()
		oldCatalog := old.Trailer().Key("Root")
		newCatalog := d.r.Trailer().Key("Root")
		acroID := idOf(newCatalog.Key("AcroForm"))
		infoID := idOf(d.r.Trailer().Key("Info"))
		for i := range news {
			if err := ctx.Err(); err != nil {
				panic(guardError{err})
			}
			x := news[i]
			p := x.Ptr()
			if p.GetID() == 0 {
				continue
			}
			existed := i < len(olds) && olds[i].Ptr() == p
			if existed && olds[i] == x {
				continue
			}
			v := d.r.Resolve(p, p)
			c := Change{Object: int(p.GetID())}
			c.Kind, c.Allowed = classify(v, existed, func() pdf.Value { return old.Resolve(p, p) })
			switch {
			case c.Kind == "":
				continue // cross-reference and object streams: structure, not content
			case existed && p.GetID() == idOf(newCatalog):
				c.Kind, c.Allowed = KindCatalogue, sameExcept(oldCatalog, newCatalog, "AcroForm", "DSS", "Extensions", "Perms", "Metadata")
			case existed && p.GetID() == acroID:
				c.Kind, c.Allowed = KindForm, sameExcept(old.Resolve(p, p), v, "Fields", "SigFlags", "DR", "DA")
			case existed && p.GetID() == infoID:
				c.Kind, c.Allowed = "document information", false
			}
			out = append(out, c)
			if len(out) > 10000 {
				panic(guardError{fmt.Errorf("%w: over 10000 objects changed after a signature", ErrTooLarge)})
			}
		}
	})
	return out, err
}

// classify names an added or replaced object; "" for structure.
func classify(v pdf.Value, existed bool, before func() pdf.Value) (string, bool) {
	switch v.Key("Type").Name() {
	case "XRef", "ObjStm":
		return "", true
	case "Sig":
		return KindSignature, true
	case "DocTimeStamp":
		return KindDocTimestamp, true
	case "DSS", "VRI":
		return KindValidation, true
	case "Metadata":
		return KindMetadata, true
	case "Page":
		if !existed {
			return KindPage, false
		}
		old := before()
		return KindPage, sameExcept(old, v, "Annots") && onlySignatureWidgetsAdded(old.Key("Annots"), v.Key("Annots"))
	case "Annot":
		if isSignatureWidget(v) {
			return KindSignatureFld, !existed || isSignatureWidget(before())
		}
		return KindAnnotation, false
	}
	if v.Key("FT").Name() == "Sig" && !existed {
		return KindSignatureFld, true
	}
	if v.Kind() == pdf.Array && existed {
		// The form's field list or a page's annotations, held apart.
		return KindList, onlySignatureWidgetsAdded(before(), v)
	}
	if !existed {
		// Nothing shows a new object unless an object that existed
		// points to it, and that one is judged on its own.
		return KindNewObject, true
	}
	return KindReplacedObjct, false
}

// isSignatureWidget reports whether v is the widget of a signature field.
func isSignatureWidget(v pdf.Value) bool {
	if t := v.Key("Subtype").Name(); t != "Widget" && t != "" {
		return false
	}
	return v.Key("FT").Name() == "Sig" || v.Key("Parent").Key("FT").Name() == "Sig"
}

// onlySignatureWidgetsAdded reports whether after holds what before held
// plus signature widgets.
func onlySignatureWidgetsAdded(before, after pdf.Value) bool {
	var had []uint32
	for i := 0; i < before.Len() && i < maxFields; i++ {
		had = append(had, idOf(before.Index(i)))
	}
	for i := 0; i < after.Len() && i < maxFields; i++ {
		a := after.Index(i)
		if id := idOf(a); id != 0 && slices.Contains(had, id) {
			continue
		}
		if !isSignatureWidget(a) {
			return false
		}
	}
	return true
}

// sameExcept reports whether two dictionaries hold the same entries but
// for the keys named (entries compared as written: references by
// number).
func sameExcept(a, b pdf.Value, except ...string) bool {
	keys := map[string]bool{}
	for _, k := range append(a.Keys(), b.Keys()...) {
		if !slices.Contains(except, k) {
			keys[k] = true
		}
	}
	for k := range keys {
		if a.Key(k).String() != b.Key(k).String() {
			return false
		}
	}
	return true
}

// idOf is the object number v was read from, 0 for a direct object.
func idOf(v pdf.Value) uint32 {
	p := v.GetPtr()
	return p.GetID()
}
