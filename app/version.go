package app

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Build says which build of pressroom this is: the module version Go
// stamped into the binary (a tag, or a pseudo-version naming the commit),
// the commit, when it was made and whether the tree had changes not
// committed, and the Go version. Nodes of one company should run the same.
func Build() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "pressroom (no build information)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pressroom %s", info.Main.Version)
	var rev, at, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with changes not committed"
			}
		}
	}
	if rev != "" {
		fmt.Fprintf(&b, " (commit %s of %s%s)", rev, at, modified)
	}
	fmt.Fprintf(&b, ", %s", info.GoVersion)
	return b.String()
}
