package pysem

import (
	"testing"
	"time"
)

// TestMatchBudget: patterns that keep Python busy for minutes on an
// address field stop at MatchBudget with ErrTooComplex, in bounded time,
// and the patterns of the corpora need a small part of the budget.
func TestMatchBudget(t *testing.T) {
	hostile := []string{
		`(?:(?:0?){1000}){1000}x`, `(?:(?:(?:0?)*)*)*x`, `(?:0?){40}(?:0?){40}x`,
		`(?:){4294967294}`, `(?:){4294967294}+`, `(?:){4294967294}?x`, `(?>(?:){4294967294})`, `(?:(?:){1000000}){1000000}`,
	}
	for _, p := range hostile {
		r, err := Py311.Compile(p)
		if err != nil {
			t.Fatal(p, err)
		}
		start := time.Now()
		_, steps, merr := r.matchSteps("0000")
		took := time.Since(start)
		if merr != ErrTooComplex || steps <= MatchBudget {
			t.Errorf("%s: %v after %d steps, want ErrTooComplex past %d", p, merr, steps, MatchBudget)
		}
		if took > 2*time.Second {
			t.Errorf("%s: %v to give up", p, took)
		}
		t.Logf("%s: gave up after %v", p, took)
	}
	worst, worstPat := 0, ""
	pats := append(append([]string(nil), pickedPatterns...), generatedPatterns(5000)...)
	pats = append(pats, corpusPatterns(t)...)
	for _, p := range pats {
		r, err := Py311.Compile(p)
		if err != nil {
			continue
		}
		for _, s := range subjects {
			if _, steps, err := r.matchSteps(s); err == nil && steps > worst {
				worst, worstPat = steps, p
			}
		}
	}
	t.Logf("the most steps a corpus or generated pattern needs: %d (%.60q), of %d", worst, worstPat, MatchBudget)
	if worst*4 > MatchBudget {
		t.Errorf("%.60q needs %d steps: the budget leaves too little room", worstPat, worst)
	}
}
