package cloud

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress writes a one-line summary of a long fetch, rewritten in place
// (carriage return, erase to end of line), and erases it when the fetch ends.
// Nothing is written when the fetch ends before the first delay, so short
// fetches leave the terminal untouched.
type progress struct {
	flavors, hypervisors          atomic.Int64
	specsDone, specsTotal         atomic.Int64
	providersDone, providersTotal atomic.Int64

	w        io.Writer
	quit     chan struct{}
	finished sync.WaitGroup
}

const progressEvery = 200 * time.Millisecond

// startProgress starts the writer; with a nil w it only counts.
func startProgress(w io.Writer, delay time.Duration) *progress {
	p := &progress{w: w, quit: make(chan struct{})}
	if w == nil {
		return p
	}
	p.finished.Go(func() {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-p.quit:
			return
		case <-timer.C:
		}
		ticker := time.NewTicker(progressEvery)
		defer ticker.Stop()
		last := ""
		for {
			if line := p.line(); line != last {
				fmt.Fprintf(p.w, "\r%s\x1b[K", line)
				last = line
			}
			select {
			case <-p.quit:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-ticker.C:
			}
		}
	})
	return p
}

// line is the current summary.
func (p *progress) line() string {
	parts := []string{fmt.Sprintf("%d flavors", p.flavors.Load())}
	if total := p.specsTotal.Load(); total > 0 {
		parts = append(parts, fmt.Sprintf("extra specs %d/%d", p.specsDone.Load(), total))
	}
	parts = append(parts, fmt.Sprintf("%d hypervisors", p.hypervisors.Load()))
	if total := p.providersTotal.Load(); total > 0 {
		parts = append(parts, fmt.Sprintf("resource providers %d/%d", p.providersDone.Load(), total))
	}
	return "reading the cloud: " + strings.Join(parts, ", ")
}

// stop ends the writer and erases its line.
func (p *progress) stop() {
	close(p.quit)
	p.finished.Wait()
}
