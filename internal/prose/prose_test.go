package prose

import (
	"fmt"
	"testing"
)

func TestLists(t *testing.T) {
	var seven []string
	for i := 1; i <= 7; i++ {
		seven = append(seven, fmt.Sprint(i))
	}
	if got := List(seven[:5]); got != "1, 2, 3, 4, 5" {
		t.Errorf("List(5) = %q", got)
	}
	if got := ListSep(seven, "; "); got != "1; 2; 3; 4; 5 and 2 more" {
		t.Errorf("ListSep(7) = %q", got)
	}
	if got := List(nil); got != "" {
		t.Errorf("List(nil) = %q", got)
	}
	b := Bounded{Keep: 2}
	for _, s := range seven {
		if b.Next() {
			b.Add(s)
		}
	}
	if b.Total() != 7 || len(b.Items()) != 2 || b.Join(", ") != "1, 2 and 5 more" {
		t.Errorf("Bounded: total %d, items %v, %q", b.Total(), b.Items(), b.Join(", "))
	}
	var all Bounded
	for _, s := range seven[:3] {
		if all.Next() {
			all.Add(s)
		}
	}
	if all.Join(" ") != "1 2 3" {
		t.Errorf("Bounded(3) = %q", all.Join(" "))
	}
	if Plural(1, "host") != "1 host" || Plural(0, "host") != "0 hosts" || Plural(3, "GPU") != "3 GPUs" {
		t.Error("Plural")
	}
	if PluralOf(1, "alias", "aliases") != "1 alias" || PluralOf(2, "alias", "aliases") != "2 aliases" {
		t.Error("PluralOf")
	}
	if Verb(1, "fits", "fit") != "fits" || Verb(0, "fits", "fit") != "fit" || Verb(2, "fits", "fit") != "fit" {
		t.Error("Verb")
	}
	if got := ListUpTo(seven, 7, ", "); got != "1, 2, 3, 4, 5, 6, 7" {
		t.Errorf("ListUpTo(7, 7) = %q", got)
	}
	if got := ListUpTo(seven, 6, ", "); got != "1, 2, 3, 4, 5, 6 and 1 more" {
		t.Errorf("ListUpTo(7, 6) = %q", got)
	}
}
