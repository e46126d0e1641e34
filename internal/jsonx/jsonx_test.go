package jsonx

import (
	"errors"
	"testing"
)

func TestAJSONObjectWithAKeyTwiceIsRefusedAtAnyDepth(t *testing.T) {
	tests := []struct {
		name, doc string
		refused   bool
	}{
		{"a plain form passes", `{"procedure":"p","applicant":{"name":"a","address":"b"},"fields":{"n":1,"l":[1,{"x":2}]}}`, false},
		{"the same key in two objects passes", `{"a":{"name":"x"},"b":{"name":"y"}}`, false},
		{"a key equal to a value passes", `{"name":"name","x":"name"}`, false},
		{"keys in an array's objects are separate", `[{"name":1},{"name":2}]`, false},
		{"a key twice at the top is refused", `{"procedure":"a","procedure":"b"}`, true},
		{"a second name in the applicant block is refused", `{"procedure":"p","applicant":{"name":"高橋　花子","name":"佐藤　次郎"}}`, true},
		{"a key twice inside an array's object is refused", `{"fields":{"l":[{"x":1,"x":2}]}}`, true},
		{"a key spelled with an escape is the same key", `{"applicant":{"name":"a","n\u0061me":"b"}}`, true},
		{"keys differing only in case are refused", `{"procedure":"a","Procedure":"b"}`, true},
		{"a key after a nested value is still compared", `{"name":{"a":[1,2]},"x":null,"name":"b"}`, true},
		{"something that is not JSON is left to the decoder", `{"name":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckKeys([]byte(tt.doc))
			if got := errors.Is(err, ErrDuplicateKey); got != tt.refused {
				t.Errorf("CheckKeys = %v, want refused: %v", err, tt.refused)
			}
		})
	}
}
