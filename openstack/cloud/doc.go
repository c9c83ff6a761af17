// Package cloud connects to an OpenStack cloud the way the OpenStack CLI does
// and reads, read-only, what `gpupass audit` needs into the plain data of
// package cloudmodel: flavors with their extra specs, hypervisors, and
// placement's resource providers with their inventories, usages and traits.
//
// It owns the connection settings (clouds.yaml, secure.yaml, the OS_*
// variables, the --os-* flags), authentication (password or application
// credential, through gophercloud), the HTTP behaviour under gophercloud
// (timeouts on every request and a deadline on the whole run, bounded
// retries, a guard that refuses any request that could change the cloud or
// send the credentials anywhere but the auth URL's host, a redirect policy
// that keeps the token on its host, answers capped at 64 MiB, a debug log
// with secrets redacted, request counts), bounded paging and the decoding
// of the answers. It prints nothing: errors
// are *Error values, what could not be read is listed in Snapshot.Incomplete,
// warnings come from Client.Warnings, and progress and debug lines go to the
// writers the caller passes in Options.
//
//	client, err := cloud.Connect(ctx, cloud.Options{Cloud: "prod"})
//	if err != nil { ... exit 2 ... }
//	snap, err := client.Fetch(ctx) // err only when the flavors could not be read: exit 2
//	// else report snap, and snap.Incomplete as what is missing
package cloud
