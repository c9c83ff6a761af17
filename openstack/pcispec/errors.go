package pcispec

import "fmt"

// Diagnostic is a non-fatal finding about a value Nova accepts: a hex
// number in a non-canonical form, a regex gpupass cannot evaluate, a tag
// this release does not know (Nova keeps it and ignores it), a duplicate
// key...
type Diagnostic struct {
	// Severity is "warning".
	Severity string
	// Message says what Nova will do with the value, in the operator's
	// terms.
	Message string
}

func warnf(format string, args ...any) Diagnostic {
	return Diagnostic{Severity: "warning", Message: fmt.Sprintf(format, args...)}
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
	return &NovaError{Exception: exc, Message: fmt.Sprintf(format, args...)}
}

// pciConfigInvalidSpec is exception.PciConfigInvalidSpec.
func pciConfigInvalidSpec(format string, args ...any) *NovaError {
	return &NovaError{Exception: "PciConfigInvalidSpec", Message: "Invalid [pci]device_spec config: " + fmt.Sprintf(format, args...)}
}

// pciDeviceWrongAddressFormat is exception.PciDeviceWrongAddressFormat.
func pciDeviceWrongAddressFormat(address string) *NovaError {
	return &NovaError{Exception: "PciDeviceWrongAddressFormat", Message: fmt.Sprintf("The PCI address %s has an incorrect format.", address)}
}

// pciDeviceNotFoundByID is exception.PciDeviceNotFoundById.
func pciDeviceNotFoundByID(id string) *NovaError {
	return &NovaError{Exception: "PciDeviceNotFoundById", Message: fmt.Sprintf("PCI device %s not found", id)}
}

// pciInvalidAlias is exception.PciInvalidAlias with a reason.
func pciInvalidAlias(reason string) *NovaError {
	return &NovaError{Exception: "PciInvalidAlias", Message: "Invalid PCI alias definition: " + reason}
}
