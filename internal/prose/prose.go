// Package prose formats the lists and counts gpupass's messages share:
// bounded lists ("a, b, c, d, e and 12 more") and plurals. It holds no
// judgement, only wording, so that checks, the audit's fleet model and the
// renderers say things the same way.
package prose

import (
	"fmt"
	"strings"
)

// Most is how many items a list names before "and N more".
const Most = 5

// List lists up to Most items, comma separated, and says how many more.
func List(items []string) string { return ListSep(items, ", ") }

// ListSep is List with another separator, for items that have commas of
// their own ("; " between per-host reasons).
func ListSep(items []string, sep string) string {
	if len(items) <= Most {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:Most], sep), len(items)-Most)
}

// ListUpTo is ListSep naming up to most items, for lists whose every
// item matters to the reader (the devices a folded finding is about) but
// that must stay bounded on a host with thousands of them.
func ListUpTo(items []string, most int, sep string) string {
	if len(items) <= most {
		return strings.Join(items, sep)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:most], sep), len(items)-most)
}

// Plural is "1 host" or "n hosts".
func Plural(n int, word string) string { return PluralOf(n, word, word+"s") }

// PluralOf is Plural for a word whose plural is not word+"s": "1 alias",
// "2 aliases".
func PluralOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Verb is the form of a verb that agrees with a count: Verb(1, "fits",
// "fit") is "fits", Verb(3, "fits", "fit") "fit".
func Verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Bounded keeps the first items of a list that may be long (one per host
// of a large fleet) and counts the rest, so that only what is kept is
// formatted: call Next for each item and Add it when Next says to keep it.
type Bounded struct {
	// Keep is how many items to keep; 0 keeps Most.
	Keep  int
	items []string
	total int
}

// Next counts one more item and reports whether to keep it: then the
// caller Adds it (formatting nothing it does not keep).
func (l *Bounded) Next() bool {
	l.total++
	keep := l.Keep
	if keep == 0 {
		keep = Most
	}
	return len(l.items) < keep
}

// Add keeps an item Next said to keep.
func (l *Bounded) Add(item string) { l.items = append(l.items, item) }

// Items are the items kept.
func (l *Bounded) Items() []string { return l.items }

// Total counts every item, kept or not.
func (l *Bounded) Total() int { return l.total }

// Join writes the list as ListSep does (its first Most items, and how
// many more).
func (l *Bounded) Join(sep string) string {
	n := min(len(l.items), Most)
	if l.total <= n {
		return strings.Join(l.items[:n], sep)
	}
	return fmt.Sprintf("%s and %d more", strings.Join(l.items[:n], sep), l.total-n)
}
