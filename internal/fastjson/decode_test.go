package fastjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// doc is a document of every kind of value Decode takes: nested structs,
// pointers, slices, maps of structs and of scalars, an empty interface, a
// skipped field, every number kind.
type doc struct {
	Name     string            `json:"name"`
	Count    int               `json:"count"`
	Small    int8              `json:"small"`
	Big      uint64            `json:"big"`
	Ratio    float64           `json:"ratio"`
	Narrow   float32           `json:"narrow"`
	On       bool              `json:"on"`
	Ptr      *int              `json:"ptr"`
	List     []string          `json:"list"`
	Nested   [][]int           `json:"nested"`
	Inv      map[string]inv    `json:"inv"`
	Use      map[string]int    `json:"use"`
	Any      any               `json:"any"`
	Children []doc             `json:"children,omitempty"`
	Named    map[string]string `json:"named"`
	Skipped  string            `json:"-"`
	NoTag    string
}

type inv struct {
	Total int     `json:"total"`
	Ratio float64 `json:"allocation_ratio"`
}

// TestUnmarshalAgrees: what Decode reads, it reads as encoding/json does,
// into the same value.
func TestUnmarshalAgrees(t *testing.T) {
	for _, in := range []string{
		`{}`, ` {"name" : "x" } `, `null`,
		`{"name":"a","count":-3,"small":127,"big":18446744073709551615,"ratio":1.5e3,"narrow":0.25,"on":true,"ptr":7}`,
		`{"list":[],"nested":[[1,2],[],[3]],"inv":{"VCPU":{"total":8,"allocation_ratio":16.0},"MEMORY_MB":{}},"use":{"VCPU":2}}`,
		`{"any":{"a":[1,"b",{"c":null}],"d":true},"children":[{"name":"c","children":[{"name":"d"}]}]}`,
		`{"unknown":{"a":[1,{"b":null}]},"name":"x","NoTag":"y"}`,
		`{"name":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","named":{"é":"é"}}`,
		"{\"name\":\"\xff\"}", // invalid UTF-8: encoding/json replaces it
		`{"ptr":null,"list":null,"inv":null,"any":null,"name":null,"count":null}`,
		// Indents of every width (eight spaces at a time, then the rest),
		// tabs and CRs after a new line, a new line at the very end.
		"{\n        \"name\": \"x\",\n                 \"count\": 1,\n       \"list\": [\n\t\"a\",\r\n \t        \"b\"\n]\n}\n        ",
		"{\"children\": [{\"children\": [{\"children\": [{\"name\": \"deep\"}]}]}]}",
	} {
		var want, got doc
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		// And as a report is written: indented, its nesting deeper than
		// eight spaces.
		indented, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var fromIndented doc
		var di Decoder
		if err := di.Decode(indented, &fromIndented); err != nil {
			t.Errorf("Decode(indented %q) = %v", in, err)
		} else if diff := cmp.Diff(want, fromIndented); diff != "" {
			t.Errorf("Decode(indented %q) differs (-encoding/json +fast):\n%s", in, diff)
		}
		var d Decoder
		if err := d.Decode([]byte(in), &got); err != nil {
			t.Errorf("Decode(%q) = %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(doc{})); diff != "" {
			t.Errorf("Decode(%q) differs (-encoding/json +fast):\n%s", in, diff)
		}
	}
}

// TestDecodeFallsBack: whatever encoding/json would read differently from
// a plain reading, or refuse, Decode leaves to it; Unmarshal then answers
// as encoding/json does, its error included.
func TestDecodeFallsBack(t *testing.T) {
	for _, in := range []string{
		``, ` `, `{`, `{]`, `[]`, `null x`, `{} {}`, `{}x`,
		`{"Name":"x"}`,            // encoding/json matches keys case-insensitively
		`{"name":"a","name":"b"}`, // a repeated key
		`{"count":1.5}`,           // not an integer
		`{"count":"1"}`,           // a string for a number
		`{"small":128}`,           // out of range
		`{"count":01}`,            // not JSON
		`{"on":1}`,                // a number for a bool
		`{"list":{}}`,             // an object for an array
		`{"use":{"a":1,"a":2}}`,   // a repeated map key
		`{"any":{"a":1,"a":2}}`,   // a repeated key in an interface's object
		"{\"name\":\"a\x01\"}",    // a control character in a string
		`{"n\u0061me":"x"}`,       // an escape in a key
		`{"name":"x",}`,           // a trailing comma
		`{"name":"x" "count":1}`,  // no comma
		`{"on":tru}`,              // a broken literal
		`{"ratio":1e400}`,         // out of float64's range
		`{"inv":{"VCPU":{"total":1},"VCPU":{}}}`,
	} {
		var got doc
		var d Decoder
		if err := d.Decode([]byte(in), &got); !errors.Is(err, ErrFallback) {
			t.Errorf("Decode(%q) = %v, want ErrFallback", in, err)
		}
		var want doc
		wantErr := json.Unmarshal([]byte(in), &want)
		var un doc
		gotErr := Unmarshal([]byte(in), &un)
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
			t.Errorf("Unmarshal(%q) = %v, encoding/json says %v", in, gotErr, wantErr)
		}
		if diff := cmp.Diff(want, un, cmp.AllowUnexported(doc{})); diff != "" {
			t.Errorf("Unmarshal(%q) differs from encoding/json (-want +got):\n%s", in, diff)
		}
	}
}

// TestUnmarshalMergesLikeEncodingJSON: into a value that is not zero,
// encoding/json merges; Unmarshal leaves that to it.
func TestUnmarshalMergesLikeEncodingJSON(t *testing.T) {
	in := []byte(`{"use":{"b":2},"count":3}`)
	want := doc{Name: "kept", Use: map[string]int{"a": 1}}
	got := doc{Name: "kept", Use: map[string]int{"a": 1}}
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal(in, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(doc{})); diff != "" {
		t.Errorf("Unmarshal into a filled value differs from encoding/json (-want +got):\n%s", diff)
	}
	if got.Name != "kept" || got.Use["a"] != 1 || got.Use["b"] != 2 {
		t.Errorf("not merged: %+v", got)
	}
}

// TestDropAndIntern: a dropped key is skipped (its syntax still checked),
// and interned strings are one copy across documents.
func TestDropAndIntern(t *testing.T) {
	d := Decoder{Intern: true, Drop: map[reflect.Type]map[string]bool{reflect.TypeFor[doc](): {"list": true}}}
	var a, b doc
	if err := d.Decode([]byte(`{"name":"nvidia","list":["x"]}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.List != nil || a.Name != "nvidia" {
		t.Errorf("dropped list decoded, or name lost: %+v", a)
	}
	if err := d.Decode([]byte(`{"name":"nvidia","list":[}`), &b); !errors.Is(err, ErrFallback) {
		t.Errorf("a dropped key's syntax is not checked: %v", err)
	}
	b = doc{}
	if err := d.Decode([]byte(`{"name":"nvidia"}`), &b); err != nil {
		t.Fatal(err)
	}
	if a.Name != b.Name || unsafe.StringData(a.Name) != unsafe.StringData(b.Name) {
		t.Errorf("the two documents' %q are two copies", a.Name)
	}
}

// item is a value of a Memo type in TestMemo; batch holds them.
type item struct {
	Name string         `json:"name"`
	List []string       `json:"list"`
	Inv  map[string]inv `json:"inv"`
}

type batch struct {
	Items []item `json:"items"`
	One   *item  `json:"one"`
}

// TestMemo: with Memo, values read as encoding/json reads them, and the
// same bytes, in one document or the next, are one memo entry.
func TestMemo(t *testing.T) {
	d := Decoder{Memo: map[reflect.Type]bool{reflect.TypeFor[item](): true, reflect.TypeFor[inv](): true}}
	docs := []string{
		`{"items":[{"name":"a","list":["x"]},{"name":"b"},{"name":"a","list":["x"]},null,{"name":"a", "list":["x"]}],"one":{"name":"b"}}`,
		`{"items":[{"name":"b"},{"name":"a","list":["x"]},{"name":"c","inv":{"VCPU":{"total":1}}}]}`,
	}
	var ids [][]int
	for _, in := range docs {
		var want, got batch
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if err := d.Decode([]byte(in), &got); err != nil {
			t.Fatalf("Decode(%s): %v", in, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Decode(%s) with Memo differs (-encoding/json +fast):\n%s", in, diff)
		}
		ids = append(ids, append([]int(nil), d.Memoized(reflect.TypeFor[item]())...))
		if inner := d.Memoized(reflect.TypeFor[inv]()); len(inner) != 0 {
			t.Errorf("the inv within c is listed: %v", inner)
		}
	}
	// Each item in order (the inv within c is neither remembered nor
	// listed); the null -1.
	if len(ids[0]) != 6 || len(ids[1]) != 3 {
		t.Fatalf("memo entries %v: want 6 and 3", ids)
	}
	a, b, spaced, c := ids[0][0], ids[0][1], ids[0][4], ids[1][2]
	want := [][]int{{a, b, a, -1, spaced, b}, {b, a, c}}
	if diff := cmp.Diff(want, ids); diff != "" || a == b || spaced == a || spaced == b || c < 0 || c == a || c == b || c == spaced {
		t.Errorf("memo entries %v: want the same entry for the same bytes only (a=%d b=%d), -1 for the null", ids, a, b)
	}
	if n := len(d.memoVals); n != 4 {
		t.Errorf("%d values remembered, want 4 (a, b, a with a space, c; not the inv within c)", n)
	}
}

// TestSupports: the kinds encoding/json decodes in its own ways are not
// taken.
func TestSupports(t *testing.T) {
	type embedded struct{ doc }
	type withString struct {
		N int `json:"n,string"`
	}
	type withBytes struct{ B []byte }
	type withRaw struct{ R json.RawMessage }
	for _, c := range []struct {
		v    any
		want bool
	}{
		{doc{}, true}, {map[string]inv{}, true}, {[]any{}, true},
		{embedded{}, false}, {withString{}, false}, {withBytes{}, false}, {withRaw{}, false},
		{map[int]string{}, false}, {make(chan int), false},
	} {
		if got := Supports(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("Supports(%T) = %v, want %v", c.v, got, c.want)
		}
	}
}

// FuzzUnmarshal: on any input Decode takes, encoding/json takes it too and
// gives the same value; Unmarshal always answers as encoding/json.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"x","count":1,"inv":{"VCPU":{"total":8,"allocation_ratio":1}}}`,
		`{"any":[1,"b",{"c":null}],"children":[{"list":["a"]}]}`, `{"named":{"a":"\u00e9"},"nested":[[1],[]]}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want doc
		wantErr := json.Unmarshal(data, &want)
		var un doc
		if err := Unmarshal(data, &un); (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("Unmarshal: %v, encoding/json: %v", err, wantErr)
		}
		if wantErr == nil {
			if diff := cmp.Diff(want, un, cmp.AllowUnexported(doc{})); diff != "" {
				t.Fatalf("Unmarshal differs from encoding/json (-want +got):\n%s", diff)
			}
		}
		var got, memo doc
		m := Decoder{Memo: map[reflect.Type]bool{reflect.TypeFor[doc](): true, reflect.TypeFor[inv](): true}}
		if m.Decode(data, &memo) == nil {
			if wantErr != nil {
				t.Fatalf("Decode with Memo took what encoding/json refuses (%v)", wantErr)
			}
			if diff := cmp.Diff(want, memo); diff != "" {
				t.Fatalf("Decode with Memo differs from encoding/json (-want +got):\n%s", diff)
			}
			// Again, from the memo: the same value.
			var again doc
			if err := m.Decode(data, &again); err != nil || !cmp.Equal(want, again) {
				t.Fatalf("Decode with Memo, the second time: %v, %+v", err, again)
			}
		}
		d := Decoder{Intern: true}
		if err := d.Decode(data, &got); err != nil {
			if !errors.Is(err, ErrFallback) {
				t.Fatalf("an error that is not ErrFallback: %v", err)
			}
			return
		}
		if wantErr != nil {
			t.Fatalf("Decode took what encoding/json refuses (%v)", wantErr)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(doc{})); diff != "" {
			t.Fatalf("Decode differs from encoding/json (-want +got):\n%s", diff)
		}
	})
}
