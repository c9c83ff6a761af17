// Package archtest holds the test of gpupass's package layering: data
// flows one way (read -> decide -> render -> command), so a package may
// import only packages of a lower layer, and the packages that decide and
// render link no HTTP client. docs/architecture.md draws the same layers.
package archtest
