package pcispec

import (
	"fmt"
	"unicode/utf8"
)

// Diagnostic is a non-fatal finding about a value Nova accepts: a hex
// number in a non-canonical form, a regex too complex to evaluate, a tag
// this release does not know (Nova keeps it and ignores it), a duplicate
// key...
type Diagnostic struct {
	// Severity is "warning".
	Severity string
	// Message says what Nova will do with the value, in the operator's
	// terms.
	Message string
	// IgnoredTag names the device_spec tag this release keeps as a
	// free-form tag because it has an effect only from a later release
	// ("managed" before 2025.1); "" for other diagnostics.
	IgnoredTag string
}

func warnf(format string, args ...any) Diagnostic {
	return Diagnostic{Severity: "warning", Message: sprintf(format, args...)}
}

// maxQuoted bounds a value quoted in a message: a 4 MB regular
// expression in a device_spec is shown by its first 200 bytes and "…",
// so that a message is never as big as what it is about (Nova's own
// messages quote it whole).
const maxQuoted = 200

// sprintf is fmt.Sprintf with every string argument clipped to maxQuoted
// bytes.
func sprintf(format string, args ...any) string {
	clipped := args
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxQuoted {
			if &clipped[0] == &args[0] {
				clipped = append([]any(nil), args...)
			}
			clipped[i] = clipQuoted(s)
		}
	}
	return fmt.Sprintf(format, clipped...)
}

// clipQuoted cuts s to maxQuoted bytes, on a character boundary, with "…".
func clipQuoted(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	i := maxQuoted
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// NovaError is an error Nova raises for a value: the message is what Nova
// logs (str() of the Python exception) and Exception is the exception's
// class, such as PciConfigInvalidSpec, PciDeviceWrongAddressFormat,
// PciInvalidAlias, ValidationError, or a Python built-in (AttributeError,
// TypeError, ValueError, RecursionError...) when Nova does not catch it
// and the service fails with a traceback.
type NovaError struct {
	Exception string
	Message   string
}

func (e *NovaError) Error() string { return e.Message }

func novaErr(exc, format string, args ...any) *NovaError {
	return &NovaError{Exception: exc, Message: sprintf(format, args...)}
}

// pciConfigInvalidSpec is exception.PciConfigInvalidSpec.
func pciConfigInvalidSpec(format string, args ...any) *NovaError {
	return &NovaError{Exception: "PciConfigInvalidSpec", Message: "Invalid [pci]device_spec config: " + sprintf(format, args...)}
}

// pciDeviceWrongAddressFormat is exception.PciDeviceWrongAddressFormat.
func pciDeviceWrongAddressFormat(address string) *NovaError {
	return &NovaError{Exception: "PciDeviceWrongAddressFormat", Message: sprintf("The PCI address %s has an incorrect format.", address)}
}

// pciDeviceNotFoundByID is exception.PciDeviceNotFoundById.
func pciDeviceNotFoundByID(id string) *NovaError {
	return &NovaError{Exception: "PciDeviceNotFoundById", Message: sprintf("PCI device %s not found", id)}
}

// pciInvalidAlias is exception.PciInvalidAlias with a reason.
func pciInvalidAlias(reason string) *NovaError {
	return &NovaError{Exception: "PciInvalidAlias", Message: "Invalid PCI alias definition: " + reason}
}
