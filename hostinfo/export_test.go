package hostinfo

// WalkOnly returns fsys reading every path through walk, as on a system
// without openat2: the tests hold the two ways of resolving to the same
// answers.
func WalkOnly(fsys FS) FS {
	t := *fsys.t
	t.walkOnly = true
	fsys.t = &t
	return fsys
}
