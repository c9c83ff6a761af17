package novaconf

import (
	"fmt"
	"strings"
)

// ParseBool converts a value as oslo.config's types.Boolean does:
// true/1/on/yes and false/0/off/no, in any case, nothing else (no
// stripping either: "True ; comment" is an error, which makes nova refuse
// to read the option).
func ParseBool(text string) (bool, error) {
	switch strings.ToLower(text) {
	case "true", "1", "on", "yes":
		return true, nil
	case "false", "0", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("unexpected boolean value %q (oslo.config takes true/false, yes/no, on/off, 1/0)", text)
}

// BoolFromString is oslo_utils.strutils.bool_from_string(s), not strict:
// true for 1, t, true, on, y or yes in any case, white space around;
// false for anything else. Nova reads extra specs and device_spec tags
// with it (not oslo.config's BoolOpt: that is ParseBool).
func BoolFromString(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true
	}
	return false
}

// ParseList splits a ListOpt value as oslo.config's types.List(String())
// does: the value stripped, trailing commas dropped, split at every comma,
// each item stripped (of Python's whitespace, newlines from continuation
// lines included). Empty items in the middle stay: "A,,B" is three items.
func ParseList(text string) []string {
	s := strings.TrimRight(strings.TrimFunc(text, pyIsSpace), ",")
	if s == "" {
		return []string{}
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimFunc(p, pyIsSpace)
	}
	return parts
}
