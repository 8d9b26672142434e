package carrier

import (
	"strings"
	"testing"
)

type decodeItem struct {
	ID    string  `json:"id"`
	When  string  `json:"when"`
	Note  string  `json:"note"`
	Count int     `json:"count"`
	Ratio float64 `json:"ratio"`
	Flag  bool    `json:"flag"`
	Where *struct {
		City string `json:"city"`
	} `json:"where"`
	Tags []string `json:"tags"`
}

type decodePayload struct {
	Items []decodeItem `json:"items"`
	Extra *decodeItem  `json:"extra"`
}

var decodeNeeds = NeedJSON("items.id", "items.when")

// The class of values of another JSON type: read leniently, left out, or,
// for a needed field, an error naming its path.
func TestNeededUnmarshal(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     decodeItem // items[0]
		err      string     // a part of the error, "" for none
	}{
		{"as expected", `{"items":[{"id":"A1","when":"t","note":"n","count":2}]}`,
			decodeItem{ID: "A1", When: "t", Note: "n", Count: 2}, ""},
		{"number for text is its literal", `{"items":[{"id":7777777770,"when":"t","note":12.50}]}`,
			decodeItem{ID: "7777777770", When: "t", Note: "12.50"}, ""},
		{"text holding a number for a number", `{"items":[{"id":"A","when":"t","count":"404","ratio":" 1.5"}]}`,
			decodeItem{ID: "A", When: "t", Count: 404, Ratio: 1.5}, ""},
		{"other types left out", `{"items":[{"id":"A","when":"t","note":{"x":1},"count":[1],"ratio":"fast","flag":"yes","where":"Paris","tags":{"a":"b"}}]}`,
			decodeItem{ID: "A", When: "t"}, ""},
		{"fractional number for an int left out", `{"items":[{"id":"A","when":"t","count":2.5}]}`,
			decodeItem{ID: "A", When: "t"}, ""},
		{"element of another type in a list left out, the others kept", `{"items":[{"id":"A","when":"t","tags":["a",{"b":1},3]}]}`,
			decodeItem{ID: "A", When: "t", Tags: []string{"a", "", "3"}}, ""},
		{"unneeded object of another type", `{"items":[{"id":"A","when":"t"}],"extra":"none"}`,
			decodeItem{ID: "A", When: "t"}, ""},
		{"needed fields inside an unneeded object are not needed", `{"items":[{"id":"A","when":"t"}],"extra":{"id":{},"when":[]}}`,
			decodeItem{ID: "A", When: "t"}, ""},
		{"keys match without case", `{"items":[{"ID":"A","When":"t","NOTE":5}]}`,
			decodeItem{ID: "A", When: "t", Note: "5"}, ""},
		{"control characters stripped", `{"items":[{"id":"A\u0000","when":"t","note":"a\u0007b\u0085c"}]}`,
			decodeItem{ID: "A", When: "t", Note: "ab c"}, ""},
		{"needed field of another type", `{"items":[{"id":"A","when":"t"},{"id":{"v":1},"when":"t"}]}`,
			decodeItem{}, "items[1].id: an object where text is needed"},
		{"needed list of another type", `{"items":"none"}`, decodeItem{}, "items: a string where an array is needed"},
		{"needed element of another type", `{"items":[true]}`, decodeItem{}, "items[0]: a boolean where an object is needed"},
		{"payload of another type", `[1,2]`, decodeItem{}, "payload: an array where an object is needed"},
		{"syntax error", `{"items":[{"id":"A",}]}`, decodeItem{}, "invalid character"},
		{"syntax error with a control escape", `{"items":[{"id":"A\u0000",}]}`, decodeItem{}, "invalid character"},
		{"trailing data", `{"items":[]} {}`, decodeItem{}, "invalid character"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p decodePayload
			err := decodeNeeds.Unmarshal([]byte(c.in), &p)
			switch {
			case c.err != "":
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			got := p.Items[0]
			if got.ID != c.want.ID || got.When != c.want.When || got.Note != c.want.Note || got.Count != c.want.Count ||
				got.Ratio != c.want.Ratio || got.Flag != c.want.Flag || got.Where != nil || strings.Join(got.Tags, "|") != strings.Join(c.want.Tags, "|") {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestMayHoldControl(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":"plain"}`: false, `{"a":"Z\u00fcrich"}`: false, `{"a":"\u00e9"}`: false,
		`{"a":"\u0000"}`: true, `{"a":"\u001F"}`: true, `{"a":"\u007f"}`: true, `{"a":"\u0085"}`: true,
		"{\"a\":\"\xc2\x85\"}": true, "{\"a\":\"D\x7f\"}": true, "{\"a\":\"\xc2\xa0\"}": false, `{"a":"\u00`: false,
	} {
		if got := mayHoldControl([]byte(in)); got != want {
			t.Errorf("mayHoldControl(%s) = %v, want %v", in, got, want)
		}
	}
}
