// Package shellword writes words of the POSIX shell commands gpupass
// prints for an operator to paste: the one quoting rule the checks'
// remediations and generate's plans share.
package shellword

import "strings"

// Safe reports a word made only of characters no shell treats specially:
// letters, digits and @%+=:,./-_ (the set of Python's shlex.quote). The
// empty word is not safe: it must be written ”.
func Safe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("@%+=:,./-_", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Quoted puts s in single quotes, inside which sh gives no character a
// meaning; a single quote is written as '\”.
func Quoted(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Word returns s as one shell word: bare when Safe, else Quoted.
func Word(s string) string {
	if Safe(s) {
		return s
	}
	return Quoted(s)
}
