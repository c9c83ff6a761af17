package checks
