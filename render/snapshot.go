package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/gpupass/gpupass/internal/prose"
	"github.com/gpupass/gpupass/snapshot"
)

// SnapshotSummary says what gpupass snapshot wrote: where (output, or "-"
// for stdout), how much (size, the tarball's bytes), what was redacted and
// what could not be read, and how to read it back.
func SnapshotSummary(w io.Writer, output string, size int, m *snapshot.Manifest) error {
	var b strings.Builder
	where := output
	if output == "-" {
		where = "stdout"
	}
	fmt.Fprintf(&b, "Wrote %s: snapshot of %s, %d files, links and directories (%s of files, %s compressed).\n",
		where, orNameless(m.Hostname), m.Members, humanBytes(m.Bytes), humanBytes(int64(size)))
	if len(m.Redacted) == 0 {
		b.WriteString("No secret found to redact.\n")
	} else {
		lines := 0
		for _, r := range m.Redacted {
			lines += len(r.Lines)
		}
		fmt.Fprintf(&b, "Redacted %s holding secrets in %s:\n", prose.Plural(lines, "line"), prose.Plural(len(m.Redacted), "file"))
		for _, r := range m.Redacted {
			shown := r.Lines
			more := ""
			if len(shown) > 12 {
				shown, more = shown[:12], fmt.Sprintf(" and %d more", len(r.Lines)-12)
			}
			fmt.Fprintf(&b, "  %s (%s %s%s)\n", r.Path, prose.Verb(len(r.Lines), "line", "lines"), joinInts(shown), more)
		}
	}
	if n := len(m.Unreadable); n > 0 {
		fmt.Fprintf(&b, "%s could not be read; the snapshot lacks %s as preflight would:\n", prose.Plural(n, "path"), prose.Verb(n, "it", "them"))
		for i, u := range m.Unreadable {
			if i == 10 {
				fmt.Fprintf(&b, "  ... and %d more (gpupass-snapshot/manifest.json lists them all)\n", n-10)
				break
			}
			fmt.Fprintf(&b, "  %s: %s\n", u.Path, u.Reason)
		}
	}
	b.WriteString("Read it with: gpupass preflight --root " + orStdout(output) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func orNameless(s string) string {
	if s == "" {
		return "a host without a name"
	}
	return s
}

func orStdout(output string) string {
	if output == "-" {
		return "FILE.tar.gz"
	}
	return output
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ", ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
